"""A duplicate merged into another record is kept, pointing at the survivor (services/merge.py)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cultivation", "0009_drop_reminder"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                help_text="The person this duplicate record was merged into.",
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="merged_records",
                to="cultivation.contact",
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="merged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="contact_merged_into",
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.CheckConstraint(
                condition=models.Q(("merged_at", None), ("merged_into", None))
                | models.Q(("merged_at__isnull", False), ("merged_into__isnull", False)),
                name="contact_merged_has_a_date",
            ),
        ),
    ]
