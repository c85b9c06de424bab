"""Serialise event columns to NDJSON quickly, and the batch type that sinks deliver.

Every string that comes from the user is escaped once, up front, with ``ensure_ascii``, so each
line is pure ASCII: a batch can be cut at any line boundary without decoding anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import orjson

from .columns import EventColumns
from .compiled import CompiledJourney

TIMESTAMP_FORMATS = ("rfc3339", "epoch_ms")
MAX_TABLE_ROWS = 1 << 16  # above this many (type, host, location, segment) combinations, tables are split

# Two hex characters per byte value, as one little-endian uint16: a single gather writes both.
_HEX_PAIRS = np.array([ord(f"{b:02x}"[0]) | ord(f"{b:02x}"[1]) << 8 for b in range(256)], dtype="<u2")
_DIGITS = {width: np.array([list(f"{v:0{width}d}".encode()) for v in range(10**width)], np.uint8) for width in (2, 3)}
# Where each of the 32 hex characters sits in the 36-character UUID form (-1: a dash).
_UUID_LAYOUT = (0, 1, 2, 3, 4, 5, 6, 7, -1, 8, 9, 10, 11, -1, 12, 13, 14, 15, -1, 16, 17, 18, 19, -1) + tuple(
    range(20, 32)
)


def _q(value: str) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode("ascii")


def _hex(raw: np.ndarray) -> np.ndarray:
    """(n, 32) lowercase hex characters of (n, 16) bytes."""
    return _HEX_PAIRS[raw].view(np.uint8)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) zero-padded decimal digits."""
    out = np.empty((values.shape[0], width), np.uint8)
    for position in range(width - 1, -1, -1):
        values, digit = np.divmod(values, 10)
        out[:, position] = digit + ord("0")
    return out


