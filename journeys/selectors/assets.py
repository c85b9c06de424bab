"""Reads for a journey's Dynatrace assets: the files to download and where they were pushed."""

from __future__ import annotations

import io
import json
import zipfile

from django.db.models import QuerySet

from ..assets.bizflow import bizflow_settings_payload, check_bizflow_limits
from ..assets.dashboard import build_dashboard
from ..engine.spec import validate
from ..models import Journey, TenantAssets
from .journeys import journey_to_spec

BIZFLOW_FILE = "bizflow-settings.json"
DASHBOARD_FILE = "dashboard.json"
ZIP_FILE = "dynatrace-assets.zip"


def _pretty(value) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def journey_asset_files(journey: Journey) -> dict[str, bytes]:
    """The Settings API body of the Business Flow and the dashboard document, as files.

    The dashboard carries no Business Flow link: the flow's id is only known once it is in a tenant.
    """
    spec = journey_to_spec(journey)
    return {
        BIZFLOW_FILE: _pretty(bizflow_settings_payload(spec, description=journey.description)),
        DASHBOARD_FILE: _pretty(build_dashboard(spec, description=journey.description)),
    }


def journey_asset_zip(journey: Journey) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in journey_asset_files(journey).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def journey_asset_problems(journey: Journey) -> list[str]:
    """Why this journey cannot be pushed as it is; empty when it can."""
    spec = journey_to_spec(journey)
    return [str(problem) for problem in validate(spec)] + check_bizflow_limits(spec)


def journey_tenant_assets(journey: Journey) -> QuerySet[TenantAssets]:
    return journey.tenant_assets.all()
