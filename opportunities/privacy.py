"""What the board holds about a person, for the right of access and the right to erasure.

Registered with `cultivation.services.privacy` from `OpportunitiesConfig.ready()`,
because cultivation, the layer below, may not import this app.
"""

from django.apps import apps

from cultivation.services.privacy import ERASED_TEXT, scrub_texts

from .models import CardPromise, CardReferral, ConnectionIdea, OpportunityContact


def cards_export(contact):
    """The cards the person is on (and their role there), ideas to connect via them,
    which of the promises made to them were made about a card, and the cards referrals
    about them led to."""
    links = OpportunityContact.objects.filter(contact=contact).select_related("opportunity__owner")
    ideas = ConnectionIdea.objects.filter(via=contact).select_related("opportunity")
    promises = CardPromise.objects.filter(promise__contact=contact).select_related("opportunity")
    referrals = CardReferral.objects.filter(referral__person=contact).select_related("opportunity")
    return {
        "card_links": [
            {
                "card_id": link.opportunity_id,
                "card": link.opportunity.title,
                "stage": link.opportunity.stage,
                "card_owner": link.opportunity.owner.get_username(),
                "role": link.role,
                "is_primary": link.is_primary,
            }
            for link in links.order_by("pk")
        ],
        "connection_ideas_via_them": [
            {
                "card_id": idea.opportunity_id,
                "card": idea.opportunity.title,
                "kind": idea.kind,
                "description": idea.description,
                "status": idea.status,
                "created_at": idea.created_at.isoformat(),
            }
            for idea in ideas.order_by("pk")
        ],
        "promises_about_cards": [
            {
                "promise_id": link.promise_id,
                "card_id": link.opportunity_id,
                "card": link.opportunity.title,
            }
            for link in promises.order_by("pk")
        ],
        "referrals_to_cards": [
            {
                "referral_id": link.referral_id,
                "card_id": link.opportunity_id,
                "card": link.opportunity.title,
            }
            for link in referrals.order_by("pk")
        ],
    }


def cards_erase(*, contact, needles):
    """Keep the person's places on cards (counts stay); blank their role and ideas via them."""
    OpportunityContact.objects.filter(contact=contact).update(role="")
    ConnectionIdea.objects.filter(via=contact).update(description=ERASED_TEXT)
    scrub_texts(apps.get_app_config("opportunities").get_models(), needles)
