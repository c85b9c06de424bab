"""The file sink: NDJSON files on the server's disk, one per journey and UTC day, in the tenant's own folder.

Every tenant has a folder of its own, ``<BIZFLOW_EVENTS_DIR>/tenants/<tenant slug>/``, and a file
destination writes inside its tenant's folder only: ``<tenant folder>/<directory>/<journey-slug>/
<YYYY-MM-DD>.ndjson``, appended in delivery order; a batch that spans midnight goes to two files.
``directory`` is a relative folder (letters, digits, ``.``, ``_``, ``-`` and ``/`` between names):
absolute paths and ``..`` are refused, and so is a folder that a symbolic link leads out of the
tenant's folder. Messages name folders relative to the tenant's folder, never the server's paths.
The delivery service tells the sink its tenant's folder (``tenant_folder`` in the config it builds,
never a stored setting).

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
from pathlib import Path, PurePosixPath

import numpy as np
import orjson
from django.conf import settings

from ...engine.encode import EncodedBatch
from .. import register
from ..base import TENANT_FOLDER, DeliveryError, DeliveryReport, Sink

MS_PER_DAY = 86_400_000
TAIL_BYTES = 64 * 1024  # enough for the last line of any journey's events
SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
FOLDER_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")  # no leading dot: no ".", "..", hidden folders
TENANTS = "tenants"


class FolderRefused(ValueError):
    """A destination folder that would leave the tenant's own folder; the message is for the user."""


def tenant_root(tenant_folder: str) -> Path:
    """The tenant's own folder (not created here)."""
    if not SAFE_SLUG.match(tenant_folder or ""):
        raise FolderRefused("this destination has no tenant folder")
    return Path(settings.BIZFLOW_EVENTS_DIR) / TENANTS / tenant_folder


def clean_folder(value: str | None) -> str:
    """A destination's folder as typed, checked and written plainly (``""``: the tenant's folder itself)."""
    text = (value or "").strip()
    if text.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", text):
        raise FolderRefused("Give a folder inside your tenant's folder (e.g. exports/orders), not an absolute path.")
    if "\\" in text:
        raise FolderRefused("Separate folder names with /, not \\.")
    parts = [part for part in PurePosixPath(text).parts if part != "."] if text else []
    if ".." in text.split("/"):
        raise FolderRefused("'..' is not allowed: a destination's folder stays inside your tenant's folder.")
    bad = next((part for part in parts if not FOLDER_NAME.match(part)), None)
    if bad is not None:
        raise FolderRefused(f"'{bad}': use letters, digits, '.', '_' and '-' in folder names (not first '.').")
    return "/".join(parts)


def resolve_directory(value: str | None, tenant_folder: str) -> Path:
    """Where a destination writes: its folder inside the tenant's, refused if a symbolic link leads out."""
    root = tenant_root(tenant_folder)
    folder = clean_folder(value)
    path = root / folder if folder else root
    # resolve() follows every symbolic link that exists on the way, whatever the parts that do not yet.
    if not path.resolve().is_relative_to(root.resolve()):
        raise FolderRefused(f"'{folder}' leads outside your tenant's folder (a symbolic link): choose another folder.")
    return path


def day_file_name(day: int) -> str:
    return datetime.fromtimestamp(day * MS_PER_DAY / 1000, UTC).strftime("%Y-%m-%d.ndjson")


@register("file")
class FileSink(Sink):
    needs_tenant_folder = True

    def __init__(self, config: dict, secrets: dict | None = None):
        super().__init__(config, secrets)
        self.fsync = bool(config.get("fsync", True))
        self._checked: set[Path] = set()

    @property
    def root(self) -> Path:
        try:
            return tenant_root(self.config.get(TENANT_FOLDER) or "")
        except FolderRefused as exc:
            raise DeliveryError(str(exc), permanent=True) from None

    @property
    def directory(self) -> Path:
        try:
            return resolve_directory(self.config.get("directory"), self.config.get(TENANT_FOLDER) or "")
        except FolderRefused as exc:
            raise DeliveryError(f"folder refused: {exc}", permanent=True) from None

    def shown(self, path: Path) -> str:
        """``path`` as the user knows it: relative to the tenant's folder."""
        try:
            relative = path.relative_to(self.root).as_posix()
        except ValueError:
            return path.name
        return "the tenant's folder" if relative == "." else f"{relative}/" if path.is_dir() else relative

    def check(self) -> str:
        """Whether files could be written, changing nothing: no folder is created."""
        directory = self.directory
        existing = directory
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise DeliveryError(f"{self.shown(existing)} is a file, not a folder", permanent=True)
        if not os.access(existing, os.W_OK | os.X_OK):
            raise DeliveryError(f"{self.shown(existing)} is not writable", permanent=True)
        if existing == directory:
            return f"writing to {self.shown(directory)}"
        return f"writing to {self.shown(directory)}, created with the first delivery"

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
                raise _delivery_error(self.shown(path), exc, delivered=report.delivered) from None
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


def _delivery_error(path: str, exc: OSError, *, delivered: int) -> DeliveryError:
    # No permission, a read-only disk or a file where a folder should be will not mend by itself;
    # a full disk or an I/O hiccup might.
    lasting = (errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST)
    permanent = isinstance(exc, PermissionError) or exc.errno in lasting
    return DeliveryError(f"cannot write {path}: {exc.strerror or exc}", permanent=permanent, delivered=delivered)
