"""Decision execution events: one JSON event per execution of a journey's decision step.

A decision runtime (IBM Automation Decision Services, today "Decision Intelligence") can send one
event per decision it executes to a Kafka topic, for Business Automation Insights and other
consumers. A journey step marked as a decision stands for such a call: every event of that step,
loop repetitions included, is one execution, and this module writes the matching decision event.

The event is derived from the journey's own event, so it is as deterministic as the journey:

- its random draws (duration, runtime node, fired rules, incident, ids) are hashed from the journey
  event's id, so the same journey event always gives the same decision event, in any batch;
- its ``timestamp`` is the journey event's time, so a decision stream splits over time ranges
  exactly like the journey's stream (see :func:`generate_decisions`);
- its outcome follows the journey: a rejection when the journey ends at the decision (an error
  type on that step, or its last event while a mandatory step was still to come), an approval
  otherwise.

Keys come in the order of IBM's documented example. Lines are pure ASCII, like the journey's own
events, so an :class:`~journeys.engine.encode.EncodedBatch` of them can be cut at any line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np

from .columns import EventColumns
from .compiled import CompiledJourney, compile_journey
from .decision_checks import OUTPUT_PLACEHOLDERS, PLACEHOLDERS, TRACE_PLACEHOLDERS, validate_decision
from .decision_parts import (
    EXECUTION_ID,
    INCIDENT,
    INCIDENT_CUT,
    INCIDENT_ID,
    MILLIS,
    NODE,
    REJECT_RULE,
    RULE_STREAMS,
    Draws,
    Template,
    inline_text,
    quote,
)
from .encode import EncodedBatch, uuid_bytes
from .generator import generate_columns
from .spec import JourneySpec, Weighted

DEFAULT_TOPIC = "icp4ba-bai-ads-ingress"  # Business Automation Insights' ingress topic for decision events
DEFAULT_STACK_TRACE = (
    "com.ibm.rules.res.execution.IlrRulesetExecutionException: execution $executionId of $decisionOperation"
    " failed on $runtimeNodeName\n\tat com.ibm.ads.runtime.DecisionRunner.execute(DecisionRunner.java:212)"
)
KEY_ORDER = (
    "decisionId",
    "decisionOperation",
    "decisionServiceId",
    "decisionServiceName",
    "decisionServiceVersion",
    "deploymentSpaceId",
    "engineApiVersion",
    "data",
    "executedRules",
    "executionId",
    "executionMillis",
    "executionSuccess",
    "incidentCategory",
    "incidentId",
    "incidentStackTrace",
    "nonExecutedRules",
    "runtimeNodeName",
    "timestamp",
)


@dataclass(frozen=True)
class Rule:
    """A rule of the decision service. Ordinary rules fire in an execution with probability ``pct``;
    a ``rejects`` rule fires only in a rejection (one of them, picked with ``pct`` as weight)."""

    path: str
    pct: float = 100.0
    rejects: bool = False

    @property
    def name(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class DecisionSpec:
    """How one decision step's executions look. ``step`` indexes JourneySpec.steps; on a step with
    variants, ``variant`` names the variant marked as a decision (its events are the executions)."""

    step: int
    decision_service_id: str
    decision_service_name: str
    decision_service_version: str
    decision_operation: str
    decision_id: str = ""  # empty: built from the service, see default_decision_id()
    deployment_space_id: str = "embedded"
    engine_api_version: str = "1.0"
    runtime_nodes: tuple[Weighted, ...] = (Weighted("decision-runtime-0", 1.0),)
    execution_millis_min: int = 2
    execution_millis_max: int = 40
    rules: tuple[Rule, ...] = ()
    incident_pct: float = 0.0
    incident_category: str = "Technical"
    incident_stack_trace: str = DEFAULT_STACK_TRACE
    input_parameters: Any = None  # a JSON template; None: the journey's attributes
    output_approved: Any = "APPROVED"
    output_rejected: Any = "REJECTED($rule)"
    business_monitoring_enabled: bool = True
    business_event_input_enabled: bool = True
    business_event_output_enabled: bool = True
    topic: str = DEFAULT_TOPIC
    timestamp_unit: str = "ms"
    variant: int | None = None

    @property
    def resolved_decision_id(self) -> str:
        return self.decision_id or default_decision_id(
            self.decision_service_id, self.decision_service_name, self.decision_service_version
        )


def default_decision_id(service_id: str, service_name: str, version: str) -> str:
    """``/<service id as a path>/<archive>/<version>/<archive>-<version>.jar``, the archive being
    ``<service name>DecisionService``: the shape of the decision ids in IBM's documentation."""
    archive = f"{service_name}DecisionService"
    return f"/{service_id.replace('.', '/')}/{archive}/{version}/{archive}-{version}.jar"


