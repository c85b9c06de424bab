"""Where a journey's Business Flow and dashboard live in a tenant, and how the last push went."""

from django.conf import settings
from django.db import models


class TenantAssets(models.Model):
    """One journey's Business Flow and dashboard in one Dynatrace environment.

    Keyed by the environment (its platform URL), not by destination: two destinations pointing at the
    same tenant share one Business Flow and one dashboard, as they would in the tenant itself.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Pushing"
        SUCCESS = "success", "Pushed"
        PARTIAL = "partial", "Business Flow pushed, dashboard failed"
        FAILED = "failed", "Failed"

    journey = models.ForeignKey("journeys.Journey", on_delete=models.CASCADE, related_name="tenant_assets")
    environment_url = models.CharField(max_length=300, help_text="The tenant's platform URL.")
    bizflow_object_id = models.CharField(max_length=300, blank=True)
    bizflow_url = models.URLField(max_length=600, blank=True)
    document_id = models.CharField(max_length=300, blank=True)
    document_version = models.PositiveIntegerField(null=True, blank=True)
    dashboard_url = models.URLField(max_length=600, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["journey", "environment_url"], name="unique_journey_tenant_assets")
        ]
        ordering = ["journey", "environment_url"]
        verbose_name_plural = "tenant assets"

    def __str__(self) -> str:
        return f"{self.journey} in {self.environment_url}"

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
