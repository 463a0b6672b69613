from django.urls import path

from . import views, views_reports

app_name = "opportunities"

urlpatterns = [
    path("", views.board, name="board"),
    path("board/<str:stage>/", views.board_column, name="board-column"),
    path("cards/new/", views.card_add, name="card-add"),
    path("cards/<int:pk>/", views.card_detail, name="card-detail"),
    path("cards/<int:pk>/move/", views.card_move, name="card-move"),
    path("cards/<int:pk>/contacts/", views.card_contact_add, name="card-contact-add"),
    path("cards/<int:pk>/people/new/", views.card_person_new, name="card-person-new"),
    path(
        "cards/<int:pk>/introducers/<int:contact>/ask/",
        views.card_introduction_ask,
        name="card-introduction-ask",
    ),
    path("cards/<int:pk>/ideas/", views.card_idea_add, name="card-idea-add"),
    path("ideas/<int:pk>/status/", views.idea_mark, name="idea-mark"),
    path("reports/", views_reports.reports, name="reports"),
    path("reports/<str:slug>/", views_reports.report, name="report"),
    path("reports/<str:slug>/<str:figure>.csv", views_reports.report_csv, name="report-csv"),
]
