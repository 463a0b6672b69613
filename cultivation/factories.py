"""factory-boy factories for the people side: accounts, organisations, people, touches,
follow-ups, promises and touch plans.

Run-time code: `seed_demo` builds the demo firm with these, and the tests import
them too (through tests/factories.py). The layer above keeps its own beside its models.
"""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from . import policy
from .models import Contact, FollowUp, Organisation, PlanItem, Promise, Touch, TouchPlan

PASSWORD = "convivio-demo"


class UserFactory(factory.django.DjangoModelFactory):
    """An account that signs in with PASSWORD; `group="…"` puts it in that group."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def group(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(Group.objects.get_or_create(name=extracted)[0])


class ManagerFactory(UserFactory):
    """A manager: the Managers group and the admin site."""

    is_staff = True

    @factory.post_generation
    def group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get_or_create(name=policy.MANAGERS)[0])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Faker("company")
    sector = factory.Faker(
        "random_element",
        elements=["Law", "Accounting", "Architecture", "Engineering", "Charity", "Retail"],
    )
    website = factory.LazyAttribute(
        lambda org: "https://" + "".join(ch for ch in org.name.lower() if ch.isalnum()) + ".example"
    )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Faker("name")
    organisation = factory.SubFactory(OrganisationFactory)
    role = factory.Faker("job")
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    phone = factory.Faker("phone_number", locale="en_GB")
    has_opted_in = factory.Faker("boolean", chance_of_getting_true=60)
    opted_in_at = factory.LazyAttribute(lambda c: timezone.now() if c.has_opted_in else None)
    opt_in_how = factory.LazyAttribute(
        lambda c: "signed up on the website" if c.has_opted_in else ""
    )
    how_we_know_them = factory.Faker("sentence", nb_words=8)
    what_makes_them_tick = factory.Faker("sentence", nb_words=10)
    owner = factory.SubFactory(UserFactory)


class TouchFactory(factory.django.DjangoModelFactory):
    """A touch already logged. Use `touch_log` to test the touch rules."""

    class Meta:
        model = Touch

    contact = factory.SubFactory(ContactFactory)
    method = "email"
    direction = "ours"
    by = factory.LazyAttribute(lambda touch: touch.contact.owner)


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    contact = factory.SubFactory(ContactFactory)
    owner = factory.LazyAttribute(lambda follow_up: follow_up.contact.owner)
    priority = "referral"
    met_at = factory.Faker("past_datetime", tzinfo=datetime.UTC)
    next_due_at = factory.LazyAttribute(lambda f: f.met_at + datetime.timedelta(days=7))


class PromiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promise

    contact = factory.SubFactory(ContactFactory)
    owner = factory.LazyAttribute(lambda promise: promise.contact.owner)
    what = factory.Faker("sentence", nb_words=6)
    due_on = factory.Faker("date_between", start_date="-10d", end_date="+20d")


class TouchPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TouchPlan

    contact = factory.SubFactory(ContactFactory)
    kind = "cultivating"
    started_at = factory.Faker("past_datetime", tzinfo=datetime.UTC)


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    plan = factory.SubFactory(TouchPlanFactory)
    method = "call"
    interval_days = 90
    next_due_on = factory.Faker("date_between", start_date="-5d", end_date="+60d")
