"""A live alliance partner's lunch is the booked exchange lunch: the plan's own lunch item,
which alliance plans carried until now, goes (with a line in their history), so nobody gets
two lunch reminders."""

from django.db import migrations

NOTE = (
    "Dropped lunch or coffee every {days} days: "
    "the preferral-exchange lunch booked with {name} is their lunch."
)


def drop_plan_lunches(apps, schema_editor):
    PlanItem = apps.get_model("cultivation", "PlanItem")
    ContactEvent = apps.get_model("cultivation", "ContactEvent")
    items = PlanItem.objects.filter(
        method="lunch",
        plan__ended_at=None,
        plan__contact__alliance__isnull=False,
        plan__contact__alliance__ended_at=None,
    ).select_related("plan__contact")
    for item in items:
        contact = item.plan.contact
        ContactEvent.objects.create(
            contact=contact,
            action="plan_changed",
            note=NOTE.format(days=item.interval_days, name=contact.name),
        )
        item.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cultivation", "0020_alliance_events"),
    ]

    operations = [
        migrations.RunPython(drop_plan_lunches, migrations.RunPython.noop),
    ]
