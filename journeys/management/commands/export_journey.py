from django.core.management.base import BaseCommand, CommandError

from journeys.models import Journey
from journeys.selectors.journeys import journey_get_by_slug
from journeys.services.imports import journey_export_json


class Command(BaseCommand):
    help = "Print a journey as a BizFlow Studio JSON document (import_journey reads it back)."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug: str, **options) -> None:
        try:
            journey = journey_get_by_slug(slug)
        except Journey.DoesNotExist as exc:
            raise CommandError(f"no journey with the slug '{slug}'") from exc
        self.stdout.write(journey_export_json(journey), ending="")
