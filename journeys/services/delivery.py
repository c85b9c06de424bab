"""Delivering a journey's events to a destination: one run, with exact progress.

A run claims its journey-destination with a conditional UPDATE (so two runs of the same pair never
overlap, and a crashed run's claim lapses), then delivers every event between the pair's cursor and
``now`` through the destination's sink, batch by batch. After each batch the sink took, the cursor
moves in the database past exactly the events taken; a run that fails part-way therefore leaves the
cursor right after the last delivered event, and the next run sends nothing twice and loses nothing.
Events are delivered only once their timestamp has passed (timestamp <= now).

Events older than the destination accepts (Dynatrace drops those older than 24 hours) are counted
as expired in the run's record, never sent and never silently skipped.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import Enum

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from bizflow_studio.logs import log_context, log_context_update

from ..engine.compiled import compile_journey
from ..engine.encode import regroup
from ..engine.generator import to_epoch_ms
from ..models import Journey, JourneyDestination, Run
from ..sinks import sink_class
from ..sinks.base import DeliveryError, DeliveryReport, Sink
from .cursor import Cursor, cut, skip_delivered
from .quotas import (
    cap_reached_note,
    quota_release,
    quota_reserve,
    usage_day,
    volume_over_cap_reason,
)
from .sinks import destination_sink
from .snapshots import journey_spec_for_delivery
from .streams import delivery_stream

logger = logging.getLogger(__name__)

MS_PER_HOUR = 3_600_000
BACKFILL_HOURS = 24
# How old an event each kind takes when its sink does not say (Sink.max_event_age_ms) and the
# destination sets no max_event_age_hours: Dynatrace drops events older than 24 hours at ingest.
KIND_MAX_EVENT_AGE_HOURS = {"dynatrace": 24}
MAX_ERROR_TEXT = 2000
HEALTH_WRITE_SECONDS = 30  # a destination's last success is kept to within this
# The generator hands over one batch per 15-minute bucket; neighbouring small ones go to the sink
# together (one call, one progress write). Sinks cut their requests by bytes anyway.
JOIN_EVENTS = 16_384


@dataclass
class DeliveryOutcome:
    run: Run | None  # None when the pair no longer exists (deleted after the run was queued)
    more: bool = False  # stopped by its time budget with events still due: run again straight away


class LockLost(Exception):
    """Another run took the pair over (this run outlived its claim): stop without touching progress."""


def margin_ms() -> int:
    return settings.BIZFLOW_BACKFILL_MARGIN_MINUTES * 60_000


def backfill_origin_ms(now_ms: int) -> int:
    """Where a first activation's backfill starts: 24 hours back, less the safety margin."""
    return now_ms - BACKFILL_HOURS * MS_PER_HOUR + margin_ms()


def max_event_age_ms(destination, sink: type[Sink] | Sink | None = None) -> int | None:
    """How old an event the destination takes (None: any age); a configured value wins."""
    configured = (destination.config or {}).get("max_event_age_hours")
    if configured not in (None, ""):
        return int(float(configured) * MS_PER_HOUR)
    if sink is None:
        try:
            sink = sink_class(destination.kind)
        except KeyError:  # a kind whose package is not installed: only the table below can tell
            sink = None
    declared = getattr(sink, "max_event_age_ms", None)
    if declared is None and destination.kind in KIND_MAX_EVENT_AGE_HOURS:
        declared = KIND_MAX_EVENT_AGE_HOURS[destination.kind] * MS_PER_HOUR
    return None if declared is None else declared - margin_ms()


def accept_from_ms(destination, now_ms: int, sink: type[Sink] | Sink | None = None) -> int | None:
    """The oldest timestamp the destination takes at ``now_ms`` (None: no limit)."""
    age = max_event_age_ms(destination, sink)
    return None if age is None else now_ms - age


