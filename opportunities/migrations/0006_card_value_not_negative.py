from django.db import migrations, models


def forget_negative_values(apps, schema_editor):
    """A negative value meant nothing: it becomes "no value" so the constraint can hold."""
    Opportunity = apps.get_model("opportunities", "Opportunity")
    Opportunity.objects.filter(estimated_value__lt=0).update(estimated_value=None)


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0005_card_changes"),
    ]

    operations = [
        migrations.RunPython(forget_negative_values, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="opportunity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("estimated_value__isnull", True), ("estimated_value__gte", 0), _connector="OR"
                ),
                name="opportunity_value_not_negative",
                violation_error_message="A card's value is never negative: enter 0 or more.",
            ),
        ),
    ]
