from django.urls import path

from . import views

app_name = "opportunities"

urlpatterns = [
    path("", views.board, name="board"),
    path("cards/<int:pk>/", views.card_detail, name="card-detail"),
]
