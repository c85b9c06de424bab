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
from ..engine.importing import read_journey_text
from ..forms.editor import ImportForm
from ..forms.tenancy import TenantChoiceForm
from ..models import Membership
from ..selectors.journeys import provider_clash, tenant_for_new_journey
from ..services.imports import journey_import_text
from .working import remember_tenant, working_tenant


def _provider_clash(tenant, content: str, provider: str, journeys_per_day):
    """The clash the file's journey would make with another journey of ``tenant``, if any."""
    try:
        spec = read_journey_text(content, journeys_per_day=journeys_per_day).spec
    except JourneyImportError:
        return None  # the import itself reports what is wrong with the file
    return provider_clash(tenant=tenant, provider=provider or spec.event_provider)


@login_required
@require_http_methods(["GET", "POST"])
def journey_import(request: HttpRequest) -> HttpResponse:
    ensure_may_create_journeys(request.user)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    tenant_form = TenantChoiceForm(
        request.POST if request.method == "POST" else None,  # a post of an upload alone has an empty POST
        user=request.user,
        role=Membership.Role.EDITOR,
        working=working_tenant(request),
        help_text="Where the journey is created.",
    )
    import_errors = []
    if request.method == "POST" and tenant_form.is_valid() and form.is_valid():
        content, volume = form.cleaned_data["content"], form.cleaned_data.get("journeys_per_day")
        tenant = tenant_form.chosen()
        # A provider chosen from the warning's buttons wins over the field, and is not asked about again.
        chosen_provider = request.POST.get("use_provider", "")
        provider = chosen_provider or form.cleaned_data.get("event_provider") or ""
        clash = None
        if not chosen_provider:
            clash = _provider_clash(tenant or tenant_for_new_journey(request.user), content, provider, volume)
        if clash is not None:
            # Ask first; the file's text comes back in the text box (an upload cannot be kept).
            data = {
                "text": content,
                "journeys_per_day": request.POST.get("journeys_per_day", ""),
                "event_provider": provider,
            }
            context = {"form": ImportForm(data), "tenant_form": tenant_form, "import_errors": [], "clash": clash}
            return render(request, "journeys/journey_import.html", context)
        try:
            journey = journey_import_text(
                text=content, owner=request.user, journeys_per_day=volume, tenant=tenant, event_provider=provider
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
