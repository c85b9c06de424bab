"""Before a first backfill to Dynatrace, ask the tenant whether the journey's provider already has events.

The reference generator backfills only a provider the tenant has never seen. Here the backfill goes
ahead either way, but the delivery panel says what the tenant holds, so a demo does not end up with
two days' worth of events where one was expected (or the user knows why it did). The answer is kept
on the journey-destination; asking takes a few seconds at most and runs in a worker.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from ..models import JourneyDestination
from ..sinks.base import DeliveryError
from ..sinks.dynatrace.client import DynatraceClient
from ..sinks.http import HttpClient, HttpPolicy
from .tenant_probe import QUERY_SCOPE, ProbeFailed, provider_event_count

# A DQL query over business events needs both (Grail's permission model):
# https://docs.dynatrace.com/docs/platform/grail/organize-data/assign-permissions-in-grail
PROBE_OAUTH_SCOPES = (QUERY_SCOPE, "storage:buckets:read")

# A courtesy, not a gate: one attempt with short timeouts, so the backfill behind it waits little.
PROBE_MAX_WAIT_SECONDS = 15.0
PROBE_HTTP_POLICY = HttpPolicy(connect_timeout=3.0, read_timeout=10.0, max_attempts=1, backoff=0, budget=0)


def probe_wanted(pair: JourneyDestination) -> bool:
    """A Dynatrace destination this journey has not delivered anything to yet (its backfill is ahead)."""
    return (
        pair.destination.kind == "dynatrace"
        and pair.active
        and pair.cursor_ms is not None
        and pair.cursor_ms == pair.origin_ms
        and pair.cursor_skip == 0
    )


def destination_probe_request(*, journey_destination: JourneyDestination, now: datetime | None = None) -> None:
    """Note that the tenant is being asked (the panel says so and refreshes until the answer is in)."""
    now = now or timezone.now()
    JourneyDestination.objects.filter(pk=journey_destination.pk).update(probe_requested_at=now)
    journey_destination.probe_requested_at = now


def destination_probe(
    *, journey_destination_id: int, client: DynatraceClient | None = None
) -> JourneyDestination | None:
    """Ask the destination's tenant how many events the journey's provider sent it in the last 24 hours.

    The count, or why the tenant could not be asked, is stored on the pair; None when the pair is gone.
    ``client`` defaults to one built from the destination's settings, asking for the query scope.
    """
    pair = JourneyDestination.objects.select_related("journey", "destination").filter(pk=journey_destination_id).first()
    if pair is None:
        return None
    count, error = None, ""
    own_client = client is None
    try:
        if own_client:
            destination = pair.destination
            client = DynatraceClient.from_destination(
                destination.config,
                dict(destination.secrets or {}),
                scopes=PROBE_OAUTH_SCOPES,
                http=HttpClient(PROBE_HTTP_POLICY),
            )
        count = provider_event_count(client, pair.journey.event_provider, max_wait=PROBE_MAX_WAIT_SECONDS)
    except ProbeFailed as exc:
        error = str(exc)
    except DeliveryError as exc:  # the client could not be built: no usable URL, unknown auth type
        error = exc.message
    finally:
        if own_client and client is not None:
            client.close()
    fields = {"probed_at": timezone.now(), "probe_events": count, "probe_error": error}
    JourneyDestination.objects.filter(pk=pair.pk).update(**fields)
    for name, value in fields.items():
        setattr(pair, name, value)
    return pair
