"""XES (IEEE 1849-2016): one trace per journey, one event per generated event.

The log declares the concept, time, lifecycle and org extensions. A trace is named after the
journey's correlation id and carries the journey's location, segment and revenue under their field
names; an event carries its activity (``concept:name``), timestamp, ``lifecycle:transition``
complete, the host as ``org:resource``, and its own ``event.id`` and ``event.type``.

Every string that can vary is formatted once per journey: an event is one f-string of a
precomputed head (activity and type), its timestamp, its id and a precomputed host part.

Standard: https://xes-standard.org/ (IEEE 1849-2016 XES Standard)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..compiled import CompiledJourney
from .cases import CaseBatch, activity_names, case_batches
from .values import CaseAttributes, xml_attr

XES_NAMESPACE = "http://www.xes-standard.org/"
EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)


class XesWriter:
    def __init__(self, journey: CompiledJourney):
        spec = journey.spec
        self._spec = spec
        self._attributes = attributes = CaseAttributes.of(spec)
        self._event_heads = [
            f'  <event><string key="concept:name" value="{xml_attr(activity)}"/>'
            f'<string key="event.type" value="{xml_attr(event_type)}"/>'
            '<string key="lifecycle:transition" value="complete"/><date key="time:timestamp" value="'
            for activity, event_type in zip(activity_names(journey), journey.type_names, strict=True)
        ]
        self._hosts = [f'<string key="org:resource" value="{xml_attr(h.value)}"/>' for h in spec.hosts] + [""]
        self._locations = self._string_parts(attributes.location_field, attributes.locations)
        self._segments = self._string_parts(attributes.segment_field, attributes.segments)
        kind = "int" if attributes.revenue_whole else "float"
        self._revenue_head = f'<{kind} key="{xml_attr(attributes.revenue_field or "")}" value="'

    @staticmethod
    def _string_parts(field: str | None, values: tuple[str, ...]) -> list[str]:
        if not field:
            return [""]
        key = xml_attr(field)
        return [f'<string key="{key}" value="{xml_attr(value)}"/>' for value in values] + [""]

    def header(self) -> bytes:
        spec = self._spec
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<log xes.version="1849-2016" xmlns="{XES_NAMESPACE}">',
            *(f'  <extension name="{n}" prefix="{p}" uri="{u}"/>' for n, p, u in EXTENSIONS),
            '  <global scope="trace"><string key="concept:name" value="__INVALID__"/></global>',
            '  <global scope="event"><string key="concept:name" value="__INVALID__"/>'
            '<date key="time:timestamp" value="1970-01-01T00:00:00.000Z"/>'
            '<string key="lifecycle:transition" value="complete"/></global>',
            '  <classifier name="Activity" keys="concept:name"/>',
            f'  <string key="concept:name" value="{xml_attr(spec.name)}"/>',
            f'  <string key="event.provider" value="{xml_attr(spec.event_provider)}"/>',
            f'  <string key="correlation.field" value="{xml_attr(spec.correlation_field)}"/>',
            f'  <int key="seed" value="{spec.seed}"/>',
        ]
        return ("\n".join(lines) + "\n").encode()

    def batch(self, cases: CaseBatch) -> bytes:
        heads, hosts = self._event_heads, self._hosts
        columns = zip(cases.type_codes, cases.timestamps, cases.event_ids, cases.hosts, strict=True)
        events = [
            f'{heads[code]}{ts}"/><string key="event.id" value="{eid}"/>{hosts[host]}</event>\n'
            for code, ts, eid, host in columns
        ]
        bounds = cases.case_starts.tolist()
        out: list[str] = []
        for index, case_id in enumerate(cases.case_ids):
            out.append(self._trace_head(cases, index, case_id))
            out.extend(events[bounds[index] : bounds[index + 1]])
            out.append("</trace>\n")
        return "".join(out).encode()

    def _trace_head(self, cases: CaseBatch, index: int, case_id: str) -> str:
        revenue = ""
        if self._attributes.revenue_field and cases.case_revenue_cents[index] >= 0:
            revenue = f'{self._revenue_head}{self._attributes.revenue_text(cases.case_revenue_cents[index])}"/>'
        return (
            f'<trace><string key="concept:name" value="{case_id}"/>'
            f"{self._locations[cases.case_locations[index]]}{self._segments[cases.case_segments[index]]}{revenue}\n"
        )

    def footer(self) -> bytes:
        return b"</log>\n"


def xes_chunks(journey: CompiledJourney, start, end) -> Iterator[bytes]:
    writer = XesWriter(journey)
    yield writer.header()
    for cases in case_batches(journey, start, end):
        yield writer.batch(cases)
    yield writer.footer()
