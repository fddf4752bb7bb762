from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's set-up commands: a synthetic cohort, a model, scores and live alerts."""

    name = "demo"
    verbose_name = "Demo"
