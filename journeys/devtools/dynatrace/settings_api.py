"""Settings 2.0 objects, restricted to the Business Flow schema the product writes.

Documented behaviour emulated here (see /work/shared/reference/dynatrace.md §3):
- ``POST /api/v2/settings/objects[?validateOnly=true]`` takes a list of
  ``{schemaId, scope, externalId?, objectId?, value}`` and answers one ``{code, objectId}`` or
  ``{code, error, invalidValue}`` per item; 200 when all succeed, 207 when some do, and the items'
  common status (else 400) when none do.
- ``GET /api/v2/settings/objects?schemaIds=&scopes=&externalIds=&filter=&fields=`` answers
  ``{items, totalCount, pageSize}``. As on a tenant, items carry only ``objectId`` and ``value`` unless
  ``fields`` asks for more (``fields=objectId,value,externalId``).
- ``PUT /api/v2/settings/objects/{objectId}`` takes ``{value}`` and needs settings.read too.

Receiver choices: a second object with an externalId already in use is refused with 409 (a uniqueness
constraint), unless the item also names that object's objectId, which the API documents as "the
object to replace". Validation follows the value fields the reference lists, and also enforces the
Business Flow app's limits (5 events per step, 5 branches per step, 20 steps), so a product bug shows
up here rather than as a flow the app cannot draw.
"""

from __future__ import annotations

import base64
import threading
import uuid
from collections.abc import Callable
from typing import Any

import orjson

from .http import Request, Response, error_body, error_response, json_response, violation
from .ingest import format_timestamp

BIZFLOW_SCHEMA_ID = "app:dynatrace.biz.flow:biz-flow-settings"
BIZFLOW_SCHEMA_VERSION = "1.0.0"
ANALYSIS_TYPES = ("fulfillment", "conversion", "other")
KPI_CALCULATIONS = ("sum", "firstEvent", "lastEvent")
REQUIRED_FIELDS: dict[str, tuple[type, ...]] = {
    "steps": (list,),
    "connections": (list,),
    "kpiLabel": (str,),
    "analysisType": (str,),
    "analysisCustomLabel": (str,),
    "isSmartscapeTopologyEnabled": (bool,),
    "isDefaultQueryLimitIgnored": (bool,),
}
OPTIONAL_FIELDS: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "description": (str,),
    "version": (str, int),
    "correlationID": (str,),
    "kpi": (str,),
    "kpiEvent": (dict,),
    "kpiUnit": (str,),
    "kpiCalculation": (str,),
    "anomalyDetectorIDs": (list,),
    "priority": (str, int),
}
MAX_EVENTS_PER_STEP = 5
MAX_BRANCHES_PER_STEP = 5
MAX_STEPS = 20
LIST_FIELDS = (
    "objectId",
    "value",
    "externalId",
    "schemaId",
    "scope",
    "schemaVersion",
    "summary",
    "created",
    "modified",
)
DEFAULT_LIST_FIELDS = ("objectId", "value")


def validate_bizflow_value(value: Any) -> list[dict[str, Any]]:
    """Every problem with a Business Flow value, each tied to the path of the value at fault."""
    if not isinstance(value, dict):
        return [violation("value", "must be an object")]
    problems: list[dict[str, Any]] = []
    for name, types in REQUIRED_FIELDS.items():
        if name not in value:
            problems.append(violation(name, "required property is missing"))
        elif not _is(value[name], types):
            problems.append(violation(name, f"must be of type {_type_names(types)}"))
    for name, item in value.items():
        if name in REQUIRED_FIELDS:
            continue
        types = OPTIONAL_FIELDS.get(name)
        if types is None:
            problems.append(violation(name, "unknown property"))
        elif not _is(item, types):
            problems.append(violation(name, f"must be of type {_type_names(types)}"))
    if isinstance(value.get("analysisType"), str) and value["analysisType"] not in ANALYSIS_TYPES:
        problems.append(violation("analysisType", f"must be one of {', '.join(ANALYSIS_TYPES)}"))
    if isinstance(value.get("kpiCalculation"), str) and value["kpiCalculation"] not in KPI_CALCULATIONS:
        problems.append(violation("kpiCalculation", f"must be one of {', '.join(KPI_CALCULATIONS)}"))
    kpi_event = value.get("kpiEvent")
    if isinstance(kpi_event, dict):
        for name in ("name", "provider"):
            if not isinstance(kpi_event.get(name), str):
                problems.append(violation(f"kpiEvent.{name}", "required string"))
    step_ids: set[str] = set()
    if isinstance(value.get("steps"), list):
        problems += _validate_steps(value["steps"], step_ids)
    if isinstance(value.get("connections"), list):
        problems += _validate_connections(value["connections"], step_ids)
    return problems


