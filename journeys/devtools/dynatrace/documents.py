"""Documents (dashboards) on the platform Document Service.

Documented behaviour emulated here (see /work/shared/reference/dynatrace.md §4):
- ``POST /platform/document/v1/documents``: multipart form with ``name``, ``type``, ``isPrivate``,
  optional ``externalId`` and ``id``, and a file part ``content`` that carries its own Content-Type.
  Answers 201 with the metadata; version starts at 1; documents are private unless isPrivate=false.
- ``GET /platform/document/v1/documents?filter=externalId == '<id>'``: ``{documents, totalCount}``.
- ``GET .../documents/{id}/metadata``: the metadata; ``GET .../documents/{id}/content``: the content;
  ``GET .../documents/{id}``: both, as a multipart response (as the real endpoint does).
- ``PATCH .../documents/{id}?optimistic-locking-version=<v>``: multipart with any of name, type,
  isPrivate, content; a stale version answers 409; the version goes up by one.

Receiver choices: externalId is unique (409 on a second document with it). The PATCH answer is
``{"documentMetadata": {...}}`` (unconfirmed; read ``version`` from it or from ``/metadata``).
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any

import orjson

from .http import Request, Response, content_type_param, error_response, json_response, media_type
from .ingest import format_timestamp

FILTER_FIELDS = ("id", "name", "type", "externalId", "owner", "isPrivate")
_CONDITION = re.compile(r"^\s*([A-Za-z.]+)\s*(==|!=)\s*(?:'((?:[^'\\]|\\.)*)'|(true|false))\s*$")
MAX_NAME_LENGTH = 128


@dataclass(slots=True)
class Part:
    name: str
    data: bytes
    content_type: str
    filename: str | None


def parse_multipart(body: bytes, content_type: str) -> dict[str, Part] | None:
    """The parts of a multipart/form-data body by name, or None when it is not one."""
    boundary = content_type_param(content_type, "boundary")
    if media_type(content_type) != "multipart/form-data" or not boundary:
        return None
    parts: dict[str, Part] = {}
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = Message()
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            if value:
                headers[name.strip()] = value.strip()
        field_name = headers.get_param("name", header="content-disposition")
        if not isinstance(field_name, str):
            continue
        filename = headers.get_param("filename", header="content-disposition")
        parts[field_name] = Part(
            field_name,
            data.removesuffix(b"\r\n"),
            headers.get("Content-Type", ""),
            filename if isinstance(filename, str) else None,
        )
    return parts


def _text(part: Part | None) -> str | None:
    return part.data.decode("utf-8") if part is not None else None


def _boolean(text: str | None, default: bool) -> bool | None:
    if text is None:
        return default
    return {"true": True, "false": False}.get(text.strip().lower())


class DocumentStore:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._documents: dict[str, dict[str, Any]] = {}

    def documents(self) -> list[dict[str, Any]]:
        """Metadata plus ``content`` (bytes) of every document, for tests."""
        with self._lock:
            return [{**self._metadata(doc), "content": doc["content"]} for doc in self._documents.values()]

    def clear(self) -> None:
        with self._lock:
            self._documents.clear()

    @staticmethod
    def _metadata(doc: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in doc.items() if key not in ("content", "contentType")}

    # Documented: POST /platform/document/v1/documents (document:documents:write), multipart form.
    def create(self, request: Request, owner: str) -> Response:
        parts = parse_multipart(request.body, request.header("Content-Type"))
        if parts is None:
            return error_response(400, "The body must be multipart/form-data")
        name, kind = _text(parts.get("name")), _text(parts.get("type"))
        content = parts.get("content")
        missing = [label for label, item in (("name", name), ("type", kind), ("content", content)) if not item]
        if missing:
            return error_response(400, f"Missing form field(s): {', '.join(missing)}")
        assert name is not None and kind is not None and content is not None
        if len(name) > MAX_NAME_LENGTH:
            return error_response(400, f"name is longer than {MAX_NAME_LENGTH} characters")
        if not content.content_type:
            return error_response(400, "The content part needs a Content-Type header")
        is_private = _boolean(_text(parts.get("isPrivate")), True)
        if is_private is None:
            return error_response(400, "isPrivate must be true or false")
        external_id = _text(parts.get("externalId")) or None
        doc_id = _text(parts.get("id")) or str(uuid.uuid4())
        now = format_timestamp(self._clock())
        with self._lock:
            if doc_id in self._documents:
                return error_response(409, f"A document with id {doc_id} already exists")
            if external_id and any(d["externalId"] == external_id for d in self._documents.values()):
                return error_response(409, f"A document with externalId {external_id!r} already exists")
            doc = {
                "id": doc_id,
                "name": name,
                "type": kind,
                "version": 1,
                "owner": owner,
                "isPrivate": is_private,
                "externalId": external_id,
                "modificationInfo": {
                    "createdBy": owner,
                    "createdTime": now,
                    "lastModifiedBy": owner,
                    "lastModifiedTime": now,
                },
                "content": content.data,
                "contentType": content.content_type,
            }
            self._documents[doc_id] = doc
            return json_response(201, self._metadata(doc))

    # Documented: GET /platform/document/v1/documents?filter=... (document:documents:read).
    def list(self, request: Request) -> Response:
        conditions = _parse_filter(request.query.get("filter", ""))
        if isinstance(conditions, str):
            return error_response(400, conditions)
        with self._lock:
            found = [self._metadata(d) for d in self._documents.values() if _matches(d, conditions)]
        return json_response(200, {"documents": found, "totalCount": len(found)})

    # Documented: GET /platform/document/v1/documents/{id}[/metadata|/content] (document:documents:read).
    def get(self, doc_id: str, part: str) -> Response:
        with self._lock:
            doc = self._documents.get(doc_id)
            if doc is None:
                return error_response(404, f"Document {doc_id} not found")
            metadata, content, content_type = self._metadata(doc), doc["content"], doc["contentType"]
        if part == "metadata":
            return json_response(200, metadata)
        if part == "content":
            return Response(200, content, content_type)
        boundary = uuid.uuid4().hex
        body = b"".join(
            [
                f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n'
                "Content-Type: application/json\r\n\r\n".encode(),
                orjson.dumps(metadata),
                f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="{doc_id}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode(),
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        return Response(200, body, f"multipart/form-data; boundary={boundary}")

    # Documented: PATCH /platform/document/v1/documents/{id}?optimistic-locking-version=<v>.
    def update(self, doc_id: str, request: Request, editor: str) -> Response:
        expected_version = request.query.get("optimistic-locking-version")
        if not expected_version:
            return error_response(400, "The optimistic-locking-version query parameter is required")
        parts = parse_multipart(request.body, request.header("Content-Type"))
        if parts is None:
            return error_response(400, "The body must be multipart/form-data")
        changes: dict[str, Any] = {}
        for name in ("name", "type"):
            if name in parts:
                text = _text(parts[name])
                if not text:
                    return error_response(400, f"{name} must not be empty")
                changes[name] = text
        if "isPrivate" in parts:
            changes["isPrivate"] = _boolean(_text(parts["isPrivate"]), True)
            if changes["isPrivate"] is None:
                return error_response(400, "isPrivate must be true or false")
        if "content" in parts:
            content = parts["content"]
            if not content.data or not content.content_type:
                return error_response(400, "content must be non-empty and carry a Content-Type")
            changes.update(content=content.data, contentType=content.content_type)
        if not changes:
            return error_response(400, "Nothing to update: send name, type, isPrivate or content")
        with self._lock:
            doc = self._documents.get(doc_id)
            if doc is None:
                return error_response(404, f"Document {doc_id} not found")
            if str(doc["version"]) != expected_version.strip():
                return error_response(
                    409, f"Version conflict: the document is at version {doc['version']}, not {expected_version}"
                )
            doc.update(changes)
            doc["version"] += 1
            doc["modificationInfo"] = {
                **doc["modificationInfo"],
                "lastModifiedBy": editor,
                "lastModifiedTime": format_timestamp(self._clock()),
            }
            return json_response(200, {"documentMetadata": self._metadata(doc)})


def _parse_filter(text: str) -> list[tuple[str, str, Any]] | str:
    """``externalId == 'x' and type == 'dashboard'``: equality filters joined by ``and``."""
    if not text.strip():
        return []
    conditions = []
    for clause in re.split(r"\s+and\s+", text.strip()):
        match = _CONDITION.match(clause)
        if not match or match.group(1) not in FILTER_FIELDS:
            return (
                f"Unsupported filter {text!r}: the receiver understands <field> == '<text>' joined by "
                f"'and', on {', '.join(FILTER_FIELDS)}"
            )
        field, operator, quoted, boolean = match.groups()
        value: Any = quoted.replace("\\'", "'") if quoted is not None else boolean == "true"
        conditions.append((field, operator, value))
    return conditions


def _matches(doc: dict[str, Any], conditions: list[tuple[str, str, Any]]) -> bool:
    for field, operator, value in conditions:
        if (doc.get(field) == value) != (operator == "=="):
            return False
    return True
