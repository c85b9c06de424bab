"""A journey's snapshot: the journey as the engine reads it, kept on its own row for the delivery runs.

Reading a journey from its rows takes ten queries (steps, variants, errors, locations...), and the
workers read every active journey on every tick. So the services that write a journey's rows write its
snapshot with them, in the same transaction (:func:`journey_snapshot_write`), and a run reads only the
journey's row (:func:`journey_spec_for_delivery`). The rows stay the truth that pages, exports and the
preview read; the snapshot is their journey file in compact JSON, and a test holds the two equal after
every write. A journey saved before snapshots existed gets one on its first run.
"""

from __future__ import annotations

import json

from ..engine.jsonformat import spec_from_dict, spec_to_dict
from ..engine.spec import JourneySpec
from ..models import Journey
from ..selectors.journeys import journey_to_spec


def snapshot_text(spec: JourneySpec) -> str:
    return json.dumps(spec_to_dict(spec), ensure_ascii=False, separators=(",", ":"))


def journey_snapshot_write(journey: Journey, spec: JourneySpec | None = None) -> JourneySpec:
    """Write the journey's snapshot from its rows as they are now (``spec``: those rows, already read)."""
    spec = spec or journey_to_spec(journey)
    journey.spec_snapshot = snapshot_text(spec)
    Journey.objects.filter(pk=journey.pk).update(spec_snapshot=journey.spec_snapshot)
    return spec


def journey_spec_for_delivery(journey: Journey) -> JourneySpec:
    """The journey as its snapshot holds it (written first from the rows when it has none yet), read as
    any journey file is: checked against the current ceilings (JourneyImportError names what is wrong)."""
    if not journey.spec_snapshot:
        journey_snapshot_write(journey)
    return spec_from_dict(json.loads(journey.spec_snapshot))
