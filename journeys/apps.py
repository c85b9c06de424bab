from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "journeys"
    verbose_name = "Journeys"

    def ready(self) -> None:
        from .engine.limits import set_limits_provider
        from .limits import journey_limits

        set_limits_provider(journey_limits)
