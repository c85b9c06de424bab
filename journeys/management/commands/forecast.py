import json

from django.core.management.base import BaseCommand, CommandError

from journeys.engine.forecast import forecast
from journeys.models import Journey
from journeys.selectors.journeys import journey_to_spec


class Command(BaseCommand):
    help = "Print a journey's forecast (expected volumes, shares, durations) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        try:
            spec = journey_to_spec(Journey.objects.get(slug=slug))
        except Journey.DoesNotExist:
            raise CommandError(f"no journey with slug '{slug}'") from None
        self.stdout.write(json.dumps(forecast(spec).to_dict(), indent=2))
