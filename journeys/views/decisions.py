"""A decision's settings page (a decision step's, or a variant's marked as a decision, named by its
event type): edit how its executions look and where their events go, with a sample decision event
that follows the form as it is typed (an htmx post of the unsaved values).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..access import journey_for_user, role_at_least, role_in
from ..engine.decisions import DecisionSpec
from ..engine.spec import JourneySpec
from ..forms.decisions import DecisionSettingsForm, initial_values, settings_or_default, topic_note
from ..models import DecisionSettings, Journey, Membership
from ..selectors.journeys import DecisionWay, decision_sample, journey_decision_way, journey_to_spec
from ..services.decisions import decision_settings_save

Role = Membership.Role
TEMPLATE = "journeys/decision_settings.html"


def _get_journey_for_user(request, slug: str, needed: str = Role.VIEWER) -> Journey:
    return journey_for_user(request.user, slug, needed=needed)


def _sample(spec: JourneySpec, way: DecisionWay, settings: DecisionSettings, decision: DecisionSpec) -> dict:
    """One sample for templates/journeys/_decision_sample.html, dated now."""
    return decision_sample(spec, way, settings, decision, at_ms=round(timezone.now().timestamp() * 1000))


@login_required
@require_http_methods(["GET", "POST"])
def decision_settings_edit(request, slug: str, event_type: str):
    journey = _get_journey_for_user(request, slug)
    way = journey_decision_way(journey, event_type)  # a decision step, or a variant marked as a decision
    if way is None:
        raise Http404("no decision step or variant has this event type")
    spec = journey_to_spec(journey)
    settings = settings_or_default(way, journey.event_provider)
    options = {"journey": journey, "spec": spec, "way": way}
    if request.method == "POST":
        form = DecisionSettingsForm(request.POST, **options)
        if request.POST.get("_action") == "sample":  # trying values is for viewers too; saving is not
            return _render_live_sample(request, form, spec, way)
        _get_journey_for_user(request, slug, Role.EDITOR)
        if form.is_valid():
            try:
                decision_settings_save(
                    step=way.step,
                    variant=way.variant,
                    values=form.values(),
                    destination=form.cleaned_data["destination"],
                    actor=request.user,
                )
            except ValueError as exc:  # a destination that cannot take decision events
                form.add_error("destination", str(exc))
            else:
                messages.success(request, f"Saved the decision settings of “{way.name}”.")
                return redirect("decision_settings_edit", slug=journey.slug, event_type=way.event_type)
        if not form.errors:  # refused by the service: show the sample of what was typed
            settings = form.typed_settings()
        note = _typed_topic_note(form)
    else:
        form = DecisionSettingsForm(initial=initial_values(settings), **options)
        note = topic_note(settings.destination, settings.topic)
    context = {
        "journey": journey,
        "way": way,
        "form": form,
        "stored": way.settings,
        "can_edit": role_at_least(role_in(request.user, journey.tenant), Role.EDITOR),
        "decision_samples": [_sample(spec, way, settings, way.spec(settings))],
        "decision_settings_page": True,
        "topic_note": note,
    }
    return render(request, TEMPLATE, context)


def _typed_topic_note(form: DecisionSettingsForm) -> str:
    typed = getattr(form, "cleaned_data", {})
    return topic_note(typed.get("destination"), typed.get("topic") or form.data.get("topic"))


def _render_live_sample(request, form: DecisionSettingsForm, spec: JourneySpec, way: DecisionWay):
    """The sample for the values as typed, or what keeps them from making one."""
    context = {"journey": form.journey, "decision_settings_page": True}
    valid = form.is_valid()
    context["topic_note"] = _typed_topic_note(form)
    if valid:
        typed = form.typed_settings()
        context["decision_samples"] = [_sample(spec, way, typed, form.decision_spec(typed))]
    else:
        context["sample_problems"] = [
            f"{form[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
            for name, errors in form.errors.items()
        ]
    return render(request, f"{TEMPLATE}#live-sample", context)
