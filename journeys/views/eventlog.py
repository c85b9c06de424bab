"""The journey's event log: a form for the window and format, and the log itself, streamed as it is written.

Viewers may download it, as they may export the journey: a log holds only what the journey's design
already tells (docs/decisions.md, Event logs).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..access import journey_for_user
from ..forms.eventlog import EventLogForm
from ..models import Membership
from ..selectors.eventlog import journey_event_log as read_event_log
from ..selectors.journeys import journey_to_spec

TEMPLATE = "journeys/journey_event_log.html"


@login_required
@require_GET
def journey_event_log(request: HttpRequest, slug: str) -> HttpResponse:
    journey = journey_for_user(request.user, slug, needed=Membership.Role.VIEWER)
    spec = journey_to_spec(journey)
    fragment = bool(request.htmx) and not request.htmx.boosted
    template = TEMPLATE + "#event-log-form" if fragment else TEMPLATE
    if "format" not in request.GET:  # the form, for yesterday's journeys
        form = EventLogForm(initial=EventLogForm.initial_window(timezone.now()), spec=spec)
        return render(request, template, {"journey": journey, "form": form})
    form = EventLogForm(request.GET, spec=spec)
    if not form.is_valid():
        return render(request, template, {"journey": journey, "form": form}, status=400)
    data = form.cleaned_data
    download = read_event_log(
        journey, start=data["start"], end=data["end"], log_format=data["format"], compress=data["gzip"]
    )
    response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response
