"""Writes for a journey's Dynatrace assets: queue a push, push, and remember where they ended up.

The push itself (Settings API dry run then write, Documents API create or update) lives in
``journeys.assets.tenant``; here it is tied to a journey, a destination's credentials and a row that
the journey page shows: the links, or the reason the push stopped.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ..assets.tenant import ASSET_OAUTH_SCOPES, AssetPushError, PushedObject, push_assets
from ..models import Journey, Run, TenantAssets
from ..selectors.journeys import journey_to_spec
from ..sinks.base import DeliveryError
from ..sinks.dynatrace.client import DynatraceClient, EnvironmentUrls
from .queue import enqueue_asset_push
from .tenancy import audit_record

# A push that has been "running" this long died with its worker: let the next request take over.
STALE_PUSH = timedelta(minutes=15)


class AssetPushRefused(ValueError):
    """The destination cannot take assets (not a Dynatrace tenant, no usable URL)."""


def _environment_url(destination: Any) -> str:
    if destination.kind != "dynatrace":
        raise AssetPushRefused(f"'{destination.name}' is not a Dynatrace tenant: Business Flows live in Dynatrace.")
    try:
        return EnvironmentUrls.parse(str(destination.config.get("environment_url") or "")).platform
    except ValueError as exc:
        raise AssetPushRefused(f"'{destination.name}' has no usable environment URL: {exc}") from None


def _record(journey: Journey, environment_url: str) -> TenantAssets:
    record, _ = TenantAssets.objects.get_or_create(journey=journey, environment_url=environment_url)
    return record


def journey_assets_request_push(*, journey: Journey, destination: Any, user: Any) -> TenantAssets:
    """Queue a push of the journey's assets to the destination's tenant; a push already under way is kept."""
    record = _record(journey, _environment_url(destination))
    now = timezone.now()
    if _busy(record, now):
        return record
    record.status, record.error, record.pushed_by = TenantAssets.Status.QUEUED, "", user
    record.requested_at, record.finished_at = now, None
    record.save(update_fields=["status", "error", "pushed_by", "requested_at", "finished_at"])
    audit_record(
        actor=user,
        tenant=journey.tenant,
        action="assets.pushed",
        target=journey,
        details={"destination": destination.name},
    )
    enqueue_asset_push(journey_id=journey.pk, destination_id=destination.pk, user_id=user.pk if user else None)
    return record


def _busy(record: TenantAssets, now) -> bool:
    recent = record.requested_at is not None and record.requested_at > now - STALE_PUSH
    return record.is_busy and recent


def _claim(record: TenantAssets, user: Any) -> bool:
    """Mark the push as running, unless another worker is already at it (tasks may run twice)."""
    now = timezone.now()
    taken = (
        TenantAssets.objects.filter(pk=record.pk)
        .exclude(status=TenantAssets.Status.RUNNING, requested_at__gt=now - STALE_PUSH)
        .update(status=TenantAssets.Status.RUNNING, requested_at=now, pushed_by=user, error="", finished_at=None)
    )
    return taken == 1


def _store_bizflow(record: TenantAssets, bizflow: PushedObject) -> None:
    record.bizflow_object_id, record.bizflow_url = bizflow.id, bizflow.url


def journey_assets_push(
    *, journey: Journey, destination: Any, user: Any, client: DynatraceClient | None = None
) -> TenantAssets:
    """Push the Business Flow and dashboard now and record the outcome on the journey's TenantAssets row.

    ``client`` defaults to one built from the destination's config and decrypted secrets.
    """
    record = _record(journey, _environment_url(destination))
    if not _claim(record, user):
        record.refresh_from_db()
        return record
    record.refresh_from_db()
    run = _push_run_start(journey, destination)
    own_client = client is None
    try:
        if own_client:
            client = DynatraceClient.from_destination(
                destination.config, _secrets(destination), scopes=ASSET_OAUTH_SCOPES
            )
        result = push_assets(client, journey_to_spec(journey), description=journey.description)
    except AssetPushError as exc:
        record.status = TenantAssets.Status.PARTIAL if exc.bizflow else TenantAssets.Status.FAILED
        record.error = exc.message
        if exc.bizflow:
            _store_bizflow(record, exc.bizflow)
    except DeliveryError as exc:  # the client could not be built: bad URL, missing secret
        record.status, record.error = TenantAssets.Status.FAILED, exc.message
    else:
        _store_bizflow(record, result.bizflow)
        record.document_id, record.dashboard_url = result.dashboard.id, result.dashboard.url
        record.document_version = result.dashboard.version
        record.status, record.error = TenantAssets.Status.SUCCESS, ""
    finally:
        if own_client and client is not None:
            client.close()
    record.finished_at = timezone.now()
    record.save()
    _push_run_finish(run, record)
    return record


# A push is also a Run, so that it shows in the journey's run history beside its deliveries.
_RUN_OUTCOME = {
    TenantAssets.Status.SUCCESS: Run.Outcome.SUCCESS,
    TenantAssets.Status.PARTIAL: Run.Outcome.PARTIAL,
    TenantAssets.Status.FAILED: Run.Outcome.FAILED,
}


def _push_run_start(journey: Journey, destination: Any) -> Run:
    return Run.objects.create(kind=Run.Kind.PUSH, journey=journey, destination=destination, started_at=timezone.now())


def _push_run_finish(run: Run, record: TenantAssets) -> None:
    run.outcome = _RUN_OUTCOME.get(record.status, Run.Outcome.FAILED)
    run.error = record.error
    run.finished_at = record.finished_at
    run.duration_ms = max(0, int((run.finished_at - run.started_at).total_seconds() * 1000))
    run.save(update_fields=["outcome", "error", "finished_at", "duration_ms"])


def _secrets(destination: Any) -> dict:
    secrets = destination.secrets
    return secrets() if callable(secrets) else dict(secrets or {})
