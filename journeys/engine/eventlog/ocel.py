"""OCEL 2.0 (the JSON format): journeys, hosts and locations as objects, one event type per activity.

- Object types: the journey, named after the correlation field (e.g. ``order.id``), with the
  journey's segment and revenue as attributes; ``dt.entity.host``; and the location field (e.g.
  ``location``). A journey object is related to its location object ("located in").
- Event types: one per activity, each with the attribute ``event.type``.
- Events: the event's own ``event.id`` as id, its activity as type, its timestamp, related to its
  journey ("journey"), its host ("host") and, on steps that carry it, its location ("location").

The objects come before the events, yet a journey is only known when its block is simulated. The
generator is deterministic, so the writer reads the window twice: once for the journey objects and
once for the events. Memory stays bounded by one block; the time is about twice a single pass.

Specification: https://www.ocel-standard.org/specification/formats/json/
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from ..compiled import CompiledJourney
from .cases import CaseBatch, activity_names, carried_by_type, case_batches
from .values import CaseAttributes

HOST_TYPE = "dt.entity.host"


def _json(value) -> str:
    return orjson.dumps(value).decode()


class OcelWriter:
    def __init__(self, journey: CompiledJourney):
        spec = journey.spec
        self._spec = spec
        self._attributes = attributes = CaseAttributes.of(spec)
        self._location_ids = [f"{attributes.location_field}:{v}" for v in attributes.locations]
        activities = activity_names(journey)
        self._activities = activities
        self._event_heads = [
            f',"type":{_json(activity)},"attributes":[{{"name":"event.type","value":{_json(event_type)}}}],"time":"'
            for activity, event_type in zip(activities, journey.type_names, strict=True)
        ]
        self._host_links = [f',{{"objectId":{_json(h.value)},"qualifier":"host"}}' for h in spec.hosts] + [""]
        self._location_links = [f',{{"objectId":{_json(i)},"qualifier":"location"}}' for i in self._location_ids]
        carries = carried_by_type(journey, "location")
        self._type_carries_location = carries if self._location_ids else [False] * len(carries)

    def header(self) -> bytes:
        attributes = self._attributes
        journey_attributes = []
        if attributes.segment_field:
            journey_attributes.append({"name": attributes.segment_field, "type": "string"})
        if attributes.revenue_field:
            kind = "integer" if attributes.revenue_whole else "float"
            journey_attributes.append({"name": attributes.revenue_field, "type": kind})
        object_types = [
            {"name": self._spec.correlation_field, "attributes": journey_attributes},
            {"name": HOST_TYPE, "attributes": []},
        ]
        if attributes.location_field:
            object_types.append({"name": attributes.location_field, "attributes": []})
        event_types = [
            {"name": name, "attributes": [{"name": "event.type", "type": "string"}]}
            for name in dict.fromkeys(self._activities)
        ]
        fixed_objects = [{"id": h.value, "type": HOST_TYPE, "attributes": []} for h in self._spec.hosts]
        fixed_objects += [{"id": i, "type": attributes.location_field, "attributes": []} for i in self._location_ids]
        head = f'{{"objectTypes":{_json(object_types)},\n"eventTypes":{_json(event_types)},\n"objects":[\n'
        return (head + ",\n".join(_json(o) for o in fixed_objects)).encode()

    def objects(self, cases: CaseBatch, first: bool) -> bytes:
        """The journey objects of a batch, each preceded by a separator unless it opens the list."""
        attributes, correlation = self._attributes, _json(self._spec.correlation_field)
        out = []
        for index, case_id in enumerate(cases.case_ids):
            time = cases.case_start_timestamps[index]
            values = []
            if attributes.segment_field and cases.case_segments[index] >= 0:
                values.append((attributes.segment_field, attributes.segments[cases.case_segments[index]]))
            if attributes.revenue_field and cases.case_revenue_cents[index] >= 0:
                cents = cases.case_revenue_cents[index]
                values.append((attributes.revenue_field, cents // 100 if attributes.revenue_whole else cents / 100))
            attribute_json = ",".join(
                f'{{"name":{_json(name)},"time":"{time}","value":{_json(value)}}}' for name, value in values
            )
            link = ""
            if self._location_ids and cases.case_locations[index] >= 0:
                location = self._location_ids[cases.case_locations[index]]
                link = f'{{"objectId":{_json(location)},"qualifier":"located in"}}'
            out.append(
                f'{"" if first and not out else ","}\n{{"id":"{case_id}","type":{correlation},'
                f'"attributes":[{attribute_json}],"relationships":[{link}]}}'
            )
        return "".join(out).encode()

    def events(self, cases: CaseBatch, first: bool) -> bytes:
        heads, hosts, carries = self._event_heads, self._host_links, self._type_carries_location
        bounds = cases.case_starts.tolist()
        out = []
        for index, case_id in enumerate(cases.case_ids):
            journey_link = f'"relationships":[{{"objectId":"{case_id}","qualifier":"journey"}}'
            location = cases.case_locations[index]
            location_link = self._location_links[location] if self._location_ids and location >= 0 else ""
            for event in range(bounds[index], bounds[index + 1]):
                code = cases.type_codes[event]
                out.append(
                    f'{"" if first and not out else ","}\n{{"id":"{cases.event_ids[event]}"{heads[code]}'
                    f'{cases.timestamps[event]}",{journey_link}{hosts[cases.hosts[event]]}'
                    f"{location_link if carries[code] else ''}]}}"
                )
        return "".join(out).encode()


def ocel_chunks(journey: CompiledJourney, start, end) -> Iterator[bytes]:
    writer = OcelWriter(journey)
    header = writer.header()
    yield header
    first = header.endswith(b"[\n")  # no host or location object before the journeys
    for cases in case_batches(journey, start, end):
        yield writer.objects(cases, first)
        first = first and not cases.case_count
    yield b'\n],\n"events":['
    first = True
    for cases in case_batches(journey, start, end):
        yield writer.events(cases, first)
        first = first and not len(cases)
    yield b"\n]}\n"
