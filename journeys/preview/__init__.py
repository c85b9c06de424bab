"""What the preview page shows, built on the server from the forecast and the generator: the flow
graph and the hourly chart (``graph``), the headline figures, step rows and sample (``page``)."""

from .graph import flow_svg, hours_svg, layout
from .page import (
    Ending,
    Kpi,
    Sample,
    SampleJourney,
    StepRow,
    WeekdayRow,
    endings,
    kpis,
    sample_journeys,
    step_rows,
    weekday_rows,
)

__all__ = [
    "Ending",
    "Kpi",
    "Sample",
    "SampleJourney",
    "StepRow",
    "endings",
    "WeekdayRow",
    "flow_svg",
    "hours_svg",
    "kpis",
    "layout",
    "sample_journeys",
    "step_rows",
    "weekday_rows",
]