def default_input_parameters(journey: JourneySpec) -> dict:
    """Without a template, a decision's input is what the journey knows about the case."""
    template: dict[str, Any] = {journey.correlation_field: "$correlation"}
    if journey.locations:
        template[journey.location_field] = "$location"
    if journey.segments:
        template[journey.segment_field] = "$segment"
    if journey.revenue is not None:
        template[journey.revenue.field] = "$revenue"
    return template


def decision_type_codes(journey: CompiledJourney, decision: DecisionSpec) -> np.ndarray:
    """The type codes of the decision's executions: its step's (or variant's) own event and errors."""
    variant = -1 if decision.variant is None else decision.variant
    return np.flatnonzero((journey.type_step == decision.step) & (journey.type_variant == variant))


# --- the batch type ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionBatch(EncodedBatch):
    """Decision events as NDJSON. Its ``event_id`` column is each event's ``executionId``, so a message
    keyed by event id is keyed by the execution; ``correlation`` is the journey's id.

    ``ts_ms`` is each execution's start (the journey event's time), whatever the timestamp unit.
    """

    @property
    def execution_id(self) -> np.ndarray | None:
        return self.event_id


# --- the encoder ---------------------------------------------------------------------------------

# head, data, executedRules, executionId, executionMillis, success/incident, nonExecutedRules, node, timestamp
_LINE = (
    b'%s%s},"executedRules":%s,"executionId":"%s","executionMillis":%d,%s"nonExecutedRules":%s,'
    b'"runtimeNodeName":%s,"timestamp":%d}\n'
)
_SUCCEEDED = b'"executionSuccess":true,"incidentCategory":null,"incidentId":null,"incidentStackTrace":null,'
_FAILED = b'"executionSuccess":false,"incidentCategory":%s,"incidentId":"%s","incidentStackTrace":%s,'


