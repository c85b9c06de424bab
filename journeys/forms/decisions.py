"""The decision settings page's form: how a decision step's executions look and where their events go.

Each field checks what it can alone; the rest (rule paths listed twice, min above max, names Kafka
refuses) is the engine's ``validate_decision()``, whose messages land next to the field they name.
"""

from __future__ import annotations

import re

from django import forms

from ..engine.decisions import DecisionSpec, validate_decision
from ..engine.spec import JourneySpec
from ..models import DecisionSettings, Destination, Journey, Step

_RULE_LINE = re.compile(r"^(?P<path>[^,]+?)\s*(?:,\s*(?P<pct>[^,]*?)\s*)?(?:,\s*(?P<flag>[a-z]+)\s*)?$")
RULES_HELP = (
    "One rule per line: its path, then the share of executions it fires in (%, default 100). "
    "Add “, rejects” to a rule that fires only when the decision rejects: each rejection names one of "
    "those, picked with its % as weight. For example: /LoanValidation/Grade/grade, 80"
)


def rules_to_text(rules: list[dict]) -> str:
    lines = []
    for rule in rules or []:
        line = f"{rule.get('path', '')}, {rule.get('pct', 100):g}"
        lines.append(line + (", rejects" if rule.get("rejects") else ""))
    return "\n".join(lines)


def rules_from_text(text: str) -> tuple[list[dict], list[str]]:
    """The rules typed one per line, and what is wrong with them, naming the line."""
    rules, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _RULE_LINE.match(line)
        if match is None or (match["flag"] and match["flag"] != "rejects"):
            problems.append(f"Line {number}: write “path, %” or “path, %, rejects”.")
            continue
        try:
            pct = float(match["pct"]) if match["pct"] else 100.0
        except ValueError:
            problems.append(f"Line {number}: “{match['pct']}” is not a number (the % the rule fires in).")
            continue
        rules.append({"path": match["path"].strip(), "pct": pct, "rejects": bool(match["flag"])})
    return rules, problems


def _switch(label: str, ibm_name: str, help_text: str) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, help_text=f"{ibm_name}: {help_text}")


class DecisionSettingsForm(forms.Form):
    decision_service_id = forms.CharField(max_length=200, help_text="decisionServiceId, e.g. samples.LoanValidation.")
    decision_service_name = forms.CharField(max_length=200, help_text="decisionServiceName, e.g. LoanValidation.")
    decision_service_version = forms.CharField(max_length=50, help_text="decisionServiceVersion, e.g. 3.1.2.")
    decision_operation = forms.CharField(max_length=200, help_text="decisionOperation: the operation the step calls.")
    decision_id = forms.CharField(
        max_length=500, required=False, help_text="decisionId; empty: built from the service id, name and version."
    )
    execution_millis_min = forms.IntegerField(
        label="Execution time from (ms)", min_value=0, help_text="executionMillis: a random value in this range."
    )
    execution_millis_max = forms.IntegerField(label="to (ms)", min_value=0)
    rules = forms.CharField(required=False, widget=forms.Textarea({"rows": 8, "class": "mono"}), help_text=RULES_HELP)
    incident_pct = forms.FloatField(
        label="Incident rate (%)",
        min_value=0,
        max_value=100,
        help_text="Share of executions that fail: executionSuccess false, with an incident id, category and trace.",
    )
    incident_category = forms.CharField(max_length=200, help_text="incidentCategory of a failed execution.")
    business_monitoring_enabled = _switch("Send decision events", "businessMonitoringEnabled", "off sends nothing.")
    business_event_input_enabled = _switch("Include the input", "businessEventInputEnabled", "data.inputParameters.")
    business_event_output_enabled = _switch(
        "Include the output", "businessEventOutputEnabled", "data.outputParameters."
    )
    destination = forms.ModelChoiceField(
        queryset=Destination.objects.none(),
        required=False,
        empty_label="None (not sent)",
        label="Kafka destination",
        help_text="Its connection settings carry the events; it must not also receive the journey's own events.",
    )
    topic = forms.CharField(
        max_length=249, help_text="Kafka topic; Business Automation Insights reads icp4ba-bai-ads-ingress."
    )
    timestamp_unit = forms.ChoiceField(choices=DecisionSettings.TimestampUnit.choices, help_text="timestamp's unit.")

    def __init__(self, *args, journey: Journey, spec: JourneySpec, step: Step, **kwargs):
        super().__init__(*args, **kwargs)
        self.journey, self.spec, self.step = journey, spec, step
        self.fields["destination"].queryset = Destination.objects.filter(tenant=journey.tenant, kind="kafka")

    def clean_rules(self) -> list[dict]:
        rules, problems = rules_from_text(self.cleaned_data.get("rules") or "")
        if problems:
            raise forms.ValidationError(problems)
        return rules

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for problem in validate_decision(self.spec, self.decision_spec()):
            field = problem.path.split("[")[0].split(".")[0]
            message = problem.message
            if field == "rules":  # name the line, as the user typed them
                index = int(problem.path.split("[")[1].split("]")[0])
                message = f"Line {index + 1}: {message}"
            self.add_error(field if field in self.fields else None, message)
        return cleaned

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "destination"}

    def typed_settings(self) -> DecisionSettings:
        """The stored settings (or new ones) with the values typed, unsaved: fields the page does not edit kept."""
        settings = DecisionSettings.objects.filter(step=self.step).first() or DecisionSettings(step=self.step)
        for name, value in self.values().items():
            setattr(settings, name, value)
        return settings

    def decision_spec(self, settings: DecisionSettings | None = None) -> DecisionSpec:
        """The settings as typed, as the engine reads them."""
        from ..selectors.journeys import decision_spec_from_settings  # the selectors import the models this module uses

        return decision_spec_from_settings(settings or self.typed_settings(), step_index=self.step.position)


def settings_or_default(step: Step, settings: DecisionSettings | None, provider: str) -> DecisionSettings:
    """The stored settings, or (unsaved) a plausible decision service named after the step."""
    if settings is not None:
        return settings
    name = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", step.name) if part) or "Decision"
    return DecisionSettings(
        step=step,
        decision_service_id=f"{provider}.{name}",
        decision_service_name=name,
        decision_service_version="1.0.0",
        decision_operation=name,
    )


def initial_values(settings: DecisionSettings) -> dict:
    values = {name: getattr(settings, name) for name in DecisionSettingsForm.base_fields if name != "rules"}
    values["rules"] = rules_to_text(settings.rules)
    values["destination"] = settings.destination_id
    return values
