from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Site-wide pieces: home and static pages, health, errors, task plumbing."""

    name = "config"
    verbose_name = "Aporta"
