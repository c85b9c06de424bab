"""The event log download form: a window of journey starts (UTC), a format, and gzip or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django import forms
from django.conf import settings

from ..engine.eventlog import FORMATS, expected_events
from ..engine.spec import JourneySpec

FORMAT_CHOICES = [("xes", "XES (IEEE 1849-2016)"), ("ocel", "OCEL 2.0 (JSON)"), ("csv", "CSV")]
assert {value for value, _ in FORMAT_CHOICES} == set(FORMATS)


def _utc(value: datetime) -> datetime:
    """A naive time from the form is UTC; an aware one is converted to it."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(label: str) -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    return forms.DateTimeField(label=label, widget=widget, input_formats=["%Y-%m-%dT%H:%M", "iso-8601"])


class EventLogForm(forms.Form):
    start = _when("Journeys starting from (UTC)")
    end = _when("Up to (UTC, excluded)")
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="xes")
    gzip = forms.BooleanField(label="Compress with gzip", required=False)

    def __init__(self, *args, spec: JourneySpec, **kwargs):
        self.spec = spec
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_window(now: datetime) -> dict:
        """Yesterday, midnight to midnight UTC."""
        today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return {"start": today - timedelta(days=1), "end": today, "format": "xes"}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            return data
        start, end = data["start"], data["end"] = _utc(start), _utc(end)
        max_days = settings.BIZFLOW_EVENT_LOG_MAX_DAYS
        if end <= start:
            self.add_error("end", "Must be after the start.")
        elif start.year < 1970:
            self.add_error("start", "Must be in 1970 or later.")
        elif end - start > timedelta(days=max_days):
            self.add_error("end", f"A log covers at most {max_days:g} days of starts.")
        else:
            expected = expected_events(self.spec, start, end)
            if expected > settings.BIZFLOW_EVENT_LOG_MAX_EVENTS:
                self.add_error(
                    "end",
                    f"This window would hold about {expected:,.0f} events; a download holds at most "
                    f"{settings.BIZFLOW_EVENT_LOG_MAX_EVENTS:,}. Choose a shorter window.",
                )
        return data
