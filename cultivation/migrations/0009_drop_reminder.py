"""The Reminder table goes: what is due is computed live, never copied (docs/jobs.md)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cultivation", "0008_contact_event_people_actions"),
    ]

    operations = [
        migrations.DeleteModel(name="Reminder"),
    ]
