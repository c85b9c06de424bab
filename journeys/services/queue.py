"""The one place that hands work to Celery.

The task module imports the services (a task only calls one); services and views that need to start
work in the background call these functions instead, which import the task module lazily, so that
no import circle runs between ``tasks`` and ``services``. Each enqueues after the current
transaction commits (``delay_on_commit``), so a worker never looks for a row that is not there yet.
"""

from __future__ import annotations


def _tasks():
    from .. import tasks  # imported here: the task module imports the services that call us

    return tasks


def enqueue_delivery(*, journey_destination_id: int) -> None:
    """A delivery run for one journey-destination, once the transaction commits."""
    _tasks().deliver_journey_destination.delay_on_commit(journey_destination_id)


def enqueue_deliveries(*, journey_destination_ids: list[int], now: str | None = None, queue: str | None = None) -> int:
    """Queue the runs of a scheduler pass, in shares of BIZFLOW_PASS_SHARE_PAIRS pairs, through one connection.

    A share is one task (``deliver_journey_destinations``): its worker runs its pairs one after the
    other. Queueing a task costs the pass about a millisecond of CPU, so a task per pair would cost
    seconds at thousands of journeys; shares keep the pass to one query and a few hundred messages,
    while the work still spreads over every worker. A share that waited a whole tick in the queue is
    dropped (``expires``): the next pass queues its pairs again. ``now`` (ISO 8601) makes every run
    deliver up to that moment rather than its worker's clock (replays); ``queue`` sends the shares to
    another queue than the default (benchmarks). Returns how many pairs were queued.
    """
    from django.conf import settings

    task = _tasks().deliver_journey_destinations
    size = max(1, settings.BIZFLOW_PASS_SHARE_PAIRS)
    options = {"expires": settings.BIZFLOW_TICK_SECONDS, **({"queue": queue} if queue else {})}
    kwargs = {"now": now} if now else {}
    # The messages are buffered and written to Redis in pipelines rather than one round trip each.
    with task.app.producer_or_acquire() as producer, producer.batch(max_size=1000):
        for first in range(0, len(journey_destination_ids), size):
            share = list(journey_destination_ids[first : first + size])
            task.apply_async((share,), kwargs, producer=producer, **options)
    return len(journey_destination_ids)


def enqueue_probe(*, journey_destination_id: int, then_deliver: bool = False) -> None:
    """Ask a Dynatrace tenant what it holds from the journey; ``then_deliver`` starts the first run after."""
    _tasks().probe_tenant.delay_on_commit(journey_destination_id, then_deliver=then_deliver)


def enqueue_send_now(*, journey_id: int) -> None:
    """Deliver everything that is due for the journey now, rather than at the next tick."""
    _tasks().send_journey_now.delay_on_commit(journey_id)


def enqueue_asset_push(*, journey_id: int, destination_id: int, user_id: int | None) -> None:
    """Push the journey's Business Flow and dashboard to the destination's tenant."""
    _tasks().push_journey_assets.delay_on_commit(journey_id, destination_id, user_id)