def _timestamp_chars(ts_ms: np.ndarray, timestamp_format: str) -> np.ndarray:
    """(n, 24) ``YYYY-MM-DDTHH:MM:SS.mmmZ`` or (n, 13) epoch milliseconds.

    A batch spans minutes, not years: the slow-changing head is formatted once per distinct minute
    (or 100-second span) and gathered; only the fast-changing digits are computed per event.
    """
    if timestamp_format == "epoch_ms":
        if ts_ms.min() < 10**12:
            raise ValueError("epoch-millisecond timestamps need dates from 2001-09-09 on")
        heads, index = np.unique(ts_ms // 100_000, return_inverse=True)
        out = np.empty((ts_ms.shape[0], 13), np.uint8)
        out[:, :8] = _digits(heads, 8)[index]
        rest = ts_ms % 100_000
        out[:, 8:10] = _DIGITS[2][rest // 1000]
        out[:, 10:13] = _DIGITS[3][rest % 1000]
        return out
    minutes, index = np.unique(ts_ms // 60_000, return_inverse=True)
    heads = [datetime.fromtimestamp(int(m) * 60, UTC).strftime("%Y-%m-%dT%H:%M:").encode() for m in minutes]
    out = np.empty((ts_ms.shape[0], 24), np.uint8)
    out[:, :17] = np.array([list(h) for h in heads], np.uint8)[index]
    out[:, 17:19] = _DIGITS[2][ts_ms // 1000 % 60]
    out[:, 19] = ord(".")
    out[:, 20:23] = _DIGITS[3][ts_ms % 1000]
    out[:, 23] = ord("Z")
    return out


def rfc3339_strings(ts_ms: np.ndarray) -> list[str]:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` for each epoch-millisecond timestamp, as the events carry it."""
    if not ts_ms.size:
        return []
    return _timestamp_chars(ts_ms, "rfc3339").view("S24").ravel().astype(str).tolist()


def uuid_bytes(raw: np.ndarray) -> list[bytes]:
    """Canonical 8-4-4-4-12 UUID text (ASCII bytes) for an (n, 16) uint8 array."""
    hexed = np.concatenate([_hex(raw), np.full((raw.shape[0], 1), ord("-"), np.uint8)], axis=1)
    return hexed[:, list(_UUID_LAYOUT)].copy().view("S36").ravel().tolist()


def uuid_strings(raw: np.ndarray) -> list[str]:
    """Canonical 8-4-4-4-12 UUID strings for an (n, 16) uint8 array."""
    return [u.decode("ascii") for u in uuid_bytes(raw)]


@dataclass(frozen=True)
class EncodedBatch:
    """NDJSON events: line i is ``data[offsets[i]:offsets[i+1]]`` (its newline included).

    ``correlation`` and ``event_id`` are the (n, 16) raw UUIDs a message key is made of: the journey's
    correlation id and the event's own id (for a decision event, its execution id). The generator
    fills them; slicing and joining keep them, so a key never has to be read back out of the JSON.
    A batch built by hand may leave them out (None) if it is never keyed.
    """

    data: bytes
    offsets: np.ndarray  # int64, len(batch) + 1
    ts_ms: np.ndarray  # int64, non-decreasing
    correlation: np.ndarray | None = None  # (n, 16) uint8
    event_id: np.ndarray | None = None  # (n, 16) uint8

    def __len__(self) -> int:
        return len(self.ts_ms)

    @property
    def nbytes(self) -> int:
        return len(self.data)

    def line(self, index: int) -> bytes:
        return self.data[self.offsets[index] : self.offsets[index + 1] - 1]

    def lines(self) -> list[bytes]:
        return self.data.split(b"\n")[:-1]

    def slice(self, start: int, stop: int) -> EncodedBatch:
        lo, hi = int(self.offsets[start]), int(self.offsets[stop])
        return type(self)(
            self.data[lo:hi],
            self.offsets[start : stop + 1] - lo,
            self.ts_ms[start:stop],
            None if self.correlation is None else self.correlation[start:stop],
            None if self.event_id is None else self.event_id[start:stop],
        )

    def key_ids(self, mode: str) -> list[bytes]:
        """Each event's key as UUID text: the journey's correlation id (``correlation``) or the event's id."""
        raw = self.correlation if mode == "correlation" else self.event_id
        if raw is None:
            raise ValueError(f"this batch carries no {mode} column to key its events by")
        return uuid_bytes(raw)

    def json_array(self) -> bytes:
        """The batch as one JSON array (the body Dynatrace's ingest API takes)."""
        if not self.data:
            return b"[]"
        return b"[" + self.data[:-1].replace(b"\n", b",") + b"]"

    def to_dicts(self) -> list[dict]:
        return [orjson.loads(line) for line in self.lines()]

    def cut_points(self, max_bytes: int, overhead_per_line: int = 0) -> list[int]:
        """Line indexes cutting the batch into runs of at most ``max_bytes`` (a lone long line may exceed it)."""
        running = np.cumsum(np.diff(self.offsets) + overhead_per_line)
        cuts, start = [0], 0
        while start < len(self):
            base = running[start - 1] if start else 0
            stop = max(int(np.searchsorted(running, base + max_bytes, side="right")), start + 1)
            cuts.append(stop)
            start = stop
        return cuts

    @classmethod
    def concat(cls, batches: list[EncodedBatch]) -> EncodedBatch:
        """The batches one after the other, with every id column they all carry.

        Empty batches add nothing, not even a missing column; the result is of the batches' own class
        when they share one (decision batches joined stay a decision batch).
        """
        kinds = {type(b) for b in batches} or {cls}
        kind = kinds.pop() if len(kinds) == 1 else EncodedBatch
        batches = [b for b in batches if len(b)]
        if not batches:
            return kind(b"", np.zeros(1, np.int64), np.empty(0, np.int64), _no_ids(), _no_ids())
        if len(batches) == 1:
            return batches[0]
        bases = np.cumsum([0] + [b.nbytes for b in batches[:-1]])
        offsets = np.concatenate(
            [np.zeros(1, np.int64)] + [b.offsets[1:] + base for b, base in zip(batches, bases, strict=True)]
        )
        return kind(
            b"".join(b.data for b in batches),
            offsets,
            np.concatenate([b.ts_ms for b in batches]),
            _joined([b.correlation for b in batches]),
            _joined([b.event_id for b in batches]),
        )


def _no_ids() -> np.ndarray:
    return np.empty((0, 16), np.uint8)


def _joined(columns: list[np.ndarray | None]) -> np.ndarray | None:
    """One id column from the parts' columns; None if any part lacks it."""
    if any(column is None for column in columns):
        return None
    return np.concatenate(columns)


def _runs(positions: np.ndarray) -> list[tuple[int, int, int]]:
    """(destination, source, width) for each run of consecutive destination columns."""
    runs: list[tuple[int, int, int]] = []
    for src, dst in enumerate(positions.tolist()):
        if runs and runs[-1][0] + runs[-1][2] == dst:
            runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((dst, src, 1))
    return runs


def regroup(batches, max_events: int | None):
    """Join consecutive batches into runs of up to ``max_events`` events (None: pass them through).

    A destination that waits for acknowledgements once per call (Kafka) goes faster with fewer, larger
    calls; the order of events is unchanged.
    """
    if not max_events:
        yield from batches
        return
    pending: list[EncodedBatch] = []
    count = 0
    for batch in batches:
        if pending and count + len(batch) > max_events:
            yield EncodedBatch.concat(pending)
            pending, count = [], 0
        pending.append(batch)
        count += len(batch)
    if pending:
        yield EncodedBatch.concat(pending)


def _padded(rows: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """A NUL-padded (len(rows), longest) uint8 table and each row's length."""
    lengths = np.array([len(r) for r in rows], np.int64)
    width = int(lengths.max(initial=0)) or 1
    padded = b"".join(row.ljust(width, b"\0") for row in rows)
    return np.frombuffer(padded, np.uint8).reshape(len(rows), width).copy(), lengths


def _place(out: np.ndarray, offset: np.ndarray, content: np.ndarray, lengths: np.ndarray) -> None:
    """Write each row's ``content`` at its own ``offset``, then advance the offsets by ``lengths``.

    Rows are grouped by offset, so the work is one vectorised copy per distinct offset.
    """
    width = content.shape[1]
    first = int(offset[0])
    if (offset == first).all():
        out[:, first : first + width] = content
    else:
        order = np.argsort(offset, kind="stable")
        starts = np.flatnonzero(np.diff(offset[order], prepend=-1))
        for a, b in zip(starts.tolist(), starts[1:].tolist() + [len(order)], strict=True):
            rows = order[a:b]
            p = int(offset[rows[0]])
            out[rows, p : p + width] = content[rows]
    offset += lengths


class Encoder:
    """Turns EventColumns of one journey into NDJSON, building whole lines in numpy.

    Each line is laid out left-aligned in a NUL-padded byte matrix: a fixed-width start shared by all
    events (provider, correlation id, timestamp, event id), then the event's type, host, location and
    segment taken whole from a precomputed table, then revenue and the closing brace. numpy's bytes
    view drops the NUL padding as it hands each row back, so a batch costs a few array operations and
    one join. Keys come in this order: event.provider, the correlation field, timestamp, event.id,
    event.type, dt.entity.host, location, segment, revenue, extra attributes.
    """

    def __init__(self, journey: CompiledJourney, *, timestamp_format: str = "rfc3339"):
        if timestamp_format not in TIMESTAMP_FORMATS:
            raise ValueError(f"timestamp_format must be one of {TIMESTAMP_FORMATS}")
        spec = journey.spec
        self.timestamp_format = timestamp_format
        self._carries = {name: journey.type_carries[name] for name in ("location", "segment", "revenue")}
        self._ts_width = 13 if timestamp_format == "epoch_ms" else 24
        self._fixed_template, positions = self._fixed_layout(spec.event_provider, spec.correlation_field)
        self._fixed_runs = _runs(positions)
        dimensions = [
            [b',"event.type":' + _q(name) for name in journey.type_names],
            [b',"dt.entity.host":' + _q(h.value) for h in spec.hosts] + [b""],
            [b"," + _q(spec.location_field) + b":" + _q(w.value) for w in spec.locations] + [b""],
            [b"," + _q(spec.segment_field) + b":" + _q(w.value) for w in spec.segments] + [b""],
        ]
        self._sizes = [len(values) for values in dimensions]
        self._tables = self._combine(dimensions)
        self._tail = b"".join(b"," + _q(k) + b":" + _q(v) for k, v in spec.extra_attributes) + b"}\n"
        self._revenue_key = b"," + _q(spec.revenue.field) + b":" if spec.revenue else b""
        self._revenue_whole = bool(spec.revenue and spec.revenue.whole_numbers)

    def _fixed_layout(self, provider: str, correlation_field: str) -> tuple[np.ndarray, np.ndarray]:
        """The fixed start of every line as a template row, and the columns its per-event characters fill."""
        quote_ts = b"" if self.timestamp_format == "epoch_ms" else b'"'
        template = bytearray(b'{"event.provider":' + _q(provider) + b"," + _q(correlation_field) + b':"')
        positions: list[int] = []

        def add_uuid() -> None:
            start = len(template)
            template.extend(b"-" * 36)
            positions.extend(start + i for i, src in enumerate(_UUID_LAYOUT) if src >= 0)

        add_uuid()
        template.extend(b'","timestamp":' + quote_ts)
        positions.extend(range(len(template), len(template) + self._ts_width))
        template.extend(b"0" * self._ts_width)
        template.extend(quote_ts + b',"event.id":"')
        add_uuid()
        template.extend(b'"')
        return np.frombuffer(bytes(template), np.uint8), np.array(positions, np.int64)

    @staticmethod
    def _combine(dimensions: list[list[bytes]]) -> list[tuple[list[int], np.ndarray, np.ndarray]]:
        """Merge neighbouring dimensions into one table while the table stays small."""
        groups: list[list[int]] = [[0]]
        for index in range(1, len(dimensions)):
            if np.prod([len(dimensions[i]) for i in groups[-1]]) * len(dimensions[index]) <= MAX_TABLE_ROWS:
                groups[-1].append(index)
            else:
                groups.append([index])
        tables = []
        for group in groups:
            rows = [b""]
            for index in group:
                rows = [row + value for row in rows for value in dimensions[index]]
            tables.append((group, *_padded(rows)))
        return tables

    def _dimension_indexes(self, cols: EventColumns) -> list[np.ndarray]:
        """Each event's row in each dimension; the last row of a dimension is its empty entry."""
        sizes, code = self._sizes, cols.type_code.astype(np.int64)
        host = np.where(cols.host < 0, sizes[1] - 1, cols.host)
        location = np.where(self._carries["location"][code] & (cols.location >= 0), cols.location, sizes[2] - 1)
        segment = np.where(self._carries["segment"][code] & (cols.segment >= 0), cols.segment, sizes[3] - 1)
        return [code, host.astype(np.int64), location.astype(np.int64), segment.astype(np.int64)]

    def _fixed_into(self, out: np.ndarray, cols: EventColumns) -> None:
        out[:, : len(self._fixed_template)] = self._fixed_template
        characters = np.concatenate(
            [_hex(cols.correlation), _timestamp_chars(cols.ts_ms, self.timestamp_format), _hex(cols.event_id)], axis=1
        )
        for dst, src, width in self._fixed_runs:  # slice copies: far cheaper than one fancy-index scatter
            out[:, dst : dst + width] = characters[:, src : src + width]

    def _endings(self, cols: EventColumns) -> tuple[np.ndarray, np.ndarray]:
        """Revenue (on the steps that carry it) and the closing brace, NUL-padded, per event."""
        tail, key, n = self._tail, self._revenue_key, len(cols)
        carrying = np.flatnonzero(self._carries["revenue"][cols.type_code]) if key else np.empty(0, np.int64)
        if not carrying.size:
            row = np.frombuffer(tail, np.uint8)
            return np.broadcast_to(row, (n, row.size)), np.full(n, len(tail), np.int64)
        cents = cols.revenue_cents[carrying]
        whole = cents // 100
        digit_count = np.floor(np.log10(np.maximum(whole, 1))).astype(np.int64) + 1
        fraction = 0 if self._revenue_whole else 3  # ".dd"
        endings = np.zeros((n, len(key) + int(digit_count.max()) + fraction + len(tail)), np.uint8)
        endings[:, : len(tail)] = np.frombuffer(tail, np.uint8)
        lengths = np.full(n, len(tail), np.int64)
        for count in np.unique(digit_count).tolist():
            chosen = digit_count == count
            text = np.empty((int(chosen.sum()), len(key) + count + fraction + len(tail)), np.uint8)
            text[:, : len(key)] = np.frombuffer(key, np.uint8)
            text[:, len(key) : len(key) + count] = _digits(whole[chosen], count)
            if fraction:
                text[:, len(key) + count] = ord(".")
                text[:, len(key) + count + 1 : len(key) + count + 3] = _DIGITS[2][cents[chosen] % 100]
            text[:, text.shape[1] - len(tail) :] = np.frombuffer(tail, np.uint8)
            rows = carrying[chosen]
            endings[rows, : text.shape[1]] = text
            lengths[rows] = text.shape[1]
        return endings, lengths

    def encode(self, cols: EventColumns) -> EncodedBatch:
        n = len(cols)
        if not n:
            return EncodedBatch(b"", np.zeros(1, np.int64), cols.ts_ms, cols.correlation, cols.event_id)
        indexes = self._dimension_indexes(cols)
        endings, ending_lengths = self._endings(cols)
        fixed_width = len(self._fixed_template)
        width = fixed_width + sum(table.shape[1] for _, table, _ in self._tables) + endings.shape[1]
        out = np.zeros((n, width), np.uint8)
        self._fixed_into(out, cols)
        offset = np.full(n, fixed_width, np.int64)
        for group, table, lengths in self._tables:
            row = indexes[group[0]]
            for index in group[1:]:
                row = row * self._sizes[index] + indexes[index]
            _place(out, offset, table[row], lengths[row])
        _place(out, offset, endings, ending_lengths)
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum(offset, out=offsets[1:])
        data = b"".join(out.view(f"S{width}").ravel().tolist())
        return EncodedBatch(data, offsets, cols.ts_ms, cols.correlation, cols.event_id)
