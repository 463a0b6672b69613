from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Opportunities"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .groups import sync_groups

        # Keeps the Managers group holding every CRM permission as models are added.
        post_migrate.connect(sync_groups, sender=self)
