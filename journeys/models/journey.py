"""A journey as stored: the rows a user edits. The engine reads it as a JourneySpec (selectors)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .fields import OrderedJSONField

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
NON_NEGATIVE = [MinValueValidator(0)]
DELAY_SHAPE_CHOICES = [
    ("uniform", "Uniform"),
    ("lognormal", "Lognormal (min and max are the 5th and 95th percentiles)"),
]


def default_hour_weights() -> list[float]:
    return [1.0] * 24


def default_weekday_weights() -> list[float]:
    return [1.0] * 7


class Journey(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"

    tenant = models.ForeignKey("journeys.Tenant", on_delete=models.CASCADE, related_name="journeys")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journeys", help_text="Who created it."
    )
    name = models.CharField(max_length=200, help_text="Also the Business Flow's name.")
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    event_provider = models.CharField(max_length=200, help_text="event.provider of every event.")
    correlation_field = models.CharField(max_length=100, default="order.id")
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA name; times of day are read in it.")
    seed = models.BigIntegerField(default=0, validators=[MinValueValidator(0)])
    journeys_per_day = models.FloatField(default=600, validators=NON_NEGATIVE)
    hour_weights = models.JSONField(default=default_hour_weights)
    weekday_weights = models.JSONField(default=default_weekday_weights)
    location_field = models.CharField(max_length=100, default="location")
    segment_field = models.CharField(max_length=100, blank=True)
    revenue_field = models.CharField(max_length=100, blank=True, help_text="Leave empty for no revenue.")
    revenue_min = models.FloatField(default=0, validators=NON_NEGATIVE)
    revenue_max = models.FloatField(default=0, validators=NON_NEGATIVE)
    revenue_label = models.CharField(max_length=100, default="Revenue")
    extra_attributes = OrderedJSONField(default=dict, blank=True, help_text="Constant fields added to every event.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # The journey as the engine reads it (its journey file, compact JSON), written by the services with
    # the rows above and below: a delivery run reads this one column instead of ten tables. None until
    # first written (journeys/services/snapshots.py). Nullable, so that SQLite adds the column in place
    # rather than rebuilding the table under the tenant triggers that name it.
    spec_snapshot = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001 - see above
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    event_type = models.CharField(max_length=200)
    drop_off_pct = models.FloatField(default=0, validators=PERCENT)
    min_delay_hours = models.FloatField(default=0, validators=NON_NEGATIVE)
    max_delay_hours = models.FloatField(default=0, validators=NON_NEGATIVE)
    max_loops = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)])
    optional_pct = models.FloatField(null=True, blank=True, validators=PERCENT)
    carries_location = models.BooleanField(default=False)
    carries_segment = models.BooleanField(default=False)
    carries_revenue = models.BooleanField(default=False)
    is_decision = models.BooleanField(default=False)
    delay_shape = models.CharField(max_length=10, choices=DELAY_SHAPE_CHOICES, default="uniform")

    class Meta:
        ordering = ["journey", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.event_type})"


class StepVariant(models.Model):
    """One way through a step that offers several; such a step's own event type is empty."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="variants")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    event_type = models.CharField(max_length=200)
    weight = models.FloatField(default=1, validators=NON_NEGATIVE)
    min_delay_hours = models.FloatField(default=0, validators=NON_NEGATIVE)
    max_delay_hours = models.FloatField(default=0, validators=NON_NEGATIVE)
    delay_shape = models.CharField(max_length=10, choices=DELAY_SHAPE_CHOICES, default="uniform")
    max_loops = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)])
    carries_location = models.BooleanField(default=False)
    carries_segment = models.BooleanField(default=False)
    carries_revenue = models.BooleanField(default=False)
    is_decision = models.BooleanField(default=False)
    ends_journey = models.BooleanField(default=False, help_text="An end state: the journey ends after it.")

    class Meta:
        ordering = ["step", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.event_type})"


class ErrorRule(models.Model):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="errors")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="errors")
    variant = models.ForeignKey(
        StepVariant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="errors",
        help_text="On a step with variants.",
    )
    name = models.CharField(max_length=200, help_text="Suffix of the failed event's type.")
    pct = models.FloatField(validators=PERCENT)

    class Meta:
        ordering = ["journey", "step__position", "id"]

    def __str__(self) -> str:
        return self.name


class WeightedValue(models.Model):
    weight = models.FloatField(default=1, validators=NON_NEGATIVE)

    class Meta:
        abstract = True
        ordering = ["id"]


class Location(WeightedValue):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class SegmentValue(WeightedValue):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="segment_values")
    value = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.value


class Host(WeightedValue):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="hosts")
    entity_id = models.CharField(max_length=100, help_text="Dynatrace host id, HOST-...")

    def __str__(self) -> str:
        return self.entity_id


class Incident(models.Model):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="incidents")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="incidents")
    variant = models.ForeignKey(
        StepVariant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="incidents",
        help_text="On a step with variants.",
    )
    error_name = models.CharField(max_length=200)
    pct = models.FloatField(validators=PERCENT)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    daily_start_hour = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )
    daily_end_hour = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(24)])

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.error_name} ({self.pct:g}%)"


class Surge(models.Model):
    """A window in which journeys start ``multiplier`` times as often: daily hours or an absolute window."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="surges")
    multiplier = models.FloatField(validators=[MinValueValidator(0), MaxValueValidator(1000)])
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    daily_start_hour = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )
    daily_end_hour = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(24)])

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"x{self.multiplier:g}"
