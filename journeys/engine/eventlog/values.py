"""What every log format shares: the case attributes a journey carries, and text made safe for XML."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..spec import JourneySpec

# XML 1.0 allows tab, newline and carriage return among the control characters, and no others.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;"})


def xml_attr(value: str) -> str:
    """``value`` for a double-quoted XML attribute (characters XML cannot hold are dropped)."""
    return _XML_FORBIDDEN.sub("", value).replace("\r", "&#13;").translate(_XML_ESCAPES)


@dataclass(frozen=True)
class CaseAttributes:
    """The journey-level values a case carries: those of location, segment and revenue that some step sends.

    A journey draws them once; a log gives them to the case under the field names its events use.
    Values are indexed by the codes in :class:`~journeys.engine.eventlog.cases.CaseBatch`; the last
    entry of each list (index -1) is the empty value of a journey without one.
    """

    location_field: str | None
    locations: tuple[str, ...]
    segment_field: str | None
    segments: tuple[str, ...]
    revenue_field: str | None
    revenue_whole: bool

    @staticmethod
    def of(spec: JourneySpec) -> CaseAttributes:
        def sent(name: str) -> bool:
            return any(getattr(way, f"carries_{name}") for step in spec.steps for way in step.ways())

        with_location = bool(spec.locations) and sent("location")
        with_segment = bool(spec.segments and spec.segment_field) and sent("segment")
        with_revenue = spec.revenue is not None and sent("revenue")
        return CaseAttributes(
            location_field=spec.location_field if with_location else None,
            locations=tuple(w.value for w in spec.locations) if with_location else (),
            segment_field=spec.segment_field if with_segment else None,
            segments=tuple(w.value for w in spec.segments) if with_segment else (),
            revenue_field=spec.revenue.field if with_revenue else None,
            revenue_whole=bool(with_revenue and spec.revenue.whole_numbers),
        )

    @property
    def fields(self) -> list[str]:
        return [f for f in (self.location_field, self.segment_field, self.revenue_field) if f]

    def revenue_text(self, cents: int) -> str:
        if cents < 0:
            return ""
        return str(cents // 100) if self.revenue_whole else f"{cents // 100}.{cents % 100:02d}"