def _validate_steps(steps: list[Any], step_ids: set[str]) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    if not steps:
        problems.append(violation("steps", "at least one step is required"))
    if len(steps) > MAX_STEPS:
        problems.append(violation("steps", f"the Business Flow app shows at most {MAX_STEPS} steps"))
    roots = 0
    for i, step in enumerate(steps):
        path = f"steps[{i}]"
        if not isinstance(step, dict):
            problems.append(violation(path, "must be an object"))
            continue
        for name, types in (("name", (str,)), ("id", (str,)), ("isRoot", (bool,)), ("events", (list,))):
            if not _is(step.get(name), types) or step.get(name) == "":
                problems.append(violation(f"{path}.{name}", f"required {_type_names(types)}"))
        if isinstance(step.get("id"), str):
            if step["id"] in step_ids:
                problems.append(violation(f"{path}.id", f"duplicate step id {step['id']}"))
            step_ids.add(step["id"])
        roots += step.get("isRoot") is True
        events = step.get("events")
        if isinstance(events, list):
            if not events:
                problems.append(violation(f"{path}.events", "a step needs at least one event"))
            if len(events) > MAX_EVENTS_PER_STEP:
                problems.append(violation(f"{path}.events", f"at most {MAX_EVENTS_PER_STEP} events per step"))
            for j, event in enumerate(events):
                problems += _validate_event(event, f"{path}.events[{j}]")
    if steps and roots == 0:
        problems.append(violation("steps", "one step must have isRoot true"))
    return problems


