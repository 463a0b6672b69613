"""What cultivation, the layer below, needs to know about cards, provided to it.

Registered with `cultivation.seams` from `OpportunitiesConfig.ready()`: cultivation
asks for these by seam, never by this app's names.
"""

from cultivation.seams import PromiseSubject

from .models import CardPromise, Opportunity, OpportunityContact


def cards_of(contact):
    """The cards a person is on, the most recently added first."""
    links = OpportunityContact.objects.filter(contact=contact).select_related("opportunity")
    return [link.opportunity for link in links.order_by("-pk")]


def people_on_cards(*, stage):
    """(primary person, card priority) for each card in `stage`, once per person."""
    links = (
        OpportunityContact.objects.filter(is_primary=True, opportunity__stage=stage)
        .select_related("contact__owner", "opportunity")
        .order_by("contact_id", "pk")
    )
    people = {}
    for link in links:
        people.setdefault(link.contact_id, (link.contact, link.opportunity.priority))
    return list(people.values())


def _card(pk):
    return Opportunity.objects.filter(pk=pk).first()


def _link(*, promise, subject):
    CardPromise.objects.create(opportunity=subject, promise=promise)


# A promise made from a card's page: /promises/new/?contact=<id>&opportunity=<card id>.
PROMISE_ABOUT_A_CARD = PromiseSubject(
    param="opportunity", field="opportunity_id", label="card", find=_card, link=_link
)
