"""Import a journey: a BizFlow Studio JSON file, a Business Data Generator ``config.js``, or that
whole exported workflow, pasted or uploaded. A file with problems imports nothing and says where.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..access import ensure_may_create_journeys
from ..engine.errors import JourneyImportError
from ..forms.editor import ImportForm
from ..services.imports import journey_import_text


@login_required
@require_http_methods(["GET", "POST"])
def journey_import(request: HttpRequest) -> HttpResponse:
    ensure_may_create_journeys(request.user)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    import_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            journey = journey_import_text(
                text=form.cleaned_data["content"],
                owner=request.user,
                journeys_per_day=form.cleaned_data.get("journeys_per_day"),
            )
        except JourneyImportError as error:
            import_errors = [str(problem) for problem in error.errors]
        else:
            messages.success(request, f"Imported “{journey.name}”. Check it over, then open its preview.")
            return redirect("journey_edit", slug=journey.slug)
    return render(request, "journeys/journey_import.html", {"form": form, "import_errors": import_errors})
