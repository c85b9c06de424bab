from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from journeys.services.destinations import demo_destination_ensure
from journeys.services.imports import DEMO_PASSWORD, DEMO_USERNAME, demo_seed


class Command(BaseCommand):
    help = "Create the demo user and load the example journeys it does not have yet (safe to run again)."

    def handle(self, *args, **options) -> None:
        result = demo_seed()
        if result.user_created:
            self.stdout.write(f"Created the user {DEMO_USERNAME} (password {DEMO_PASSWORD}, admin).")
        else:
            self.stdout.write(f"The user {DEMO_USERNAME} already exists: left unchanged.")
        for filename, slug in result.imported:
            self.stdout.write(f"Loaded {filename} as {slug}.")
        for filename, slug in result.skipped:
            self.stdout.write(f"Skipped {filename}: already loaded as {slug}.")
        # A new user sees events without any tenant: the demo journeys deliver to NDJSON files.
        user = get_user_model().objects.get(username=DEMO_USERNAME)
        destination = demo_destination_ensure(user)
        self.stdout.write(f"Demo journeys deliver to '{destination.name}' (files under var/events/tenants/).")
