"""CSV: one row per event, in the columns process-mining tools map on import.

``case_id, activity, timestamp, event_type, event_id, resource``, then the journey's location,
segment and revenue under their field names (the case's values, on every row of the case). Rows
come case by case, each case's events in time order. RFC 4180: comma-separated, CRLF line ends,
a field quoted only when it holds a comma, a quote or a line break; UTF-8 without a byte-order mark.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..compiled import CompiledJourney
from .cases import CaseBatch, activity_names, case_batches
from .values import CaseAttributes

FIXED_COLUMNS = ("case_id", "activity", "timestamp", "event_type", "event_id", "resource")


def csv_field(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


class CsvWriter:
    def __init__(self, journey: CompiledJourney):
        spec = journey.spec
        self._attributes = attributes = CaseAttributes.of(spec)
        self._columns = [*FIXED_COLUMNS, *attributes.fields]
        # Each row is: case id, the type's activity, timestamp, the type's own columns, event id, host, case tail.
        self._activities = [csv_field(a) + "," for a in activity_names(journey)]
        self._types = ["," + csv_field(t) + "," for t in journey.type_names]
        self._hosts = ["," + csv_field(h.value) for h in spec.hosts] + [","]
        self._locations = self._values(attributes.location_field, attributes.locations)
        self._segments = self._values(attributes.segment_field, attributes.segments)

    @staticmethod
    def _values(field: str | None, values: tuple[str, ...]) -> list[str]:
        return ["," + csv_field(v) for v in values] + [","] if field else [""]

    def header(self) -> bytes:
        return (",".join(csv_field(c) for c in self._columns) + "\r\n").encode()

    def batch(self, cases: CaseBatch) -> bytes:
        bounds = cases.case_starts.tolist()
        revenue = self._attributes.revenue_field is not None
        case_of_event: list[str] = []
        tails: list[str] = []
        for index, case_id in enumerate(cases.case_ids):
            tail = self._locations[cases.case_locations[index]] + self._segments[cases.case_segments[index]]
            if revenue:
                tail += "," + self._attributes.revenue_text(cases.case_revenue_cents[index])
            count = bounds[index + 1] - bounds[index]
            case_of_event.extend([case_id + ","] * count)
            tails.extend([tail + "\r\n"] * count)
        activities, types, hosts = self._activities, self._types, self._hosts
        rows = [
            f"{case}{activities[code]}{ts}{types[code]}{eid}{hosts[host]}{tail}"
            for case, code, ts, eid, host, tail in zip(
                case_of_event, cases.type_codes, cases.timestamps, cases.event_ids, cases.hosts, tails, strict=True
            )
        ]
        return "".join(rows).encode()

    def footer(self) -> bytes:
        return b""


def csv_chunks(journey: CompiledJourney, start, end) -> Iterator[bytes]:
    writer = CsvWriter(journey)
    yield writer.header()
    for cases in case_batches(journey, start, end):
        yield writer.batch(cases)
