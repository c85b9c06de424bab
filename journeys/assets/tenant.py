"""Create or update a journey's Business Flow and dashboard in a Dynatrace tenant.

Both are found by an externalId derived from the journey's provider, so a second push updates what
the first one created instead of adding a copy. The Business Flow is dry-run first (Settings API
``validateOnly=true``), so a value the tenant would refuse changes nothing and its message comes
back to the user. The dashboard is pushed after the flow, so it can link to it.

``client`` is a :class:`journeys.sinks.dynatrace.client.DynatraceClient` (or anything with its
``request(method, path, *, scope=None, **kwargs) -> requests.Response``, ``urls.platform`` and
``auth.kind``): the one HTTP base with retries and timeouts, and the only place credentials live.
Plain Python: no Django import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from journeys.engine.spec import JourneySpec, validate
from journeys.sinks.base import DeliveryError

from .bizflow import SCHEMA_ID, SCOPE, bizflow_settings_payload, check_bizflow_limits, external_id
from .dashboard import build_dashboard, dashboard_name

SETTINGS_OBJECTS = "/api/v2/settings/objects"
DOCUMENTS = "/platform/document/v1/documents"
# What an OAuth client needs to push and to check for events (tenant_probe).
ASSET_OAUTH_SCOPES = (
    "settings:objects:read",
    "settings:objects:write",
    "document:documents:read",
    "document:documents:write",
    "storage:bizevents:read",
    "storage:buckets:read",
)
MAX_VIOLATIONS_SHOWN = 5


class AssetPushError(Exception):
    """The push stopped; ``message`` says why in words for the user. ``bizflow`` is set when the flow
    was already pushed and only the dashboard failed."""

    def __init__(self, message: str, *, permanent: bool = True, bizflow: PushedObject | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.bizflow = bizflow


@dataclass(frozen=True)
class PushedObject:
    id: str
    url: str
    created: bool  # False: an existing object was updated in place
    version: int | None = None  # documents only


@dataclass(frozen=True)
class PushResult:
    bizflow: PushedObject
    dashboard: PushedObject


def bizflow_link(platform_url: str, object_id: str) -> str:
    return f"{platform_url}/ui/apps/dynatrace.biz.flow/analyze/{quote(object_id, safe='')}"


def dashboard_link(platform_url: str, document_id: str) -> str:
    return f"{platform_url}/ui/apps/dynatrace.dashboards/dashboard/{quote(document_id, safe='')}"


def _scope(client: Any, classic: str, platform: str) -> str:
    return platform if getattr(client.auth, "kind", "") == "oauth" else classic


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_text(payload: Any, fallback: str) -> str:
    """The message of a Dynatrace error envelope, with the first constraint violations."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return fallback
    text = str(error.get("message") or fallback)
    violations = [
        f"{v.get('path')}: {v.get('message')}" if v.get("path") else str(v.get("message"))
        for v in (error.get("constraintViolations") or [])
        if isinstance(v, dict)
    ]
    if violations:
        more = len(violations) - MAX_VIOLATIONS_SHOWN
        text += " (" + "; ".join(violations[:MAX_VIOLATIONS_SHOWN]) + (f"; and {more} more" if more > 0 else "") + ")"
    return text


def _refused(response: Any, what: str, *, settings: bool = False) -> AssetPushError:
    """The tenant's reasons, from an error envelope or from each refused item of a Settings answer."""
    payload = _json(response)
    items = payload if isinstance(payload, list) else [payload]
    reasons = [_error_text(item, "") for item in items if isinstance(item, dict) and item.get("code", 200) >= 400]
    reason = "; ".join(r for r in reasons if r) or _error_text(payload, f"HTTP {response.status_code}")
    hint = ""
    not_found = response.status_code == 404 or any(isinstance(i, dict) and i.get("code") == 404 for i in items)
    if settings and not_found:  # an unknown schema: the app that owns it is missing
        hint = " Is the Business Flow app (dynatrace.biz.flow) installed in the tenant?"
    message = f"The tenant refused {what}: {reason.rstrip('.')}.{hint}"
    return AssetPushError(message, permanent=response.status_code < 500)


def _settings_ok(response: Any) -> bool:
    if response.status_code != 200:
        return False
    payload = _json(response)
    items = payload if isinstance(payload, list) else [payload]
    return all(not isinstance(item, dict) or item.get("code", 200) < 400 for item in items)


def find_bizflow(client: Any, external: str) -> str | None:
    """The objectId of the Business Flow object with this externalId, if the tenant holds one."""
    # Settings API, list objects: https://docs.dynatrace.com/docs/shortlink/api-v2-settings-get-objects
    response = client.request(
        "GET",
        SETTINGS_OBJECTS,
        scope=_scope(client, "settings.read", "settings:objects:read"),
        params={"schemaIds": SCHEMA_ID, "scopes": SCOPE, "externalIds": external, "fields": "objectId,externalId"},
    )
    if response.status_code != 200:
        raise _refused(response, "the list of Business Flow settings", settings=True)
    items = (_json(response) or {}).get("items") or []
    # Filter here too: the externalId is what makes the object ours, whatever the server filtered.
    return next((item["objectId"] for item in items if item.get("externalId") == external), None)


