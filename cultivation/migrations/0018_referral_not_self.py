from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q


def drop_self_referrals(apps, schema_editor):
    """A merge before this one could leave a person referred by or to themselves: no
    referral at all, and the constraint below refuses it."""
    Referral = apps.get_model("cultivation", "Referral")
    Referral.objects.filter(Q(person=F("from_person")) | Q(person=F("to_person"))).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cultivation", "0017_alliances"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_self_referrals, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("person", models.F("from_person")), _negated=True),
                    models.Q(("person", models.F("to_person")), _negated=True),
                ),
                name="referral_not_self",
                violation_error_message="A person is not referred by or to themselves.",
            ),
        ),
    ]
