"""Import a journey: a BizFlow Studio JSON file, a Business Data Generator ``config.js``, or that
whole exported workflow, pasted or uploaded. A file with problems imports nothing and says where.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..engine.errors import JourneyImportError
from ..forms.editor import ImportForm
from ..forms.tenancy import TenantChoiceForm
from ..models import Membership
from ..services.imports import journey_import_text
from .working import remember_tenant, working_tenant


@login_required
@require_http_methods(["GET", "POST"])
def journey_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    tenant_form = TenantChoiceForm(
        request.POST or None,
        user=request.user,
        role=Membership.Role.EDITOR,
        working=working_tenant(request),
        help_text="Where the journey is created.",
    )
    import_errors = []
    if request.method == "POST" and tenant_form.is_valid() and form.is_valid():
        try:
            journey = journey_import_text(
                text=form.cleaned_data["content"],
                owner=request.user,
                journeys_per_day=form.cleaned_data.get("journeys_per_day"),
                tenant=tenant_form.chosen(),
            )
        except JourneyImportError as error:
            import_errors = [str(problem) for problem in error.errors]
        else:
            remember_tenant(request, journey.tenant)
            messages.success(request, f"Imported “{journey.name}”. Check it over, then open its preview.")
            return redirect("journey_edit", slug=journey.slug)
    return render(
        request,
        "journeys/journey_import.html",
        {"form": form, "tenant_form": tenant_form, "import_errors": import_errors},
    )
