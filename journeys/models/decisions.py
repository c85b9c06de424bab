"""How a decision's executions are reported: one DecisionSettings per decision step, or per variant
marked as a decision on a step with variants.

The engine reads these rows as a :class:`~journeys.engine.decisions.DecisionSpec` (selectors); the
field names follow it. The metadata switches carry IBM's names in their help text, since that is
what users of the decision runtime know them by.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from ..engine.decisions import DEFAULT_STACK_TRACE, DEFAULT_TOPIC
from .fields import OrderedJSONField
from .journey import Step, StepVariant

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
TOPIC_NAME = RegexValidator(r"^[A-Za-z0-9._-]{1,249}$", "Use letters, digits, '.', '_' and '-' only (at most 249).")


def default_runtime_nodes() -> list[dict]:
    return [{"name": "decision-runtime-0", "weight": 1}]


def default_output_approved() -> str:
    return "APPROVED"


def default_output_rejected() -> str:
    return "REJECTED($rule)"


class DecisionSettings(models.Model):
    class TimestampUnit(models.TextChoices):
        MILLISECONDS = "ms", "Epoch milliseconds"
        SECONDS = "s", "Epoch seconds"

    # Always the step; on a step with variants, also the variant marked as a decision they belong to.
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="decision_settings")
    variant = models.OneToOneField(
        StepVariant, null=True, blank=True, on_delete=models.CASCADE, related_name="decision_settings"
    )
    decision_service_id = models.CharField(max_length=200, help_text="Business id, e.g. samples.LoanValidation.")
    decision_service_name = models.CharField(max_length=200)
    decision_service_version = models.CharField(max_length=50)
    decision_operation = models.CharField(max_length=200)
    decision_id = models.CharField(
        max_length=500,
        blank=True,
        help_text="Empty: /<service id as a path>/<name>DecisionService/<version>/<name>DecisionService-<version>.jar",
    )
    deployment_space_id = models.CharField(max_length=200, default="embedded")
    engine_api_version = models.CharField(max_length=50, default="1.0")
    runtime_nodes = OrderedJSONField(default=default_runtime_nodes, help_text='[{"name": ..., "weight": ...}]')
    execution_millis_min = models.PositiveIntegerField(default=2)
    execution_millis_max = models.PositiveIntegerField(default=40)
    rules = OrderedJSONField(default=list, blank=True, help_text='[{"path": ..., "pct": ..., "rejects": false}]')
    incident_pct = models.FloatField(default=0, validators=PERCENT)
    incident_category = models.CharField(max_length=200, default="Technical")
    incident_stack_trace = models.TextField(blank=True, default=DEFAULT_STACK_TRACE)
    input_parameters = OrderedJSONField(null=True, blank=True, help_text="Empty: the journey's attributes.")
    output_approved = OrderedJSONField(default=default_output_approved)
    output_rejected = OrderedJSONField(default=default_output_rejected, help_text="$rule: the rejecting rule.")
    business_monitoring_enabled = models.BooleanField(default=True, help_text="businessMonitoringEnabled")
    business_event_input_enabled = models.BooleanField(default=True, help_text="businessEventInputEnabled")
    business_event_output_enabled = models.BooleanField(default=True, help_text="businessEventOutputEnabled")
    # Decision events go to a Kafka destination of their own (its connection settings), to this topic.
    destination = models.ForeignKey(
        "journeys.Destination",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decision_settings",
        limit_choices_to={"kind": "kafka"},
    )
    topic = models.CharField(max_length=249, default=DEFAULT_TOPIC, validators=[TOPIC_NAME])
    timestamp_unit = models.CharField(max_length=2, choices=TimestampUnit.choices, default=TimestampUnit.MILLISECONDS)

    class Meta:
        verbose_name_plural = "decision settings"
        constraints = [
            # One row per plain decision step; a variant's row is unique through its one-to-one field.
            models.UniqueConstraint(
                fields=["step"], condition=Q(variant__isnull=True), name="decision_settings_one_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_service_name} {self.decision_service_version} ({self.way})"

    @property
    def way(self) -> Step | StepVariant:
        """The decision they describe: the variant, or the plain step."""
        return self.variant if self.variant_id else self.step
