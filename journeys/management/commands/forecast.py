import json

from django.core.management.base import BaseCommand

from journeys.engine.forecast import forecast
from journeys.management.commands._arguments import journey_by_slug
from journeys.selectors.journeys import journey_to_spec


class Command(BaseCommand):
    help = "Print a journey's forecast (expected volumes, shares, durations) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        spec = journey_to_spec(journey_by_slug(slug))
        self.stdout.write(json.dumps(forecast(spec).to_dict(), indent=2))