def pair_start(*, pair: JourneyDestination, now: datetime) -> JourneyDestination:
    """Give a pair that never ran its backfill origin and cursor (no-op once it has a cursor).

    The backfill reaches 24 hours back less the margin, or less far when the destination keeps events
    for a shorter time; journeys that would have started earlier are never generated, so no flow
    begins half-way.
    """
    if pair.cursor_ms is not None:
        return pair
    now_ms = to_epoch_ms(now)
    origin = backfill_origin_ms(now_ms)
    accept_from = accept_from_ms(pair.destination, now_ms)
    if accept_from is not None:
        origin = max(origin, accept_from)
    fields = {"origin_ms": origin, "cursor_ms": origin, "cursor_skip": 0, "backfill_until_ms": now_ms}
    JourneyDestination.objects.filter(pk=pair.pk, cursor_ms__isnull=True).update(**fields)
    pair.refresh_from_db()
    return pair


class Claim(Enum):
    FREE = "free"  # the last run released the pair: it finished
    LAPSED = "lapsed"  # the last run's claim ran out: it may have died without closing its run


def _claim(pair_id: int, token: str) -> Claim | None:
    """Take the pair for this run; None when another run holds it (or the pair is gone)."""
    now = timezone.now()
    until = now + timedelta(seconds=settings.BIZFLOW_RUN_LOCK_SECONDS)
    pair = JourneyDestination.objects.filter(pk=pair_id)
    if pair.filter(locked_until__isnull=True).update(locked_until=until, lock_token=token) == 1:
        return Claim.FREE
    if pair.filter(locked_until__lt=now).update(locked_until=until, lock_token=token) == 1:
        return Claim.LAPSED
    return None


def _release(pair_id: int, token: str) -> None:
    JourneyDestination.objects.filter(pk=pair_id, lock_token=token).update(locked_until=None, lock_token="")


def _why_not_deliverable(pair: JourneyDestination) -> str:
    if pair.journey.state != Journey.State.ACTIVE:
        return f"the journey is {pair.journey.get_state_display().lower()}"
    if not pair.active:
        return "delivery to this destination is switched off"
    if pair.destination.is_stopped:
        return f"the destination is stopped: {pair.destination.stopped_reason}"
    return volume_over_cap_reason(tenant=pair.journey.tenant, journeys_per_day=pair.journey.journeys_per_day)


def _ms_to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _skipped_run(pair_id: int, kind: str, reason: str) -> Run:
    now = timezone.now()
    return Run.objects.create(
        journey_destination_id=pair_id,
        kind=kind,
        outcome=Run.Outcome.SKIPPED,
        error=reason,
        started_at=now,
        finished_at=now,
    )


def delivery_run(
    *, journey_destination_id: int, now: datetime, kind: str = Run.Kind.SCHEDULED, budget_seconds: float | None = None
) -> DeliveryOutcome:
    """Deliver what is due for one journey-destination at ``now``; write one Run row.

    ``budget_seconds`` bounds the run (a long backfill hands over to a next run: ``more`` is True).
    """
    with log_context(journey_destination=journey_destination_id):
        return _delivery_run(journey_destination_id, now=now, kind=kind, budget_seconds=budget_seconds)


