from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Opportunities"

    def ready(self):
        from django.db.models.signals import post_migrate

        from cultivation import seams as cultivation_seams
        from cultivation.services import privacy

        from . import seams
        from .groups import sync_groups
        from .privacy import cards_erase, cards_export

        # Keeps the Managers group holding every CRM permission as models are added.
        post_migrate.connect(sync_groups, sender=self)
        # What cards hold about a person is exported and erased with the rest of it.
        privacy.register_exporter("cards", cards_export)
        privacy.register_eraser("cards", cards_erase)
        # The card facts cultivation's pages and demo need, and promises made about a card.
        cultivation_seams.provide_cards_of(seams.cards_of)
        cultivation_seams.provide_people_on_cards(seams.people_on_cards)
        cultivation_seams.provide_promise_subject(seams.PROMISE_ABOUT_A_CARD)
        cultivation_seams.provide_referral_card(seams.REFERRAL_LED_TO_A_CARD)
        cultivation_seams.provide_research_card(seams.research_card)
        # An organisation's page lists its cards; "asked us to stop" may close a person's.
        cultivation_seams.provide_cards_at(seams.cards_at)
        cultivation_seams.provide_open_cards_of(seams.open_cards_of)
        cultivation_seams.provide_lose_card(seams.lose_card)
        # Merging two records of a person: their places on cards and ideas follow.
        cultivation_seams.provide_merge_rule(seams.CARD_LINKS_MERGE)
        cultivation_seams.provide_merge_rule(seams.IDEAS_VIA_MERGE)
