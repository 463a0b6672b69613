from django.urls import path

from . import views

app_name = "cultivation"

urlpatterns = [
    path("contacts/<int:pk>/", views.contact_detail, name="contact-detail"),
]
