"""What the commands read from their arguments, each mistake one line naming the option at fault.

(A module whose name starts with an underscore is not a command.)
"""

from datetime import datetime

from django.core.management.base import CommandError

from journeys.models import Journey


def moment(text: str, option: str) -> datetime:
    """An ISO 8601 date-time with a timezone."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: '{text}' is not an ISO 8601 date-time (e.g. 2026-11-22T08:00:00Z)") from None
    if value.tzinfo is None:
        raise CommandError(f"{option}: '{text}' needs a timezone, e.g. a trailing Z for UTC")
    return value


def journey_by_slug(slug: str) -> Journey:
    try:
        return Journey.objects.get(slug=slug)
    except Journey.DoesNotExist:
        raise CommandError(f"no journey with slug '{slug}'") from None
