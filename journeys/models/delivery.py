"""Where a journey's events go, how far each journey has got there, and what every run did."""

from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from ..crypto import EncryptedJSONField
from ..sinks import KINDS


class Destination(models.Model):
    """A place events are delivered to: a file directory, a Dynatrace tenant, a webhook, a Kafka topic."""

    tenant = models.ForeignKey("journeys.Tenant", on_delete=models.CASCADE, related_name="destinations")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="destinations", help_text="Who created it."
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=list(KINDS.items()))
    config = models.JSONField(default=dict, blank=True, help_text="Plain settings of the kind (URL, directory...).")
    secrets = EncryptedJSONField(help_text="Tokens and passwords, encrypted at rest; never shown again.")
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Set when the destination refused in a way retrying cannot fix (bad token, missing topic): no run
    # is scheduled for it until a user edits it.
    stopped_reason = models.TextField(blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # A read timeout (seconds) longer than the configured one, earned by answering slowly; kept until it
    # answers quickly again (sinks/http.py). None: the configured one.
    slow_read_timeout = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def __repr__(self) -> str:
        return f"<Destination {self.pk}: {self.kind} {self.name!r}>"

    @property
    def is_stopped(self) -> bool:
        return bool(self.stopped_reason)


class JourneyDestination(models.Model):
    """One journey delivering to one destination, with its exact progress.

    Progress is a cursor into the journey's event stream, which is ordered by timestamp and, among
    equal timestamps, by the generator's fixed order: every event with a timestamp before
    ``cursor_ms`` has been delivered, and so have the first ``cursor_skip`` events whose timestamp is
    exactly ``cursor_ms``. A batch cut anywhere, even among equal timestamps, is resumed exactly.
    """

    journey = models.ForeignKey("journeys.Journey", on_delete=models.CASCADE, related_name="deliveries")
    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="deliveries")
    active = models.BooleanField(default=True)
    cursor_ms = models.BigIntegerField(null=True, blank=True, help_text="Epoch ms; None until the first activation.")
    cursor_skip = models.PositiveIntegerField(default=0)
    # The first activation's backfill: journeys starting before origin_ms are never generated, and
    # backfill_until_ms is the moment of activation (where the backfill ends and live runs begin).
    origin_ms = models.BigIntegerField(null=True, blank=True)
    backfill_until_ms = models.BigIntegerField(null=True, blank=True)
    # A temporary failure that said when to come back (HTTP 429 Retry-After) holds runs off until then.
    retry_not_before = models.DateTimeField(null=True, blank=True)
    # A run holds the pair until locked_until (renewed after every batch); lock_token says which run.
    locked_until = models.DateTimeField(null=True, blank=True)
    lock_token = models.CharField(max_length=32, blank=True)
    # Before a first backfill to Dynatrace, the tenant is asked whether the journey's provider already
    # has events there (services/probes.py): the finding is kept here for the delivery panel.
    probe_requested_at = models.DateTimeField(null=True, blank=True)
    probed_at = models.DateTimeField(null=True, blank=True)
    probe_events = models.BigIntegerField(null=True, blank=True, help_text="Events found; None: could not tell.")
    probe_error = models.TextField(blank=True, help_text="Why the tenant could not be asked.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["journey", "destination"], name="unique_journey_destination")]
        ordering = ["journey", "destination__name", "id"]

    def __str__(self) -> str:
        return f"{self.journey} -> {self.destination}"

    def clean(self) -> None:
        # The database holds the same rule with triggers (migration 0011), whatever writes the row.
        super().clean()
        if self.journey_id and self.destination_id and self.journey.tenant_id != self.destination.tenant_id:
            raise ValidationError(
                {"destination": "A journey can only deliver to its own tenant's destinations."}, code="other_tenant"
            )

    @property
    def delivered_until(self) -> datetime | None:
        """Every event before this moment has been delivered (or counted expired)."""
        return None if self.cursor_ms is None else datetime.fromtimestamp(self.cursor_ms / 1000, UTC)

    @property
    def is_backfilling(self) -> bool:
        return (
            self.cursor_ms is not None
            and self.backfill_until_ms is not None
            and self.cursor_ms < self.backfill_until_ms
        )

    @property
    def backfill_progress(self) -> float:
        """Share of the first activation's backfill delivered, 0 to 1."""
        if self.cursor_ms is None or self.origin_ms is None or self.backfill_until_ms is None:
            return 0.0
        span = self.backfill_until_ms - self.origin_ms
        if span <= 0:
            return 1.0
        return min(1.0, max(0.0, (self.cursor_ms - self.origin_ms) / span))

    @property
    def backfill_percent(self) -> int:
        return int(self.backfill_progress * 100)

    @property
    def is_probing(self) -> bool:
        """The tenant has been asked and has not answered yet."""
        requested = self.probe_requested_at
        return requested is not None and (self.probed_at is None or self.probed_at < requested)


class Run(models.Model):
    """One delivery attempt for a journey-destination: its window, its counts and how it ended.

    A push of the journey's Dynatrace assets (Business Flow and dashboard) is a run too, so that it
    shows in the journey's run history; it belongs to no delivery pair (a journey may push to a tenant
    it does not deliver to), so it names its journey and destination itself and counts no events.
    """

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        BACKFILL = "backfill", "Backfill"
        MANUAL = "manual", "Send now"
        PUSH = "push", "Asset push"

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCESS = "success", "Success"
        PARTIAL = "partial", "Partial"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    journey_destination = models.ForeignKey(
        JourneyDestination, null=True, blank=True, on_delete=models.CASCADE, related_name="runs"
    )
    # Pushes only (see above): deliveries reach both through journey_destination.
    journey = models.ForeignKey(
        "journeys.Journey", null=True, blank=True, on_delete=models.CASCADE, related_name="push_runs"
    )
    destination = models.ForeignKey(
        Destination, null=True, blank=True, on_delete=models.CASCADE, related_name="push_runs"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SCHEDULED)
    # The stretch of event time this run covered: from the cursor it found to the cursor it left.
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    events_generated = models.BigIntegerField(default=0)
    delivered = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0, help_text="Refused by the destination as invalid; not resent.")
    expired = models.BigIntegerField(default=0, help_text="Too old for the destination when their turn came.")
    maybe_duplicated = models.BigIntegerField(
        default=0, help_text="Sent in requests that got no answer in time, so sent again: they may have arrived twice."
    )
    bytes = models.BigIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["journey_destination", "-started_at"], name="run_pair_recent"),
            models.Index(fields=["journey", "-started_at"], name="run_push_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                # A push names its journey and destination; any other run names its pair instead.
                condition=(
                    models.Q(
                        kind="push", journey_destination__isnull=True, journey__isnull=False, destination__isnull=False
                    )
                    | models.Q(~models.Q(kind="push"), journey_destination__isnull=False, journey__isnull=True)
                ),
                name="run_delivers_for_a_pair_or_pushes_for_a_journey",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} run {self.pk}: {self.get_outcome_display()}"

    @property
    def is_push(self) -> bool:
        return self.kind == self.Kind.PUSH

    @property
    def target(self) -> Destination:
        """Where the run went (select_related both ways to read it without a query)."""
        return self.destination if self.is_push else self.journey_destination.destination
