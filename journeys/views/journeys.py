"""The journey pages: the list, the editor (new and existing), export, duplicate, delete and
the preview. Each view renders its whole page, or, for an htmx request that is not boosted, only
the fragment that changed (a ``{% partialdef %}`` of the same template).
"""

from __future__ import annotations

import secrets
import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from .. import preview
from ..access import ensure_may_create_journeys, journey_for_user, role_at_least, role_in
from ..engine.forecast import forecast
from ..engine.spec import InvalidJourney
from ..forms.convert import JourneyEditor, blank_values, values_from_spec
from ..forms.rows import EditorValues, RowAction, apply_row_action
from ..forms.tenancy import TenantChoiceForm
from ..models import Journey, Membership
from ..selectors.journeys import (
    journey_decision_samples,
    journey_decision_steps,
    journey_list_for_user,
    journey_list_groups,
    journey_list_rows,
    journey_to_spec,
    provider_clash,
    tenant_for_new_journey,
)
from ..services.editing import journey_delete as delete_journey
from ..services.editing import journey_duplicate as duplicate_journey
from ..services.editing import journey_save_from_editor
from ..services.imports import journey_export_json
from .working import remember_tenant, working_tenant

Role = Membership.Role

# Sent with every change a row action makes, so the live summary refreshes itself.
JOURNEY_CHANGED = "journeyChanged"


def _get_journey_for_user(request: HttpRequest, slug: str, needed: str = Role.VIEWER) -> Journey:
    """The journey if ``request.user`` is a member of its tenant: 404 to outsiders, 403 below ``needed``."""
    return journey_for_user(request.user, slug, needed=needed)


def _wants_fragment(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


@lru_cache(maxsize=1)
def _timezones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _list_context(request: HttpRequest, **extra) -> dict:
    """The journey list as filtered by the address: ``q`` (name or provider), ``state`` and ``tenant``."""
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "state", "tenant")}
    # The top bar's memberships, read once here for the tenant filter and the grouping too.
    memberships = list(Membership.objects.filter(user=request.user).select_related("tenant").order_by("tenant__name"))
    tenants = [membership.tenant for membership in memberships]
    rows = journey_list_rows(request.user, search=filters["q"], state=filters["state"], tenant=filters["tenant"])
    filtered = any(filters.values())
    roles = {membership.role for membership in memberships}
    return {
        "rows": rows,
        "groups": journey_list_groups(rows, by_tenant=len(tenants) > 1),
        "filters": filters,
        "filtered": filtered,
        "has_journeys": bool(rows) or (filtered and journey_list_for_user(request.user).exists()),
        "states": Journey.State.choices,
        "filter_tenants": tenants if len(tenants) > 1 else [],
        "user_memberships": memberships,
        # Only the buttons this user can use: creating needs the editor role somewhere; a workspace of
        # one's own is offered to whoever owns no tenant, unless self-service is off.
        "can_create": bool(roles & {Role.EDITOR, Role.OWNER}),
        "can_start_workspace": settings.BIZFLOW_SELF_SERVICE_WORKSPACES and Role.OWNER not in roles,
        **extra,
    }


@login_required
@require_GET
def journey_list(request: HttpRequest) -> HttpResponse:
    template = "journeys/journey_list.html"
    if _wants_fragment(request):
        template += "#journey-table"
    return render(request, template, _list_context(request))


@login_required
@require_http_methods(["GET", "POST"])
def journey_create(request: HttpRequest) -> HttpResponse:
    ensure_may_create_journeys(request.user)  # a workspace of one's own is created on purpose, not here
    if request.method == "POST":
        return _editor_post(request, journey=None)
    editor = JourneyEditor(blank_values(seed=secrets.randbelow(1_000_000)), bound=False)
    return _render_editor(request, editor, journey=None, tenant_form=_tenant_form(request))


