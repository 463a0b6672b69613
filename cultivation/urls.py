from django.urls import path

from .views import contacts, health, my_week, plans, promises, touches

app_name = "cultivation"

urlpatterns = [
    path("contacts/", contacts.contact_list, name="contact-list"),
    path("contacts/<int:pk>/", contacts.contact_detail, name="contact-detail"),
    path("my-week/", my_week.my_week, name="my-week"),
    path("touches/new/", touches.touch_new, name="touch-new"),
    path("gatherings/new/", touches.gathering_new, name="gathering-new"),
    path("introductions/new/", touches.introduction_new, name="introduction-new"),
    path("promises/new/", promises.promise_new, name="promise-new"),
    path("promises/<int:pk>/keep/", promises.promise_keep, name="promise-keep"),
    path("promises/<int:pk>/release/", promises.promise_release, name="promise-release"),
    path("contacts/<int:pk>/plan/", plans.plan_start, name="plan-start"),
    path("plans/<int:pk>/items/", plans.plan_item_add, name="plan-item-add"),
    path("plans/<int:pk>/end/", plans.plan_end, name="plan-end"),
    path("plan-items/<int:pk>/snooze/", plans.plan_item_snooze, name="plan-item-snooze"),
    path("follow-ups/<int:pk>/snooze/", plans.follow_up_snooze, name="follow-up-snooze"),
    path("health/", health.health, name="health"),
]
