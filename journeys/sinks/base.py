"""The sink contract: what every destination implements.

A sink delivers one :class:`~journeys.engine.encode.EncodedBatch` at a time. It either returns a
:class:`DeliveryReport` (the whole batch was taken) or raises :class:`DeliveryError`:

- ``permanent=True``: retrying cannot help (bad credentials, a missing topic); the destination is
  stopped with this message until a user fixes it;
- ``permanent=False``: try again later (the receiver is down, slow or throttling); ``retry_after``
  says when, if the receiver said so.

``delivered`` on the error tells how many leading events of the batch were taken before the failure,
so progress can advance exactly that far and nothing is sent twice. Sinks keep no progress of their
own; the delivery service owns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..engine.encode import EncodedBatch


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None, delivered: int = 0):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.delivered = delivered


@dataclass
class DeliveryReport:
    delivered: int  # events the destination took
    rejected: int = 0  # events it refused as invalid (Dynatrace's partial 400): counted, never resent
    requests: int = 0
    bytes_sent: int = 0
    notes: list[str] = field(default_factory=list)  # e.g. the receiver's error text for rejected events


# The config key under which a sink that writes files gets its tenant's folder (a slug), from the
# service that builds it (services/sinks.py); never a stored setting.
TENANT_FOLDER = "tenant_folder"


class Sink:
    """Base class. ``config`` is the destination's plain settings, ``secrets`` its decrypted secrets."""

    kind = ""
    # How many events one deliver() call should carry: None joins the generator's neighbouring small
    # batches up to 16,384 events; a destination that waits for acknowledgements once per call asks
    # for more.
    preferred_batch_events: int | None = None
    # How old an event the destination still takes, in milliseconds (None: any age). Dynatrace drops
    # events older than 24 hours; the delivery service counts older ones as expired instead of sending.
    max_event_age_ms: int | None = None
    # Whether the sink writes on the server's disk and so needs its tenant's folder (TENANT_FOLDER).
    needs_tenant_folder = False

    def __init__(self, config: dict, secrets: dict | None = None):
        self.config = config
        self.secrets = secrets or {}

    def deliver(self, batch: EncodedBatch, *, journey_slug: str) -> DeliveryReport:
        raise NotImplementedError

    def set_run_time(self, now: datetime) -> None:
        """The moment the run delivers "now" for (the wall clock, except when a run replays a moment).

        A sink that checks events against the present (Dynatrace's 24-hour window) uses this rather
        than its own clock, so that it agrees with the delivery service about what is due.
        """

    # An HTTP sink's HttpClient (sinks/http.py); the three methods below then speak for it.
    http = None

    def take_maybe_duplicated(self) -> int:
        """Events sent since the last call in requests that got no answer in time: each is sent again
        (in this run or the next), so the destination may hold it twice. The run's record counts them."""
        return self.http.take_unanswered_events() if self.http is not None else 0

    def earned_read_timeout(self) -> float | None:
        """A longer read timeout the destination's slow answers earned (remembered until it is quick again)."""
        return self.http.earned_read_timeout() if self.http is not None else None

    def remember_read_timeout(self, seconds: float | None) -> None:
        """Start from the read timeout remembered for the destination."""
        if self.http is not None:
            self.http.remember_read_timeout(seconds)

    def check(self) -> str:
        """Try the connection; return a readable outcome or raise DeliveryError saying what is wrong."""
        return "ok"

    def close(self) -> None:
        """Release connections; called once the run is over."""