def _delivery_run(journey_destination_id: int, *, now: datetime, kind: str, budget_seconds: float | None):
    token = uuid.uuid4().hex
    claim = _claim(journey_destination_id, token)
    if claim is None:
        if not JourneyDestination.objects.filter(pk=journey_destination_id).exists():
            return DeliveryOutcome(None)
        reason = "another run of this journey and destination was in progress"
        return DeliveryOutcome(_skipped_run(journey_destination_id, kind, reason))
    job = None
    try:
        pair = JourneyDestination.objects.select_related("journey__tenant", "destination__tenant").get(
            pk=journey_destination_id
        )
        log_context_update(journey=pair.journey.slug, destination=pair.destination_id)
        reason = _why_not_deliverable(pair)
        if reason:
            return DeliveryOutcome(_skipped_run(pair.pk, kind, reason))
        pair = pair_start(pair=pair, now=now)
        if pair.cursor_ms < pair.backfill_until_ms:
            kind = Run.Kind.BACKFILL
        run = Run.objects.create(
            journey_destination=pair, kind=kind, window_start=_ms_to_datetime(pair.cursor_ms), started_at=timezone.now()
        )
        log_context_update(run=run.pk)
        if claim is Claim.LAPSED:  # a run that released the pair closed its run row first
            _record_interrupted(pair=pair, current=run)
        job = _Job(pair=pair, run=run, token=token, now=now, budget_seconds=budget_seconds)
        return job.execute()
    finally:
        if job is None or not job.released:
            _release(journey_destination_id, token)


INTERRUPTED = "interrupted: the run stopped before it finished"
TAKEN_OVER = "another run took over this journey and destination; this one stopped"
END_FIELDS = ["events_generated", "maybe_duplicated", "finished_at", "duration_ms", "outcome", "error"]


@dataclass(frozen=True)
class _Progress:
    """Where a run's cursor moves to, and what the events it moved past count for."""

    cursor: Cursor
    delivered: int = 0
    rejected: int = 0
    expired: int = 0
    nbytes: int = 0

    @property
    def counted(self) -> bool:
        return bool(self.delivered or self.rejected or self.expired)


def _close(sink: Sink) -> None:
    """Drop the sink's connections; a failure there loses nothing the destination took."""
    try:
        sink.close()
    except Exception:  # noqa: BLE001 - every batch it took was confirmed by deliver()
        logger.warning("closing the destination's connections failed", exc_info=True)


def _record_interrupted(*, pair: JourneyDestination, current: Run) -> None:
    """Close the runs still marked running for ``pair``: they died without finishing (we hold the claim).

    Their counts are what they saved with each batch, so they keep them, and the outcome follows the
    rule of a run that stopped on an error: partial when it delivered something, failed otherwise.
    """
    dead = Run.objects.filter(journey_destination=pair, outcome=Run.Outcome.RUNNING).exclude(pk=current.pk)
    outcome = Case(When(delivered__gt=0, then=Value(Run.Outcome.PARTIAL)), default=Value(Run.Outcome.FAILED))
    dead.update(outcome=outcome, error=INTERRUPTED, finished_at=timezone.now())


def _with_last[T](items: Iterable[T]) -> Iterator[tuple[T, bool]]:
    """Each item with whether it is the last one (found by reading one item ahead)."""
    iterator = iter(items)
    try:
        current = next(iterator)
    except StopIteration:
        return
    for following in iterator:
        yield current, False
        current = following
    yield current, True


def delivery_catch_up(*, journey_destination_id: int, now: datetime, kind: str = Run.Kind.SCHEDULED) -> list[Run]:
    """Run until nothing is due at ``now`` (in the foreground: the tick command, tests, benchmarks)."""
    runs = []
    while True:
        outcome = delivery_run(
            journey_destination_id=journey_destination_id,
            now=now,
            kind=kind,
            budget_seconds=settings.BIZFLOW_RUN_BUDGET_SECONDS,
        )
        if outcome.run is not None:
            runs.append(outcome.run)
        if not outcome.more:
            return runs


