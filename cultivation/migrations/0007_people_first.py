# People first: a person's LinkedIn profile, needs, who referred them, consent as a
# record (when and how), duplicate-matching keys, and "knows" links that say how.
#
# "knows" keeps its table: the plain many-to-many's table becomes the table of the
# Acquaintance model (state only), then gains its new columns.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Lower

import cultivation.models.people

CONSENT_BEFORE = "Recorded before Convivio kept how consent was given"


def fill_keys_and_consent(apps, schema_editor):
    Contact = apps.get_model("cultivation", "Contact")
    batch = []
    for person in Contact.objects.only("pk", "name", "has_opted_in", "created_at").iterator(
        chunk_size=2000
    ):
        person.name_key = cultivation.models.people.name_match_key(person.name)
        if person.has_opted_in:
            person.opted_in_at, person.opt_in_how = person.created_at, CONSENT_BEFORE
        batch.append(person)
        if len(batch) == 2000:
            Contact.objects.bulk_update(
                batch, ["name_key", "opted_in_at", "opt_in_how"]
            )
            batch = []
    Contact.objects.bulk_update(batch, ["name_key", "opted_in_at", "opt_in_how"])


class Migration(migrations.Migration):
    dependencies = [
        ("cultivation", "0006_promise_card_link_moves_up"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="linkedin_url",
            field=models.URLField(blank=True, max_length=300, verbose_name="LinkedIn profile"),
        ),
        migrations.AddField(
            model_name="contact",
            name="opted_in_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="opted in on"),
        ),
        migrations.AddField(
            model_name="contact",
            name="opt_in_how",
            field=models.CharField(
                blank=True,
                help_text='e.g. "asked at lunch", "signed up on the website".',
                max_length=200,
                verbose_name="how they opted in",
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="needs",
            field=models.TextField(
                blank=True,
                help_text="One per line: keep an eye out for what they need.",
                verbose_name="needs we have heard",
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="referred_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The person who referred or introduced them to us.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="referrals",
                to="cultivation.contact",
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="referred_by_colleague",
            field=models.ForeignKey(
                blank=True,
                help_text="The colleague who referred them to us.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="referred_contacts",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="name_key",
            field=cultivation.models.people.MatchKeyField(
                blank=True,
                derive=cultivation.models.people.name_match_key,
                editable=False,
                max_length=200,
                source="name",
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="linkedin_key",
            field=cultivation.models.people.MatchKeyField(
                blank=True,
                derive=cultivation.models.people.linkedin_match_key,
                editable=False,
                max_length=300,
                source="linkedin_url",
            ),
        ),
        migrations.RunPython(fill_keys_and_consent, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["name_key", "organisation"], name="contact_name_key"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["linkedin_key"], name="contact_linkedin_key"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(Lower("email"), name="contact_email_ci"),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.CheckConstraint(
                condition=models.Q(("has_opted_in", False), ("opted_in_at", None))
                | models.Q(("has_opted_in", True), ("opted_in_at__isnull", False)),
                name="contact_opt_in_has_a_date",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Acquaintance",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "from_contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="cultivation.contact",
                            ),
                        ),
                        (
                            "to_contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="cultivation.contact",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cultivation_contact_knows",
                        "unique_together": {("from_contact", "to_contact")},
                    },
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="knows",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="People this person knows: who could introduce whom.",
                        through="cultivation.Acquaintance",
                        to="cultivation.contact",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="acquaintance",
            name="how",
            field=models.CharField(
                blank=True,
                choices=[
                    ("colleague", "Colleague"),
                    ("client", "Client"),
                    ("friend", "Friend"),
                    ("alliance_partner", "Alliance partner"),
                    ("met_at", "Met at …"),
                    ("other", "Other"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="acquaintance",
            name="detail",
            field=models.CharField(
                blank=True, help_text='e.g. "met at the Law Society dinner".', max_length=200
            ),
        ),
        migrations.AddField(
            model_name="acquaintance",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="acquaintance",
            name="recorded_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddConstraint(
            model_name="acquaintance",
            constraint=models.CheckConstraint(
                condition=models.Q(("from_contact", models.F("to_contact")), _negated=True),
                name="acquaintance_not_oneself",
            ),
        ),
    ]
