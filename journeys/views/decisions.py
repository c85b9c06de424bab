"""A decision step's settings page: edit how its executions look and where their events go, with a
sample decision event that follows the form as it is typed (an htmx post of the unsaved values).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..access import journey_for_user, role_at_least, role_in
from ..engine.decisions import DecisionSpec, sample_decision_json
from ..engine.spec import JourneySpec
from ..forms.decisions import DecisionSettingsForm, initial_values, settings_or_default, topic_note
from ..models import DecisionSettings, Journey, Membership, Step
from ..selectors.journeys import decision_spec_from_settings, journey_to_spec
from ..services.decisions import decision_settings_save

Role = Membership.Role
TEMPLATE = "journeys/decision_settings.html"


def _get_journey_for_user(request, slug: str, needed: str = Role.VIEWER) -> Journey:
    return journey_for_user(request.user, slug, needed=needed)


def _sample(spec: JourneySpec, step: Step, settings: DecisionSettings, decision: DecisionSpec) -> dict:
    """One sample for templates/journeys/_decision_sample.html, dated now."""
    at_ms = round(timezone.now().timestamp() * 1000)
    return {
        "step": step.name,
        "settings": settings,
        "monitoring_enabled": decision.business_monitoring_enabled,
        "json": sample_decision_json(spec, decision, at_ms=at_ms),
    }


@login_required
@require_http_methods(["GET", "POST"])
def decision_settings_edit(request, slug: str, event_type: str):
    journey = _get_journey_for_user(request, slug)
    step = get_object_or_404(journey.steps.filter(is_decision=True), event_type=event_type)
    spec = journey_to_spec(journey)
    stored = DecisionSettings.objects.filter(step=step).select_related("destination").first()
    settings = settings_or_default(step, stored, journey.event_provider)
    options = {"journey": journey, "spec": spec, "step": step}
    if request.method == "POST":
        form = DecisionSettingsForm(request.POST, **options)
        if request.POST.get("_action") == "sample":  # trying values is for viewers too; saving is not
            return _render_live_sample(request, form, spec, step)
        _get_journey_for_user(request, slug, Role.EDITOR)
        if form.is_valid():
            try:
                decision_settings_save(
                    step=step, values=form.values(), destination=form.cleaned_data["destination"], actor=request.user
                )
            except ValueError as exc:  # a destination that cannot take decision events
                form.add_error("destination", str(exc))
            else:
                messages.success(request, f"Saved the decision settings of “{step.name}”.")
                return redirect("decision_settings_edit", slug=journey.slug, event_type=step.event_type)
        if not form.errors:  # refused by the service: show the sample of what was typed
            settings = form.typed_settings()
        decision = decision_spec_from_settings(settings, step_index=step.position)
        note = _typed_topic_note(form)
    else:
        form = DecisionSettingsForm(initial=initial_values(settings), **options)
        decision = decision_spec_from_settings(settings, step_index=step.position)
        note = topic_note(settings.destination, settings.topic)
    context = {
        "journey": journey,
        "step": step,
        "form": form,
        "stored": stored,
        "can_edit": role_at_least(role_in(request.user, journey.tenant), Role.EDITOR),
        "decision_samples": [_sample(spec, step, settings, decision)],
        "decision_settings_page": True,
        "topic_note": note,
    }
    return render(request, TEMPLATE, context)


def _typed_topic_note(form: DecisionSettingsForm) -> str:
    typed = getattr(form, "cleaned_data", {})
    return topic_note(typed.get("destination"), typed.get("topic") or form.data.get("topic"))


def _render_live_sample(request, form: DecisionSettingsForm, spec: JourneySpec, step: Step):
    """The sample for the values as typed, or what keeps them from making one."""
    context = {"journey": form.journey, "decision_settings_page": True}
    valid = form.is_valid()
    context["topic_note"] = _typed_topic_note(form)
    if valid:
        typed = form.typed_settings()
        context["decision_samples"] = [_sample(spec, step, typed, form.decision_spec(typed))]
    else:
        context["sample_problems"] = [
            f"{form[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
            for name, errors in form.errors.items()
        ]
    return render(request, f"{TEMPLATE}#live-sample", context)