class DecisionEncoder:
    """Writes the decision events of one decision step from a journey's event columns."""

    def __init__(self, journey: CompiledJourney, decision: DecisionSpec):
        spec = journey.spec
        errors = validate_decision(spec, decision)
        if errors:
            raise ValueError("; ".join(str(e) for e in errors))
        self.journey, self.decision = journey, decision
        self.type_codes = decision_type_codes(journey, decision)
        # A journey that ends at the decision was turned down there, unless nothing mandatory was left.
        later = spec.steps[decision.step + 1 :]
        self.end_is_rejection = any(not s.is_optional for s in later)
        self.type_is_error = journey.type_is_error
        head = {
            "decisionId": decision.resolved_decision_id,
            "decisionOperation": decision.decision_operation,
            "decisionServiceId": decision.decision_service_id,
            "decisionServiceName": decision.decision_service_name,
            "decisionServiceVersion": decision.decision_service_version,
            "deploymentSpaceId": decision.deployment_space_id,
            "engineApiVersion": decision.engine_api_version,
        }
        self._head = b"{" + b",".join(quote(k) + b":" + quote(v) for k, v in head.items()) + b',"data":{'
        inputs = decision.input_parameters if decision.input_parameters is not None else default_input_parameters(spec)
        self._input = Template(inputs, PLACEHOLDERS) if decision.business_event_input_enabled else None
        self._outputs = None
        if decision.business_event_output_enabled:
            self._outputs = (
                Template(decision.output_approved, OUTPUT_PLACEHOLDERS),
                Template(decision.output_rejected, OUTPUT_PLACEHOLDERS),
            )
        self._trace = Template(decision.incident_stack_trace, TRACE_PLACEHOLDERS)
        nodes = decision.runtime_nodes
        weights = np.array([n.weight for n in nodes], np.float64)
        self._node_cumulative = np.cumsum(weights / weights.sum())
        self._node_cumulative[-1] = 1.0
        self._nodes = [quote(n.value) for n in nodes]
        self._regular = [i for i, r in enumerate(decision.rules) if not r.rejects]
        self._rejecting = [i for i, r in enumerate(decision.rules) if r.rejects]
        if self._rejecting:
            reject_weights = np.array([decision.rules[i].pct for i in self._rejecting], np.float64)
            if reject_weights.sum() <= 0:
                reject_weights[:] = 1.0
            self._reject_cumulative = np.cumsum(reject_weights / reject_weights.sum())
            self._reject_cumulative[-1] = 1.0
        self._rule_paths = [quote(r.path) for r in decision.rules]
        self._incident_category = quote(decision.incident_category)

    # -- per-event values --

    def _values(self, cols: EventColumns, template_names: set[str]) -> dict[str, list[bytes]]:
        spec, n = self.journey.spec, len(cols)
        values: dict[str, list[bytes]] = {}

        def table(indexes: np.ndarray, names: list[bytes]) -> list[bytes]:
            lookup = names + [b"null"]  # index -1: the journey has none
            return [lookup[i] for i in indexes.tolist()]

        if "correlation" in template_names:
            values["correlation"] = [b'"' + u + b'"' for u in uuid_bytes(cols.correlation)]
        if "eventId" in template_names:
            values["eventId"] = [b'"' + u + b'"' for u in uuid_bytes(cols.event_id)]
        if "eventType" in template_names:
            values["eventType"] = table(cols.type_code, [quote(t) for t in self.journey.type_names])
        if "location" in template_names:
            values["location"] = table(cols.location, [quote(w.value) for w in spec.locations])
        if "segment" in template_names:
            values["segment"] = table(cols.segment, [quote(w.value) for w in spec.segments])
        if "host" in template_names:
            values["host"] = table(cols.host, [quote(w.value) for w in spec.hosts])
        if "revenue" in template_names:
            whole = spec.revenue is not None and spec.revenue.whole_numbers
            values["revenue"] = [
                b"null" if c < 0 else (b"%d" % (c // 100) if whole else b"%d.%02d" % divmod(c, 100))
                for c in cols.revenue_cents.tolist()
            ]
        if "timestamp" in template_names:
            values["timestamp"] = [b"%d" % t for t in cols.ts_ms.tolist()]
        assert all(len(v) == n for v in values.values())
        return values

    def _fired(self, draws: Draws, n: int, rejected: np.ndarray, incident: np.ndarray) -> np.ndarray:
        """(n, rules) booleans: which rules fired in each execution."""
        rules = self.decision.rules
        fired = np.zeros((n, len(rules)), bool)
        for i in self._regular:
            fired[:, i] = draws.uniform(RULE_STREAMS + i) < rules[i].pct / 100
        if self._rejecting:
            pick = np.searchsorted(self._reject_cumulative, draws.uniform(REJECT_RULE), side="right")
            chosen = np.asarray(self._rejecting)[np.minimum(pick, len(self._rejecting) - 1)]
            rows = np.flatnonzero(rejected & ~incident)
            fired[rows, chosen[rows]] = True
        if incident.any() and self._regular:
            # a failed execution stops part-way: only rules before the failure point ran
            cut = (draws.uniform(INCIDENT_CUT) * (len(self._regular) + 1)).astype(np.int64)
            position = np.zeros(len(rules), np.int64)
            position[self._regular] = np.arange(len(self._regular))
            ran = position[None, :] < cut[:, None]
            fired[incident] &= ran[incident]
        return fired

    def _rule_lists(self, fired: np.ndarray) -> tuple[list[bytes], list[bytes], list[bytes]]:
        """Per event: the executedRules list, the nonExecutedRules list, and the fired rejection rule's name."""
        n = fired.shape[0]
        if not fired.shape[1]:
            return [b"[]"] * n, [b"[]"] * n, [b"null"] * n
        patterns, inverse = np.unique(np.packbits(fired, axis=1), axis=0, return_inverse=True)
        executed, skipped, reasons = [], [], []
        for row in np.unpackbits(patterns, axis=1, count=fired.shape[1]).astype(bool):
            executed.append(b"[" + b",".join(p for p, f in zip(self._rule_paths, row, strict=True) if f) + b"]")
            skipped.append(b"[" + b",".join(p for p, f in zip(self._rule_paths, row, strict=True) if not f) + b"]")
            names = [self.decision.rules[i].name for i in self._rejecting if row[i]]
            reasons.append(quote(names[0]) if names else b"null")
        index = inverse.ravel().tolist()
        return [executed[i] for i in index], [skipped[i] for i in index], [reasons[i] for i in index]

    def encode(self, cols: EventColumns) -> DecisionBatch:
        """The decision events of the decision step's events in ``cols``, in the same order."""
        if not self.decision.business_monitoring_enabled:
            return DecisionBatch.concat([])
        cols = cols.take(np.isin(cols.type_code, self.type_codes))
        n = len(cols)
        if not n:
            return DecisionBatch.concat([])
        draws = Draws(cols.event_id)
        decision = self.decision
        rejected = self.type_is_error[cols.type_code] | (cols.is_last & self.end_is_rejection)
        incident = draws.uniform(INCIDENT) < decision.incident_pct / 100
        span = decision.execution_millis_max - decision.execution_millis_min + 1
        millis = decision.execution_millis_min + (draws.uniform(MILLIS) * span).astype(np.int64)
        node = np.searchsorted(self._node_cumulative, draws.uniform(NODE), side="right")
        node = np.minimum(node, len(self._nodes) - 1)
        execution_id = draws.uuids(EXECUTION_ID)
        executed, skipped, reasons = self._rule_lists(self._fired(draws, n, rejected, incident))
        data = self._data(cols, rejected, incident, reasons)
        ids = uuid_bytes(execution_id)
        incident_parts = self._incident_parts(draws, incident, ids, node, cols.correlation)
        stamps = (cols.ts_ms // (1000 if decision.timestamp_unit == "s" else 1)).tolist()
        nodes = [self._nodes[i] for i in node.tolist()]
        head = self._head
        lines = [
            _LINE % (head, *fields)
            for fields in zip(data, executed, ids, millis.tolist(), incident_parts, skipped, nodes, stamps, strict=True)
        ]
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum([len(line) for line in lines], out=offsets[1:])
        return DecisionBatch(b"".join(lines), offsets, cols.ts_ms.copy(), cols.correlation.copy(), execution_id)

    def _data(self, cols: EventColumns, rejected: np.ndarray, incident: np.ndarray, reasons: list) -> list[bytes]:
        """The inside of ``data`` per event: input and output parameters, as the switches allow.

        A failed execution (an incident) produced no output, so it has no outputParameters."""
        names = set(self._input.used if self._input else ())
        if self._outputs:
            names |= self._outputs[0].used | self._outputs[1].used
        whole = self._values(cols, names)
        whole["rule"] = reasons
        whole["outcome"] = [b'"rejected"' if r else b'"approved"' for r in rejected.tolist()]
        inline = {key: [inline_text(v) for v in column] for key, column in whole.items()}
        data = []
        for i, (is_rejected, failed) in enumerate(zip(rejected.tolist(), incident.tolist(), strict=True)):
            parts = []
            if self._input is not None:
                parts.append(b'"inputParameters":' + self._input.render(whole, inline, i))
            if self._outputs is not None and not failed:
                parts.append(b'"outputParameters":' + self._outputs[is_rejected].render(whole, inline, i))
            data.append(b",".join(parts))
        return data

    def _incident_parts(self, draws: Draws, incident: np.ndarray, ids, node: np.ndarray, correlation) -> list[bytes]:
        parts = [_SUCCEEDED] * len(incident)
        rows = np.flatnonzero(incident)
        if not rows.size:
            return parts
        incident_ids = uuid_bytes(draws.uuids(INCIDENT_ID)[rows])
        values = {
            "executionId": ids,
            "decisionOperation": [quote(self.decision.decision_operation)[1:-1]] * len(ids),
            "runtimeNodeName": [self._nodes[i][1:-1] for i in node.tolist()],
            "correlation": uuid_bytes(correlation),
        }
        whole = {key: [b'"' + v + b'"' for v in column] for key, column in values.items()}
        for row, incident_id in zip(rows.tolist(), incident_ids, strict=True):
            parts[row] = _FAILED % (
                self._incident_category,
                incident_id,
                self._trace.render(whole, values, row) if self.decision.incident_stack_trace else b"null",
            )
        return parts


# --- entry points --------------------------------------------------------------------------------


def _compiled(journey: JourneySpec | CompiledJourney) -> CompiledJourney:
    return journey if isinstance(journey, CompiledJourney) else compile_journey(journey)


def decision_batches(
    journey: JourneySpec | CompiledJourney, decisions: Sequence[DecisionSpec], columns: EventColumns
) -> list[DecisionBatch]:
    """For each decision (same order), the decision events of the journey events in ``columns``.

    ``columns`` is what :func:`~journeys.engine.generator.generate_columns` yields for a delivery
    window; the result covers exactly the same window, so a decision destination can keep its own
    cursor just like a journey destination.
    """
    compiled = _compiled(journey)
    return [DecisionEncoder(compiled, decision).encode(columns) for decision in decisions]


def generate_decisions(
    journey: JourneySpec | CompiledJourney,
    decision: DecisionSpec,
    start: datetime | int,
    end: datetime | int,
    origin: datetime | int | None = None,
) -> Iterator[DecisionBatch]:
    """Decision events with timestamps in [start, end), like :func:`~journeys.engine.generator.generate`.

    Deterministic and split-invariant for the same reasons: generating [a, c) gives the events of
    [a, b) followed by those of [b, c).
    """
    compiled = _compiled(journey)
    encoder = DecisionEncoder(compiled, decision)
    for columns in generate_columns(compiled, start, end, origin):
        batch = encoder.encode(columns)
        if len(batch):
            yield batch


def generate_decision_dicts(journey, decision: DecisionSpec, start, end, origin=None) -> Iterator[dict]:
    for batch in generate_decisions(journey, decision, start, end, origin):
        yield from batch.to_dicts()


def sample_decision_event(
    journey: JourneySpec | CompiledJourney, decision: DecisionSpec, *, at_ms: int, rejected: bool = False
) -> dict:
    """One decision event for a preview, whatever the journey's volume: a made-up execution of the
    decision step at ``at_ms`` by a made-up journey (its attributes are the first of each list)."""
    compiled = _compiled(journey)
    spec = compiled.spec
    seed = [spec.seed, decision.step] + ([] if decision.variant is None else [decision.variant])
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 256, (2, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    revenue = -1
    if spec.revenue is not None:
        revenue = round((spec.revenue.min_value + spec.revenue.max_value) / 2) * 100
    columns = EventColumns(
        ts_ms=np.array([at_ms], np.int64),
        type_code=np.array([compiled.steps[decision.step].ways[decision.variant or 0].type_code], np.int16),
        seq=np.array([decision.step], np.int16),
        is_last=np.array([rejected]),
        journey_start_ms=np.array([at_ms], np.int64),
        correlation=raw[:1],
        event_id=raw[1:],
        location=np.array([0 if spec.locations else -1], np.int16),
        segment=np.array([0 if spec.segments else -1], np.int16),
        host=np.array([0 if spec.hosts else -1], np.int16),
        revenue_cents=np.array([revenue], np.int64),
    )
    encoder = DecisionEncoder(compiled, replace(decision, business_monitoring_enabled=True, incident_pct=0.0))
    encoder.end_is_rejection = True  # the sample shows the outcome asked for
    return encoder.encode(columns).to_dicts()[0]


def sample_decision_json(journey: JourneySpec | CompiledJourney, decision: DecisionSpec, *, at_ms: int) -> str:
    """The sample as the preview shows it: indented JSON, keys in the order they are sent."""
    return json.dumps(sample_decision_event(journey, decision, at_ms=at_ms), indent=2, ensure_ascii=False)