def _validate_event(event: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(event, dict):
        return [violation(path, "must be an object")]
    problems = []
    for name, types in (("id", (str,)), ("name", (str,)), ("provider", (str,)), ("isError", (bool,))):
        if not _is(event.get(name), types) or event.get(name) == "":
            problems.append(violation(f"{path}.{name}", f"required {_type_names(types)}"))
    if "isDisabled" in event and not isinstance(event["isDisabled"], bool):
        problems.append(violation(f"{path}.isDisabled", "must be of type boolean"))
    if isinstance(event.get("provider"), str) and isinstance(event.get("name"), str):
        expected = f"provider:{event['provider']}-event:{event['name']}"
        if event.get("id") != expected:
            problems.append(violation(f"{path}.id", f"must be {expected}"))
    return problems


def _validate_connections(connections: list[Any], step_ids: set[str]) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    seen: set[str] = set()
    branches: dict[str, int] = {}
    for i, connection in enumerate(connections):
        path = f"connections[{i}]"
        if not isinstance(connection, dict):
            problems.append(violation(path, "must be an object"))
            continue
        source, target = connection.get("source"), connection.get("target")
        for name, item in (("source", source), ("target", target)):
            if not isinstance(item, str) or item not in step_ids:
                problems.append(violation(f"{path}.{name}", f"must be the id of a step, not {item!r}"))
        if connection.get("id") != f"{source}__{target}":
            problems.append(violation(f"{path}.id", f"must be {source}__{target}"))
        if connection.get("id") in seen:
            problems.append(violation(f"{path}.id", "duplicate connection"))
        seen.add(connection.get("id"))
        if isinstance(source, str) and source != target:
            branches[source] = branches.get(source, 0) + 1
    for source, count in branches.items():
        if count > MAX_BRANCHES_PER_STEP:
            problems.append(violation("connections", f"step {source} has {count} branches; at most 5"))
    return problems


def _is(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int in Python, but not in JSON Schema: keep them apart.
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def _type_names(types: tuple[type, ...]) -> str:
    names = {str: "string", bool: "boolean", list: "array", dict: "object", int: "integer"}
    return " or ".join(names[t] for t in types)


class SettingsStore:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._objects: dict[str, dict[str, Any]] = {}

    def objects(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(item) for item in self._objects.values()]

    def clear(self) -> None:
        with self._lock:
            self._objects.clear()

    # Documented: POST /api/v2/settings/objects (settings.write), validateOnly dry-runs.
    def create(self, request: Request) -> Response:
        payload = _json_body(request)
        if not isinstance(payload, list):
            return error_response(400, "The body must be a JSON array of settings objects")
        validate_only = request.query.get("validateOnly", "").lower() == "true"
        results = []
        with self._lock:
            claimed: set[str] = set()  # externalIds taken by earlier items of this same request
            for i, item in enumerate(payload):
                results.append(self._create_one(item, i, validate_only, claimed))
        codes = {result["code"] for result in results}
        if codes <= {200}:
            status = 200
        elif 200 in codes:
            status = 207
        else:
            status = codes.pop() if len(codes) == 1 else 400
        return json_response(status, results)

    def _create_one(self, item: Any, index: int, validate_only: bool, claimed: set[str]) -> dict[str, Any]:
        if not isinstance(item, dict):
            return _item_error(400, f"Item {index} must be an object", [], None)
        value = item.get("value")
        if item.get("schemaId") != BIZFLOW_SCHEMA_ID:
            return _item_error(
                404,
                f"Schema {item.get('schemaId')!r} not found (this receiver knows only {BIZFLOW_SCHEMA_ID})",
                [],
                value,
            )
        if item.get("scope") != "environment":
            return _item_error(
                400,
                "Business Flow settings live in scope 'environment'",
                [violation("scope", "must be environment")],
                value,
            )
        problems = validate_bizflow_value(value)
        if problems:
            return _item_error(400, f"Validation failed with {len(problems)} constraint violation(s)", problems, value)
        external_id = item.get("externalId")
        replaced = None
        if external_id is not None:
            replaced = self._by_external_id(external_id)
            if external_id in claimed or (replaced and item.get("objectId") != replaced["objectId"]):
                return _item_error(
                    409,
                    f"A settings object with externalId {external_id!r} already exists; "
                    "update it with PUT /api/v2/settings/objects/{objectId}",
                    [violation("externalId", "must be unique")],
                    value,
                )
            claimed.add(external_id)
        if validate_only:
            return {"code": 200}
        now = format_timestamp(self._clock())
        if replaced is not None:
            replaced.update(value=value, modified=now)
            return {"code": 200, "objectId": replaced["objectId"]}
        object_id = _new_object_id()
        self._objects[object_id] = {
            "objectId": object_id,
            "externalId": external_id,
            "schemaId": BIZFLOW_SCHEMA_ID,
            "scope": "environment",
            "schemaVersion": item.get("schemaVersion") or BIZFLOW_SCHEMA_VERSION,
            "value": value,
            "summary": value.get("name", ""),
            "created": now,
            "modified": now,
        }
        return {"code": 200, "objectId": object_id}

    def _by_external_id(self, external_id: str) -> dict[str, Any] | None:
        return next((o for o in self._objects.values() if o["externalId"] == external_id), None)

    # Documented: GET /api/v2/settings/objects?schemaIds=...&scopes=environment (settings.read).
    def list(self, request: Request) -> Response:
        query = request.query
        fields = _split(query.get("fields")) or list(DEFAULT_LIST_FIELDS)
        unknown = [name for name in fields if name not in LIST_FIELDS]
        if unknown:
            return error_response(400, f"Unsupported field(s): {', '.join(unknown)}")
        schema_ids, scopes, external_ids = (
            _split(query.get("schemaIds")),
            _split(query.get("scopes")),
            _split(query.get("externalIds")),
        )
        value_filter = _parse_filter(query.get("filter", ""))
        if isinstance(value_filter, str):
            return error_response(400, value_filter)
        with self._lock:
            matches = [
                o
                for o in self._objects.values()
                if (not schema_ids or o["schemaId"] in schema_ids)
                and (not scopes or o["scope"] in scopes)
                and (not external_ids or o["externalId"] in external_ids)
                and (value_filter is None or _lookup(o["value"], value_filter[0]) == value_filter[1])
            ]
            items = [{name: o[name] for name in fields} for o in matches]
        return json_response(200, {"items": items, "totalCount": len(items), "pageSize": 500})

    # Documented: GET /api/v2/settings/objects/{objectId} (settings.read).
    def get(self, object_id: str) -> Response:
        with self._lock:
            found = self._objects.get(object_id)
            if found is None:
                return error_response(404, f"Settings object {object_id} not found")
            return json_response(200, {k: v for k, v in found.items() if k not in ("created", "modified")})

    # Documented: PUT /api/v2/settings/objects/{objectId} (settings.write and settings.read).
    def update(self, object_id: str, request: Request) -> Response:
        payload = _json_body(request)
        if not isinstance(payload, dict) or "value" not in payload:
            return error_response(400, "The body must be an object with a value")
        with self._lock:
            found = self._objects.get(object_id)
            if found is None:
                return error_response(404, f"Settings object {object_id} not found")
            problems = validate_bizflow_value(payload["value"])
            if problems:
                return json_response(400, _item_error(400, "Validation failed", problems, payload["value"]))
            if request.query.get("validateOnly", "").lower() != "true":
                found.update(
                    value=payload["value"],
                    summary=payload["value"].get("name", ""),
                    modified=format_timestamp(self._clock()),
                )
        return json_response(200, {"code": 200, "objectId": object_id})


def _item_error(code: int, message: str, problems: list[dict[str, Any]], value: Any) -> dict[str, Any]:
    return {"code": code, **error_body(code, message, problems), "invalidValue": value}


def _new_object_id() -> str:
    # Real object ids are opaque base64 strings; the shape matters less than never repeating.
    return "vu9U3hXa3q0AAAAB" + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def _json_body(request: Request) -> Any:
    try:
        return orjson.loads(request.body)
    except orjson.JSONDecodeError:
        return None


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _parse_filter(text: str) -> tuple[str, str] | None | str:
    """``value.<path> = '<text>'`` (or ``==``): the one filter form the receiver understands."""
    text = text.strip()
    if not text:
        return None
    for operator in ("==", "="):
        left, found, right = text.partition(operator)
        if found:
            left, right = left.strip(), right.strip()
            if left.startswith("value.") and len(right) >= 2 and right[0] == right[-1] == "'":
                return left[len("value.") :], right[1:-1]
            break
    return f"Unsupported filter {text!r}: the receiver understands value.<field> = '<text>'"


def _lookup(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
