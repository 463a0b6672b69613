from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Opportunities"

    def ready(self):
        from django.db.models.signals import post_migrate

        from cultivation.services import privacy

        from .groups import sync_groups
        from .privacy import cards_erase, cards_export

        # Keeps the Managers group holding every CRM permission as models are added.
        post_migrate.connect(sync_groups, sender=self)
        # What cards hold about a person is exported and erased with the rest of it.
        privacy.register_exporter("cards", cards_export)
        privacy.register_eraser("cards", cards_erase)
