"""The file sink: NDJSON files on the server's disk, one per journey and UTC day.

``<directory>/<journey-slug>/<YYYY-MM-DD>.ndjson``, appended in delivery order; a batch that spans
midnight goes to two files. Handy for a first look, for feeding another tool, and for tests.

Resends are harmless: the first time a run touches a file it looks at the file's last complete line,
and when that event is also in the batch (the previous run was killed after writing but before its
progress was saved) the events up to it are not written again. A line cut short by a crash is
removed first. The file therefore holds each event once, however runs end.
"""

from __future__ import annotations

import errno
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson
from django.conf import settings

from ...engine.encode import EncodedBatch
from .. import register
from ..base import DeliveryError, DeliveryReport, Sink

MS_PER_DAY = 86_400_000
TAIL_BYTES = 64 * 1024  # enough for the last line of any journey's events
SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def allowed_roots() -> list[Path]:
    roots = settings.BIZFLOW_FILE_SINK_ROOTS or [settings.BIZFLOW_EVENTS_DIR]
    return [Path(root).resolve() for root in roots]


def resolve_directory(value: str | None) -> Path:
    """The directory a destination writes to: relative paths sit under BIZFLOW_EVENTS_DIR.

    Absolute paths must lie inside one of BIZFLOW_FILE_SINK_ROOTS, so a user of the web app cannot
    make the server write anywhere it can.
    """
    base = Path(settings.BIZFLOW_EVENTS_DIR)
    path = (base / value).resolve() if value else base.resolve()
    roots = allowed_roots()
    if not any(path == root or path.is_relative_to(root) for root in roots):
        raise ValueError(f"{value} is outside the directories files may be written to: {', '.join(map(str, roots))}")
    return path


def day_file_name(day: int) -> str:
    return datetime.fromtimestamp(day * MS_PER_DAY / 1000, UTC).strftime("%Y-%m-%d.ndjson")


@register("file")
class FileSink(Sink):
    def __init__(self, config: dict, secrets: dict | None = None):
        super().__init__(config, secrets)
        self.fsync = bool(config.get("fsync", True))
        self._checked: set[Path] = set()

    @property
    def directory(self) -> Path:
        try:
            return resolve_directory(self.config.get("directory"))
        except ValueError as exc:
            raise DeliveryError(str(exc), permanent=True) from None

    def check(self) -> str:
        directory = self.directory
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeliveryError(f"cannot create {directory}: {exc.strerror}", permanent=True) from None
        if not os.access(directory, os.W_OK):
            raise DeliveryError(f"{directory} is not writable", permanent=True)
        return f"writing to {directory}"

    def deliver(self, batch: EncodedBatch, *, journey_slug: str) -> DeliveryReport:
        if not SAFE_SLUG.match(journey_slug):
            raise DeliveryError(f"{journey_slug!r} cannot be used as a folder name", permanent=True)
        folder = self.directory / journey_slug
        report = DeliveryReport(delivered=0)
        for day, part in _split_by_day(batch):
            path = folder / day_file_name(day)
            try:
                already = self._prepare(path, part)
                written = self._append(path, part.slice(already, len(part)))
            except OSError as exc:
                raise _delivery_error(path, exc, delivered=report.delivered) from None
            if already:
                report.notes.append(f"{already} events already in {path.name} were not written again")
            report.delivered += len(part)
            report.bytes_sent += written
            report.requests += 1
        return report

    def _prepare(self, path: Path, part: EncodedBatch) -> int:
        """On a run's first write to ``path``: drop a cut-off last line, count the batch's events already there."""
        if path in self._checked:
            return 0
        self._checked.add(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return 0
        if not size:
            return 0
        with open(path, "rb+") as handle:
            start = max(0, size - TAIL_BYTES)
            handle.seek(start)
            tail = handle.read()
            complete = tail.rfind(b"\n") + 1  # 0 when no newline in the tail
            if complete < len(tail) and (complete or start == 0):
                handle.truncate(start + complete)  # a line cut short by a crash
            lines = tail[:complete].splitlines()
        if not lines:
            return 0
        event_id = orjson.loads(lines[-1]).get("event.id")
        if not event_id:
            return 0
        found = part.data.find(b'"event.id":"' + event_id.encode("ascii") + b'"')
        if found < 0:
            return 0
        return int(np.searchsorted(part.offsets, found, side="right"))  # the line holding it, and all before

    def _append(self, path: Path, part: EncodedBatch) -> int:
        if not len(part):
            return 0
        with open(path, "ab") as handle:
            before = handle.tell()
            try:
                handle.write(part.data)
                handle.flush()
                if self.fsync:
                    os.fsync(handle.fileno())
            except OSError:
                handle.truncate(before)  # leave no half batch behind: it will be sent again
                raise
        return part.nbytes


def _split_by_day(batch: EncodedBatch):
    """(UTC day number, events of that day) for each day the batch touches, in order."""
    if not len(batch):
        return
    first, last = int(batch.ts_ms[0] // MS_PER_DAY), int(batch.ts_ms[-1] // MS_PER_DAY)
    if first == last:
        yield first, batch
        return
    edges = np.searchsorted(batch.ts_ms, np.arange(first, last + 2, dtype=np.int64) * MS_PER_DAY)
    for day, (lo, hi) in enumerate(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True), start=first):
        if lo < hi:
            yield day, batch.slice(lo, hi)


def _delivery_error(path: Path, exc: OSError, *, delivered: int) -> DeliveryError:
    # No permission, a read-only disk or a file where a folder should be will not mend by itself;
    # a full disk or an I/O hiccup might.
    lasting = (errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST)
    permanent = isinstance(exc, PermissionError) or exc.errno in lasting
    return DeliveryError(f"cannot write {path}: {exc.strerror or exc}", permanent=permanent, delivered=delivered)
