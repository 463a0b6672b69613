from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "cultivation"
    verbose_name = "Cultivation"
