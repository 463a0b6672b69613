"""factory-boy factories for the board: staff accounts, cards and the people on them.

Run-time code: `seed_demo` builds the demo firm with these, and the tests import
them too (through tests/factories.py). People, organisations and the rest of the
people side are in cultivation/factories.py.
"""

import factory
from django.contrib.auth.models import Group
from django.db.models import Max

from cultivation import factories as people

from .groups import STAFF
from .models import Opportunity, OpportunityContact, Priority, Source, Stage, StageChange
from .services import POSITION_GAP


class UserFactory(people.UserFactory):
    """A member of staff: the Staff group, or the group named by `group="…"`."""

    @factory.post_generation
    def group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get_or_create(name=extracted or STAFF)[0])


def _bottom_of_column(stage):
    highest = Opportunity.objects.filter(stage=stage).aggregate(high=Max("position"))["high"]
    return 0 if highest is None else highest + POSITION_GAP


class OpportunityFactory(factory.django.DjangoModelFactory):
    """A card already on the board. Use `opportunity_open` to test opening rules."""

    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    title = factory.Faker("catch_phrase")
    organisation = factory.SubFactory(people.OrganisationFactory)
    owner = factory.SubFactory(UserFactory)
    stage = Stage.RESEARCH
    priority = Priority.REFERRAL
    source = Source.RESEARCH
    pain = factory.Faker("sentence", nb_words=10)
    gain = factory.Faker("sentence", nb_words=10)
    lost_reason = factory.Maybe(
        factory.LazyAttribute(lambda card: card.stage == Stage.LOST),
        yes_declaration="Not now: budget frozen until next year.",
        no_declaration="",
    )
    position = factory.LazyAttribute(lambda card: _bottom_of_column(card.stage))

    @factory.post_generation
    def history(card, create, extracted, **kwargs):
        if create and extracted is not False:
            StageChange.objects.create(
                opportunity=card, by=card.owner, from_stage="", to_stage=card.stage
            )


class OpportunityContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpportunityContact

    opportunity = factory.SubFactory(OpportunityFactory)
    contact = factory.SubFactory(people.ContactFactory)
    is_primary = True
