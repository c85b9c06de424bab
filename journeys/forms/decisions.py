"""The decision settings page's form: how a decision's executions look and where their events go (a
decision step's, or a variant's marked as a decision).

Each field checks what it can alone; the rest (rule paths listed twice, min above max, names Kafka
refuses) is the engine's ``validate_decision()``, whose messages land next to the field they name.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms

from ..engine.decision_checks import PLACEHOLDERS
from ..engine.decisions import DecisionSpec, validate_decision
from ..engine.spec import JourneySpec
from ..models import DecisionSettings, Destination, Journey
from ..selectors.journeys import DecisionWay

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


_NODE_LINE = re.compile(r"^(?P<name>[^,]+?)\s*(?:,\s*(?P<weight>[^,]*?)\s*)?$")
NODES_HELP = (
    "runtimeNodeName: one runtime host per line, then its weight (default 1); each execution runs on one "
    "of them, picked by weight. For example: worker0.mycluster.mycompany.com, 2"
)


def _placeholders(names: tuple[str, ...]) -> str:
    return ", ".join(f"${name}" for name in names)


INPUT_HELP = (
    "data.inputParameters as JSON. A text value may hold placeholders, replaced by the case's values: "
    f"{_placeholders(PLACEHOLDERS)} (a value that is only a placeholder keeps its type). "
    "Empty: the journey's correlation id, location, segment and revenue."
)
OUTPUT_HELP = (
    "data.outputParameters as JSON, with the same placeholders and $rule (the rejecting rule) and $outcome. "
    'Text needs its quotes: "APPROVED".'
)


def nodes_to_text(nodes: list[dict]) -> str:
    return "\n".join(f"{node.get('name', '')}, {node.get('weight', 1):g}" for node in nodes or [])


def nodes_from_text(text: str) -> tuple[list[dict], list[str]]:
    """The runtime nodes typed one per line, and what is wrong with them, naming the line."""
    nodes, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        match = _NODE_LINE.match(raw.strip())
        if not raw.strip():
            continue
        if match is None:
            problems.append(f"Line {number}: write “name” or “name, weight”.")
            continue
        try:
            weight = float(match["weight"]) if match["weight"] else 1.0
        except ValueError:
            problems.append(f"Line {number}: “{match['weight']}” is not a number (the node's weight).")
            continue
        nodes.append({"name": match["name"].strip(), "weight": weight})
    return nodes, problems


def json_to_text(value: Any) -> str:
    return "" if value is None else json.dumps(value, indent=2, ensure_ascii=False)


def json_from_text(text: str, *, empty: Any = None) -> Any:
    """The JSON value typed (``empty`` for nothing typed); raises ValidationError saying where it breaks."""
    if not text.strip():
        return empty
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(
            f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}). Text needs its quotes."
        ) from None


def _output(text: str) -> Any:
    value = json_from_text(text)
    if value is None:
        raise forms.ValidationError('Give the output a value (null is not one); text needs its quotes: "APPROVED".')
    return value


def _json_field(label: str, help_text: str, *, required: bool, rows: int = 6) -> forms.CharField:
    widget = forms.Textarea({"rows": rows, "class": "mono", "spellcheck": "false"})
    return forms.CharField(label=label, required=required, strip=False, widget=widget, help_text=help_text)


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
    deployment_space_id = forms.CharField(max_length=200, help_text="deploymentSpaceId, e.g. embedded.")
    engine_api_version = forms.CharField(label="Engine API version", max_length=50, help_text="engineApiVersion.")
    runtime_nodes = forms.CharField(
        widget=forms.Textarea({"rows": 3, "class": "mono"}), help_text=NODES_HELP, label="Runtime nodes"
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
    incident_stack_trace = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea({"rows": 3, "class": "mono"}),
        help_text="incidentStackTrace of a failed execution; may hold $executionId, $decisionOperation, "
        "$runtimeNodeName and $correlation. Empty: null.",
    )
    input_parameters = _json_field("Input parameters", INPUT_HELP, required=False)
    output_approved = _json_field("Output when approved", OUTPUT_HELP, required=True, rows=3)
    output_rejected = _json_field("Output when rejected", OUTPUT_HELP, required=True, rows=3)
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

    def __init__(self, *args, journey: Journey, spec: JourneySpec, way: DecisionWay, **kwargs):
        super().__init__(*args, **kwargs)
        self.journey, self.spec, self.way = journey, spec, way
        self.fields["destination"].queryset = Destination.objects.filter(tenant=journey.tenant, kind="kafka")

    def clean_runtime_nodes(self) -> list[dict]:
        nodes, problems = nodes_from_text(self.cleaned_data.get("runtime_nodes") or "")
        if problems:
            raise forms.ValidationError(problems)
        return nodes

    def clean_input_parameters(self) -> Any:
        return json_from_text(self.cleaned_data.get("input_parameters") or "")

    def clean_output_approved(self) -> Any:
        return _output(self.cleaned_data.get("output_approved") or "")

    def clean_output_rejected(self) -> Any:
        return _output(self.cleaned_data.get("output_rejected") or "")

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
            if field in ("rules", "runtime_nodes") and "[" in problem.path:  # name the line, as typed
                index = int(problem.path.split("[")[1].split("]")[0])
                message = f"Line {index + 1}: {message}"
            self.add_error(field if field in self.fields else None, message)
        return cleaned

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "destination"}

    def typed_settings(self) -> DecisionSettings:
        """The stored settings (or new ones) with the values typed, unsaved: fields the page does not edit kept."""
        step, variant = self.way.step, self.way.variant
        settings = DecisionSettings.objects.filter(step=step, variant=variant).first()
        settings = settings or DecisionSettings(step=step, variant=variant)
        for name, value in self.values().items():
            setattr(settings, name, value)
        return settings

    def decision_spec(self, settings: DecisionSettings | None = None) -> DecisionSpec:
        """The settings as typed, as the engine reads them."""
        return self.way.spec(settings or self.typed_settings())


def settings_or_default(way: DecisionWay, provider: str) -> DecisionSettings:
    """The decision's stored settings, or (unsaved) a plausible decision service named after it."""
    if way.settings is not None:
        return way.settings
    name = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", way.name) if part) or "Decision"
    return DecisionSettings(
        step=way.step,
        variant=way.variant,
        decision_service_id=f"{provider}.{name}",
        decision_service_name=name,
        decision_service_version="1.0.0",
        decision_operation=name,
    )


def initial_values(settings: DecisionSettings) -> dict:
    values = {name: getattr(settings, name) for name in DecisionSettingsForm.base_fields}
    values["rules"] = rules_to_text(settings.rules)
    values["runtime_nodes"] = nodes_to_text(settings.runtime_nodes)
    for name in ("input_parameters", "output_approved", "output_rejected"):
        values[name] = json_to_text(getattr(settings, name))
    values["destination"] = settings.destination_id
    return values


def topic_note(destination: Destination | None, topic: str | None) -> str:
    """Where decision events go, said plainly; most of all when the topic is not the destination's own."""
    if destination is None:
        return "Decision events are not sent: choose a Kafka destination."
    own = str((destination.config or {}).get("topic") or "")
    if topic and own and own != topic:
        return (
            f"Decision events go to the topic “{topic}” set here, not to “{own}”, the topic in "
            f"{destination.name}’s own settings: they use its connection and message settings, not its topic."
        )
    return f"Decision events go to the topic “{topic}” through {destination.name}."