def _tenant_form(request: HttpRequest, data=None) -> TenantChoiceForm:
    """Which tenant a new journey goes into: one where the user is an editor, starting at the one they work in."""
    return TenantChoiceForm(
        data,
        user=request.user,
        role=Role.EDITOR,
        working=working_tenant(request),
        help_text="Where the journey is created: its team sees it, its destinations can receive it.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def journey_edit(request: HttpRequest, slug: str) -> HttpResponse:
    journey = _get_journey_for_user(request, slug)
    remember_tenant(request, journey.tenant)
    if request.method == "POST":
        return _editor_post(request, journey=journey)
    values = values_from_spec(journey_to_spec(journey), description=journey.description)
    return _render_editor(request, JourneyEditor(values, bound=False), journey=journey)


def _editor_post(request: HttpRequest, *, journey: Journey | None) -> HttpResponse:
    """Save, refresh the live summary, or apply a row action (add, remove, move) without saving."""
    values = EditorValues.from_data(request.POST)
    action = request.POST.get("_action", "save")
    if action == "summary":
        return _render_summary(request, values, journey=journey)
    row_action = RowAction.parse(action)
    if row_action is not None:
        focus = apply_row_action(values, row_action)
        editor = JourneyEditor(values, bound=False, focus=None if focus is None else (row_action, focus))
        response = _render_editor(request, editor, journey=journey, fragment="editor-body")
        if _wants_fragment(request):
            # After the swap has settled, so the summary posts the form with the change in it.
            trigger_client_event(response, JOURNEY_CHANGED, after="settle")
        return response
    if journey is not None:  # looking and trying changes is for viewers too; saving is not
        _get_journey_for_user(request, journey.slug, Role.EDITOR)
    editor = JourneyEditor(values, bound=True)
    tenant_form = _tenant_form(request, request.POST) if journey is None else None
    spec = editor.spec()
    if tenant_form is not None and not tenant_form.is_valid():
        return _render_editor(request, editor, journey=journey, tenant_form=tenant_form)
    if spec is None:
        return _render_editor(request, editor, journey=journey, tenant_form=tenant_form)
    tenant = tenant_form.chosen() if tenant_form is not None else None
    try:
        saved = journey_save_from_editor(
            journey=journey, actor=request.user, spec=spec, description=editor.description, tenant=tenant
        )
    except InvalidJourney as exc:  # rules of the tenant's (its volume cap), beyond the journey's own
        editor.add_errors(exc.errors)
        return _render_editor(request, editor, journey=journey, tenant_form=tenant_form)
    remember_tenant(request, saved.tenant)
    messages.success(request, f"Saved “{saved.name}”.")
    clash = provider_clash(tenant=saved.tenant, provider=saved.event_provider, exclude_pk=saved.pk)
    if clash is not None:
        messages.warning(request, _clash_message(clash))
    return redirect("journey_edit", slug=saved.slug)


def _clash_message(clash) -> str:
    return (
        f"“{clash.other_journey}” already sends events as {clash.provider}: Dynatrace will mix the two journeys' "
        f"events. {clash.free_provider} is free."
    )


def _summary_context(
    values: EditorValues, checked: JourneyEditor | None = None, *, tenant=None, journey: Journey | None = None
) -> dict:
    """The live summary: the forecast of the journey as typed, or what stops it from running."""
    if checked is None or not checked.bound:
        checked = JourneyEditor(values, bound=True)
    spec = checked.spec()
    if spec is None:
        return {"summary_problems": checked.problems(), "summary": None}
    fc = forecast(spec)
    kpis = preview.kpis(spec, fc)
    # Revenue reads as on the preview: its label and its figure, from the same headline figures.
    revenue = next(kpi for kpi in kpis if kpi.key == "revenue")
    # Another journey of the tenant sending as the same provider: say so while there is time to change it.
    clash = provider_clash(tenant=tenant, provider=spec.event_provider, exclude_pk=journey.pk if journey else None)
    return {
        "summary_problems": [],
        "summary": fc,
        "summary_kpis": kpis,
        "summary_revenue": revenue,
        "summary_endings": preview.endings(fc),
        "provider_clash": clash,
    }


def _render_editor(
    request: HttpRequest,
    editor: JourneyEditor,
    *,
    journey: Journey | None,
    fragment: str | None = None,
    tenant_form: TenantChoiceForm | None = None,
) -> HttpResponse:
    post_url = reverse("journey_edit", args=[journey.slug]) if journey else reverse("journey_create")
    whole_page = not (fragment and _wants_fragment(request))
    context = {
        "editor": editor,
        "journey": journey,
        "can_edit": journey is None or role_at_least(role_in(request.user, journey.tenant), Role.EDITOR),
        "post_url": post_url,
        "timezones": _timezones(),
        "problems": editor.problems() if editor.bound else [],
        "tenant_form": tenant_form if journey is None and whole_page else None,
        # The journey page's Decisions tab; a fragment re-rendered by a row action needs none of it.
        "decision_steps": journey_decision_steps(journey) if journey and whole_page else [],
        **_summary_context(editor.values, editor, tenant=_editor_tenant(request, journey), journey=journey),
    }
    template = "journeys/journey_editor.html"
    if not whole_page:
        template += f"#{fragment}"
    return render(request, template, context)


def _editor_tenant(request: HttpRequest, journey: Journey | None):
    """The tenant the journey is (or is about to be) in: for a new one, the one chosen on the form, if any."""
    if journey is not None:
        return journey.tenant
    if request.method == "POST":
        chosen = _tenant_form(request, request.POST)
        if chosen.asks and chosen.is_valid():
            return chosen.chosen()
    return working_tenant(request) or tenant_for_new_journey(request.user)


def _render_summary(request: HttpRequest, values: EditorValues, *, journey: Journey | None) -> HttpResponse:
    summary = _summary_context(values, tenant=_editor_tenant(request, journey), journey=journey)
    context = {"editor": JourneyEditor(values, bound=False), **summary}
    return render(request, "journeys/journey_editor.html#live-update", context)


@login_required
@require_GET
def journey_preview(request: HttpRequest, slug: str) -> HttpResponse:
    journey = _get_journey_for_user(request, slug)
    spec = journey_to_spec(journey)
    fc = forecast(spec)
    now = timezone.now()
    context = {
        "journey": journey,
        "spec": spec,
        "forecast": fc,
        "kpis": preview.kpis(spec, fc),
        "flow_svg": mark_safe(preview.flow_svg(spec, fc)),  # built from escaped parts  # noqa: S308
        "hours_svg": mark_safe(  # noqa: S308
            preview.hours_svg(fc.events_per_hour_of_day, timezone=spec.timezone, surges=fc.surges)
        ),
        "sample": preview.sample_journeys(spec, fc, now=now),
        # Beside the business events: what each decision (a step, or a variant marked as one) sends to Kafka.
        "has_decision_steps": any(way.is_decision for step in spec.steps for way in step.ways()),
        "decision_samples": journey_decision_samples(journey, at=now),
        "step_rows": preview.step_rows(fc),
        "endings": preview.endings(fc),
        "absolute_surges": [surge for surge in fc.surges if not surge.included],
        "weekday_rows": preview.weekday_rows(spec),
        "event_types": sorted(fc.events_per_type.items(), key=lambda item: -item[1]),
    }
    return render(request, "journeys/journey_preview.html", context)


@login_required
@require_GET
def journey_export(request: HttpRequest, slug: str) -> HttpResponse:
    journey = _get_journey_for_user(request, slug)
    response = HttpResponse(journey_export_json(journey), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{journey.slug}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def journey_duplicate(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the choice of tenant for the copy (starting at the journey's own). POST: make the copy there;
    a post that names no tenant copies into the journey's own tenant, the one the user is working in."""
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    form = TenantChoiceForm(
        request.POST if "tenant" in request.POST else None,
        user=request.user,
        role=Role.EDITOR,
        working=journey.tenant,
        help_text="Where the copy is created; it starts as a draft, with no destinations.",
    )
    if request.method == "GET" or (form.is_bound and not form.is_valid()):
        status = 400 if form.is_bound else 200
        return render(request, "journeys/journey_duplicate.html", {"journey": journey, "form": form}, status=status)
    tenant = form.chosen() if form.is_bound else journey.tenant
    copy = duplicate_journey(journey=journey, actor=request.user, tenant=tenant)
    remember_tenant(request, copy.tenant)
    messages.success(request, f"Created “{copy.name}” in {copy.tenant.name}, a copy of “{journey.name}”.")
    return redirect("journey_edit", slug=copy.slug)


@login_required
@require_http_methods(["GET", "POST"])
def journey_delete(request: HttpRequest, slug: str) -> HttpResponse:
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    if request.method == "POST":
        name = journey.name
        delete_journey(journey=journey, actor=request.user)
        messages.success(request, f"Deleted “{name}”.")
        if _wants_fragment(request):
            context = _list_context(request, show_messages=True)
            return render(request, "journeys/journey_list.html#journey-table", context)
        return redirect("journey_list")
    template = "journeys/journey_delete.html"
    if _wants_fragment(request):
        template += "#confirm-row"
    return render(request, template, {"journey": journey})