class _Job:
    """One run's work: generate, deliver batch by batch, move the cursor, and keep the Run row up to date."""

    def __init__(self, *, pair: JourneyDestination, run: Run, token: str, now: datetime, budget_seconds: float | None):
        self.pair, self.run, self.token = pair, run, token
        self.journey, self.destination = pair.journey, pair.destination
        self.now = now
        self.end_ms = to_epoch_ms(now) + 1  # generation ends before end_ms: timestamp <= now
        self.started = time.monotonic()
        self.deadline = None if budget_seconds is None else self.started + budget_seconds
        self.cursor = Cursor(pair.cursor_ms, pair.cursor_skip)
        self.notes: list[str] = []
        self.error: DeliveryError | None = None
        self.more = False
        self.capped = False  # stopped at the tenant's events-per-day cap
        self.sink: Sink | None = None
        self.held: _Progress | None = None  # the run's last progress: written with its end (_finish)
        self.released = False  # the end's write also gave the pair back

    def out_of_time(self) -> bool:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.more = True
        return self.more

    def execute(self) -> DeliveryOutcome:
        try:
            # Reading the snapshot checks the journey against the current ceilings.
            journey = compile_journey(journey_spec_for_delivery(self.journey), validated=True)
        except Exception as exc:
            self._record_unexpected(exc)
            raise
        try:
            # The journey's events, or its decision events.
            self.stream = delivery_stream(pair=self.pair, journey=journey)
            config = self.stream.sink_config(self.destination.config, self.destination.kind)
            sink = destination_sink(destination=self.destination, config=config)
            sink.set_run_time(self.now)
            sink.remember_read_timeout(self.destination.slow_read_timeout)
            self.sink = sink
        except Exception as exc:  # noqa: BLE001 - an unknown kind or bad settings: the destination cannot work as set
            self.error = DeliveryError(f"cannot set up the destination: {exc}", permanent=True)
            return self._finish()
        try:
            accept_from = accept_from_ms(self.destination, self.end_ms - 1, sink)
            if accept_from is not None and self.cursor.ms < accept_from:
                self._expire(min(accept_from, self.end_ms))
            if not self.more:
                self._deliver(sink)
        except LockLost:
            self.error = DeliveryError(TAKEN_OVER)
            return self._finish(lock_lost=True)
        except DeliveryError as exc:  # raised by the sink outside deliver(), e.g. while connecting
            self.error = exc
        except Exception as exc:
            self._record_unexpected(exc)
            raise
        finally:
            _close(sink)
        return self._finish()

    def _record_unexpected(self, exc: Exception) -> None:
        logger.exception("run %s of journey %s failed unexpectedly", self.run.pk, self.journey.slug)
        self.error = DeliveryError(f"internal error: {type(exc).__name__}: {exc}")
        self._finish()

    def _expire(self, until_ms: int) -> None:
        """Count the events in [cursor, until_ms) as expired and move the cursor past them."""
        parts = self.stream.columns(self.cursor.ms, until_ms, self.pair.origin_ms)
        for columns in skip_delivered(self.cursor, parts):
            self._commit(_Progress(self.cursor.after(columns.ts_ms), expired=len(columns)))
            if self.out_of_time():
                return
        self._commit(_Progress(self.cursor.at_least(until_ms)))

    def _deliver(self, sink: Sink) -> None:
        tenant = self.journey.tenant
        cap, day = tenant.events_per_day_cap, usage_day(self.now)  # a cap reached: the first batch gets 0
        generated = self.stream.batches(self.cursor.ms, self.end_ms, self.pair.origin_ms)
        batches = regroup(skip_delivered(self.cursor, generated), sink.preferred_batch_events or JOIN_EVENTS)
        for batch, last in _with_last(batches):
            granted = len(batch)
            if cap is not None:
                granted = quota_reserve(tenant_id=tenant.pk, day=day, wanted=len(batch), cap=cap)
                if granted < len(batch):
                    batch = cut(batch, 0, granted)
                    self._stop_at_cap(cap)
            self.run.events_generated += len(batch)
            if len(batch):
                # The last batch's progress takes the cursor to the end of the run, and is written
                # with the run's end: one write, not three.
                taken = self._send(sink, batch, done=last and not self.capped)
                if cap is not None:
                    quota_release(tenant_id=tenant.pk, day=day, unused=granted - taken)
                if self.error is not None:
                    return
            if self.capped or self.out_of_time():
                return
        if self.held is None:
            self.held = _Progress(self.cursor.at_least(self.end_ms))

    def _stop_at_cap(self, cap: int) -> None:
        self.capped = True
        self.notes.append(cap_reached_note(cap))

    def _send(self, sink: Sink, batch, *, done: bool = False) -> int:
        """Deliver one batch and save the progress it made; returns how many events the sink took.

        A failure is kept in ``self.error``: the run stops there. ``done``: no events follow this batch
        before the end of the run, so its success moves the cursor to the end, in the run's last write.
        """
        try:
            report = sink.deliver(batch, journey_slug=self.journey.slug)
        except DeliveryError as exc:
            self.run.maybe_duplicated += sink.take_maybe_duplicated()
            taken = max(0, min(exc.delivered, len(batch)))
            if taken:
                part = cut(batch, 0, taken)
                self._commit(_Progress(self.cursor.after(part.ts_ms), delivered=taken, nbytes=part.nbytes))
            self.error = exc
            return taken
        self.run.maybe_duplicated += sink.take_maybe_duplicated()
        self._commit_report(batch, report, done=done)
        return len(batch)

    def _commit_report(self, batch, report: DeliveryReport, *, done: bool) -> None:
        # A report covers the whole batch: what was not taken was refused as invalid, and is not resent.
        rejected = max(0, min(report.rejected, len(batch)))
        delivered = len(batch) - rejected
        self.notes.extend(report.notes)
        progress = _Progress(
            self.cursor.after(batch.ts_ms),
            delivered=delivered,
            rejected=rejected,
            nbytes=report.bytes_sent or batch.nbytes,
        )
        if done:
            self.held = replace(progress, cursor=progress.cursor.at_least(self.end_ms))
        else:
            self._commit(progress)

    def _commit(self, progress: _Progress) -> None:
        """Save the new cursor (only while this run still holds the pair) and the run's counts, together.

        The run's counts are kept here as well as in its row: only the run that holds the pair writes them.
        """
        if progress.cursor == self.cursor and not progress.counted:
            return  # nothing moved
        counts = self._counts_with(progress)
        locked_until = timezone.now() + timedelta(seconds=settings.BIZFLOW_RUN_LOCK_SECONDS)
        with transaction.atomic():
            self._save_cursor(progress.cursor, locked_until=locked_until, lock_token=self.token)
            Run.objects.filter(pk=self.run.pk).update(
                events_generated=self.run.events_generated, maybe_duplicated=self.run.maybe_duplicated, **counts
            )
        self._moved(progress.cursor, counts)

    def _counts_with(self, progress: _Progress) -> dict:
        run = self.run
        return {
            "delivered": run.delivered + progress.delivered,
            "rejected": run.rejected + progress.rejected,
            "expired": run.expired + progress.expired,
            "bytes": run.bytes + progress.nbytes,
            "window_end": _ms_to_datetime(progress.cursor.ms),
        }

    def _save_cursor(self, cursor: Cursor, **pair_fields) -> None:
        moved = JourneyDestination.objects.filter(pk=self.pair.pk, lock_token=self.token).update(
            cursor_ms=cursor.ms, cursor_skip=cursor.skip, **pair_fields
        )
        if not moved:
            raise LockLost()

    def _moved(self, cursor: Cursor, counts: dict) -> None:
        for name, value in counts.items():
            setattr(self.run, name, value)
        self.cursor = cursor
        self.pair.cursor_ms, self.pair.cursor_skip = cursor.ms, cursor.skip

    def _finish(self, *, lock_lost: bool = False) -> DeliveryOutcome:
        """Close the run's row (and save the progress held for it, giving the pair back in the same write)."""
        run = self.run  # its counts are those saved with each batch; events_generated includes a last batch
        held, self.held = self.held, None
        if held is not None and not lock_lost:
            try:
                self._end_with(held)
            except LockLost:
                lock_lost, self.error = True, DeliveryError(TAKEN_OVER)
        if not self.released:
            self._close_fields()
            run.save(update_fields=END_FIELDS)
        if not lock_lost:
            self._record_health(self.error)
        logger.info(
            "run %s %s -> %s: %s, %s delivered, %s rejected, %s expired",
            run.pk,
            self.journey.slug,
            self.destination.pk,
            run.outcome,
            run.delivered,
            run.rejected,
            run.expired,
        )
        return DeliveryOutcome(run, more=self.more and self.error is None)

    def _end_with(self, held: _Progress) -> None:
        """One transaction: the held progress, the pair given back, and the run's row closed with its counts."""
        counts = self._counts_with(held)
        before = {name: getattr(self.run, name) for name in counts}
        for name, value in counts.items():  # the outcome reads them
            setattr(self.run, name, value)
        self._close_fields()
        try:
            with transaction.atomic():
                self._save_cursor(held.cursor, locked_until=None, lock_token="", retry_not_before=None)
                Run.objects.filter(pk=self.run.pk).update(**counts, **{f: getattr(self.run, f) for f in END_FIELDS})
        except LockLost:
            for name, value in before.items():
                setattr(self.run, name, value)
            raise
        self.released = True
        self.pair.retry_not_before = None
        self._moved(held.cursor, counts)

    def _close_fields(self) -> None:
        """The run's outcome, notes, end time and duration, on the row object (not saved)."""
        run, error = self.run, self.error
        run.finished_at = timezone.now()
        run.duration_ms = int((time.monotonic() - self.started) * 1000)
        notes = list(dict.fromkeys(self.notes))
        if error is not None:
            run.outcome = Run.Outcome.PARTIAL if run.delivered else Run.Outcome.FAILED
            notes.insert(0, error.message)
        elif self.capped and not (run.delivered or run.rejected):
            run.outcome = Run.Outcome.SKIPPED  # the day's cap was used up before this run
        elif run.rejected or self.capped:
            run.outcome = Run.Outcome.PARTIAL
        else:
            run.outcome = Run.Outcome.SUCCESS
        run.error = "\n".join(notes)[:MAX_ERROR_TEXT]

    def _record_health(self, error: DeliveryError | None) -> None:
        now = timezone.now()
        destination = type(self.destination).objects.filter(pk=self.destination.pk)
        if self.sink is not None:
            earned = self.sink.earned_read_timeout()
            if earned != self.destination.slow_read_timeout:
                destination.update(slow_read_timeout=earned)
        pair = JourneyDestination.objects.filter(pk=self.pair.pk, lock_token=self.token)
        if error is None:
            # Many pairs share a destination: its row is written at most every HEALTH_WRITE_SECONDS,
            # not by every run, so that workers do not queue for its lock.
            stale = now - timedelta(seconds=HEALTH_WRITE_SECONDS)
            if _success_outdated(self.destination, stale):  # as read at the start of the run: saves a query
                outdated = (
                    Q(last_success_at__isnull=True)
                    | Q(last_success_at__lt=stale)
                    | Q(last_error_at__gte=F("last_success_at"))  # an error since: say at once that it works again
                )
                destination.filter(outdated).update(last_success_at=now)
            if self.pair.retry_not_before is not None and not self.released:
                pair.update(retry_not_before=None)
            return
        message = error.message[:MAX_ERROR_TEXT]
        destination.update(last_error_at=now, last_error=message)
        if error.permanent:
            destination.update(stopped_reason=message, stopped_at=now)
        elif error.retry_after:
            pair.update(retry_not_before=self.now + timedelta(seconds=float(error.retry_after)))


def _success_outdated(destination, stale: datetime) -> bool:
    """Whether the destination's last success, as loaded, is older than ``stale`` or older than its last error."""
    success, error = destination.last_success_at, destination.last_error_at
    return success is None or success < stale or (error is not None and error >= success)