def push_bizflow(client: Any, spec: JourneySpec, **options: Any) -> PushedObject:
    """Dry-run, then create or update the journey's Business Flow settings object."""
    [item] = bizflow_settings_payload(spec, **options)
    write = _scope(client, "settings.write", "settings:objects:write")
    existing = find_bizflow(client, item["externalId"])
    if existing is None:
        # Settings API, create: https://docs.dynatrace.com/docs/shortlink/api-v2-settings-post-object
        method, path, body = "POST", SETTINGS_OBJECTS, [item]
    else:
        # Settings API, update: https://docs.dynatrace.com/docs/shortlink/api-v2-settings-put-object
        method, path, body = "PUT", f"{SETTINGS_OBJECTS}/{quote(existing, safe='')}", {"value": item["value"]}
    checked = client.request(method, path, scope=write, params={"validateOnly": "true"}, json=body)
    if not _settings_ok(checked):
        raise _refused(checked, "the Business Flow settings (dry run, nothing was changed)", settings=True)
    saved = client.request(method, path, scope=write, json=body)
    if not _settings_ok(saved):
        raise _refused(saved, "the Business Flow settings", settings=True)
    object_id = existing or _json(saved)[0]["objectId"]
    return PushedObject(object_id, bizflow_link(client.urls.platform, object_id), created=existing is None)


def find_document(client: Any, external: str) -> dict[str, Any] | None:
    """The metadata (id, version...) of the document with this externalId, if any."""
    quoted = external.replace("\\", "\\\\").replace("'", "\\'")
    # Documents API, list: https://docs.dynatrace.com/docs/shortlink/document-api
    response = client.request(
        "GET",
        DOCUMENTS,
        scope="document:documents:read",
        params={"filter": f"externalId == '{quoted}'"},
    )
    if response.status_code != 200:
        raise _refused(response, "the list of dashboards")
    documents = (_json(response) or {}).get("documents") or []
    return next((doc for doc in documents if doc.get("externalId") == external), None)


def push_dashboard(
    client: Any, spec: JourneySpec, content: dict[str, Any], *, is_private: bool = False
) -> PushedObject:
    """Create the journey's dashboard document, or replace the content of the one pushed before."""
    external = external_id(spec.event_provider, "dashboard")
    content_part = ("dashboard.json", json.dumps(content, ensure_ascii=False).encode("utf-8"), "application/json")
    existing = find_document(client, external)
    write = "document:documents:write"
    if existing is None:
        form = {
            "name": dashboard_name(spec),
            "type": "dashboard",
            "isPrivate": str(is_private).lower(),
            "externalId": external,
        }
        # Documents API, create: https://docs.dynatrace.com/docs/dynatrace-api/platform-api/platform-document-v1/documents-post
        response = client.request("POST", DOCUMENTS, scope=write, data=form, files={"content": content_part})
        if response.status_code not in (200, 201):
            raise _refused(response, "the dashboard")
        metadata = _json(response) or {}
        return _document(client, metadata, created=True)
    for attempt in (1, 2):
        # Documents API, update: https://docs.dynatrace.com/docs/dynatrace-api/platform-api/platform-document-v1/documents-id-patch
        response = client.request(
            "PATCH",
            f"{DOCUMENTS}/{quote(existing['id'], safe='')}",
            scope=write,
            params={"optimistic-locking-version": str(existing["version"])},
            data={"name": dashboard_name(spec), "type": "dashboard"},
            files={"content": content_part},
        )
        if response.status_code == 409 and attempt == 1:  # edited meanwhile: take the new version, once
            existing = find_document(client, external) or existing
            continue
        break
    if response.status_code != 200:
        raise _refused(response, "the dashboard update")
    payload = _json(response) or {}
    metadata = payload.get("documentMetadata") or payload
    return _document(client, {"id": existing["id"], **metadata}, created=False)


def _document(client: Any, metadata: dict[str, Any], *, created: bool) -> PushedObject:
    doc_id = str(metadata["id"])
    version = metadata.get("version")
    return PushedObject(
        doc_id,
        dashboard_link(client.urls.platform, doc_id),
        created=created,
        version=int(version) if version is not None else None,
    )


def push_assets(client: Any, spec: JourneySpec, *, description: str = "", is_private: bool = False) -> PushResult:
    """Push the Business Flow, then the dashboard linking to it. Raises AssetPushError."""
    problems = [str(problem) for problem in validate(spec)] + check_bizflow_limits(spec)
    if problems:
        raise AssetPushError("The journey cannot be pushed: " + " ".join(problems))
    try:
        bizflow = push_bizflow(client, spec, description=description)
    except DeliveryError as exc:
        raise AssetPushError(f"Pushing the Business Flow failed: {exc}", permanent=exc.permanent) from exc
    content = build_dashboard(spec, description=description, bizflow_url=bizflow.url)
    try:
        dashboard = push_dashboard(client, spec, content, is_private=is_private)
    except AssetPushError as exc:
        exc.bizflow = bizflow
        raise
    except DeliveryError as exc:
        raise AssetPushError(
            f"The Business Flow was pushed, but the dashboard failed: {exc}", permanent=exc.permanent, bizflow=bizflow
        ) from exc
    return PushResult(bizflow, dashboard)
