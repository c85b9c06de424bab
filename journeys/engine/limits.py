"""Ceilings on what one journey may ask of the server, and the characters its names may use.

Every path that makes a journey (the editor, an import, the command line, the admin) ends in
:func:`spec.validate`, which applies these, so they agree. The ceilings are a :class:`Limits`: the
engine's defaults, or what the web app's settings say (``BIZFLOW_MAX_*``, read through the
provider it installs with :func:`set_limits_provider`; the engine itself knows nothing of Django).

Why each ceiling exists:

- journeys per day: the events a journey generates, and the work of every delivery run, grow with
  it. A run generates its window from every journey that may still be running, so the work grows
  with the journey's longest duration too: a journey that can last N days (N > 1) counts N times
  against the ceiling; and its surges (which multiply where they overlap) count at their peak.
- a step's delay and a journey's longest duration: a delivery run simulates every 15-minute block
  in which a journey still running could have started, so the longest journey bounds that work.
- loops and steps (variants count as steps): the events of one journey, and the size of its editor.
- list entries (errors, incidents, locations, segment values, hosts, extra attributes, surges).
- text: the lengths of the database's columns, so that what validates can be saved; no control
  characters and no lone surrogates (they cannot be stored or sent as UTF-8).
- event types and error names (which end up in event types) use only ``[A-Za-z0-9._-]``: they appear
  in URLs, DQL queries and Kafka keys, where anything else would need quoting somewhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .delays import delay_ceiling_hours

SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+")
SAFE_NAME_TEXT = "only letters A-Z and a-z, digits, '.', '_' and '-'"

# The lengths of the columns the web app stores these in (journeys/models/journey.py).
NAME_LENGTH = 200  # journey, provider, step and variant names, event types, error names, listed values
FIELD_LENGTH = 100  # event field names (correlation, location, segment, revenue, extra), host ids, labels
VALUE_LENGTH = 500  # an extra attribute's value
TIMEZONE_LENGTH = 64
DESCRIPTION_LENGTH = 10_000

MAX_WEIGHT = 1_000_000.0  # weights are relative: this leaves room for any proportion, and sums stay finite
MAX_REVENUE = 1_000_000_000_000.0  # a trillion; two decimals stay exact in a double


@dataclass(frozen=True)
class Limits:
    """The ceilings a journey must stay within (see the module's documentation)."""

    journeys_per_day: float = 1_000_000
    delay_hours: float = 168.0  # one step's (or variant's) max delay: a week
    journey_hours: float = 2_160.0  # the longest a journey can last, delays times loops: 90 days
    loops: int = 100
    steps: int = 100  # a step with variants counts as many steps as it has variants
    list_items: int = 1_000  # entries of each list


_provider: Callable[[], Limits] = Limits


def set_limits_provider(provider: Callable[[], Limits]) -> None:
    """Where :func:`current_limits` gets the ceilings from (the web app installs its settings)."""
    global _provider
    _provider = provider


def current_limits() -> Limits:
    return _provider()


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _count(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


_LONE_SURROGATE_OR_NUL = re.compile("[\ud800-\udfff\x00]")
_LONE_SURROGATE_OR_CONTROL = re.compile("[\ud800-\udfff\x00-\x1f\x7f-\x9f]")  # Unicode's Cc: C0, DEL, C1


def unstorable(text: str, *, controls: bool = True) -> str:
    """What in ``text`` cannot be stored or sent (empty when nothing): a lone surrogate or a control character.

    ``controls=False`` looks only for what no column takes at all: lone surrogates and NUL.
    """
    match = (_LONE_SURROGATE_OR_CONTROL if controls else _LONE_SURROGATE_OR_NUL).search(text)
    if match is None:
        return ""
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        return f"holds \\u{code:04x}, a lone surrogate that is not a character"
    return f"holds the control character \\u{code:04x}"


def text_problems(value: Any, max_length: int) -> str:
    """Why a name or value cannot be kept (empty when it can): too long, or characters that cannot be stored."""
    if not isinstance(value, str):
        return ""
    if len(value) > max_length:
        return f"must be at most {max_length:,} characters (this one has {len(value):,})"
    return unstorable(value)


def name_problems(value: Any) -> str:
    """Why an event type or error name is refused (empty when it is fine); empty names are the caller's."""
    if not isinstance(value, str) or not value.strip() or any(ch.isspace() for ch in value):
        return ""
    if problem := text_problems(value, NAME_LENGTH):
        return problem
    if not SAFE_NAME.fullmatch(value):
        return f"may use {SAFE_NAME_TEXT}"
    return ""


def _ways(step: Any) -> tuple[Any, ...]:
    """A step's variants, or the step itself when it has none."""
    return tuple(getattr(step, "variants", ()) or ()) or (step,)


def _longest_delay(way: Any) -> float:
    """The longest one delay of ``way`` can be (a lognormal delay's capped tail); inf when out of range."""
    low, high, shape = way.min_delay_hours, way.max_delay_hours, getattr(way, "delay_shape", "uniform")
    if not (_finite(low) and _finite(high)):
        return 0.0  # the journey's own rules report it
    if shape == "lognormal" and not 0 < low < high:
        return high
    try:
        return delay_ceiling_hours(low, high, shape)
    except (OverflowError, ValueError):
        return math.inf


def longest_journey_hours(spec: Any) -> float:
    """The longest a journey can last: each step's longest way (longest delay times loops) after the first."""
    total = 0.0
    for step in spec.steps[1:]:
        longest = 0.0
        for way in _ways(step):
            loops = way.max_loops
            if isinstance(loops, int) and not isinstance(loops, bool) and loops > 0:
                longest = max(longest, _longest_delay(way) * loops)
        total += longest
    return total


def peak_multiplier(spec: Any) -> float:
    """How many times its volume a journey may start at once: every surge above 1 overlapping (they multiply)."""
    peak = 1.0
    for surge in getattr(spec, "surges", ()) or ():
        multiplier = getattr(surge, "multiplier", 1.0)
        if _finite(multiplier) and multiplier > 1:
            peak *= multiplier
    return peak


def _texts(spec: Any) -> Iterator[tuple[str, Any, int]]:
    """(path, value, longest allowed) of every piece of text the journey holds."""
    yield "name", spec.name, NAME_LENGTH
    yield "event_provider", spec.event_provider, NAME_LENGTH
    yield "correlation_field", spec.correlation_field, FIELD_LENGTH
    yield "timezone", spec.timezone, TIMEZONE_LENGTH
    yield "location_field", spec.location_field, FIELD_LENGTH
    yield "segment_field", spec.segment_field, FIELD_LENGTH
    if spec.revenue is not None:
        yield "revenue.field", spec.revenue.field, FIELD_LENGTH
        yield "revenue.label", spec.revenue.label, FIELD_LENGTH
    for name, items, length in (("locations", spec.locations, NAME_LENGTH), ("segments", spec.segments, NAME_LENGTH)):
        for index, item in enumerate(items):
            yield f"{name}[{index}].value", item.value, length
    for index, item in enumerate(spec.hosts):
        yield f"hosts[{index}].value", item.value, FIELD_LENGTH
    for index, (key, value) in enumerate(spec.extra_attributes):
        yield f"extra_attributes[{index}]", key, FIELD_LENGTH
        yield f"extra_attributes[{index}]", value, VALUE_LENGTH


def _names(spec: Any) -> Iterator[tuple[str, Any]]:
    """(path, value) of every error name: they become events' types (steps': :func:`step_limit_problems`)."""
    for index, rule in enumerate(spec.errors):
        yield f"errors[{index}].name", rule.name
    for index, incident in enumerate(spec.incidents):
        yield f"incidents[{index}].error_name", incident.error_name


def _volume(spec: Any, limits: Limits, problems: list[tuple[str, str]]) -> None:
    volume = spec.journeys_per_day
    if not _finite(volume):
        return  # the journey's own rules report it
    ceiling = limits.journeys_per_day
    if volume > ceiling:
        problems.append(("journeys_per_day", f"must be at most {_count(ceiling)} journeys per day"))
        return
    peak = peak_multiplier(spec)
    hours = longest_journey_hours(spec)
    days = max(1.0, hours / 24) if hours <= limits.journey_hours else 1.0  # too long: reported on its own
    if volume * peak * days <= ceiling:
        return
    reasons = []
    if peak > 1:
        reasons.append(f"its surges can multiply it by {peak:,g}")
    if days > 1:
        reasons.append(f"a journey can last {days:.1f} days, and each day counts")
    allowed = math.floor(ceiling / (peak * days)) if math.isfinite(peak * days) else 0
    problems.append(
        (
            "journeys_per_day",
            f"must be at most {_count(allowed)} journeys per day here: {' and '.join(reasons)} against the ceiling "
            f"of {_count(ceiling)} journeys per day",
        )
    )


def _steps(spec: Any, limits: Limits, problems: list[tuple[str, str]]) -> None:
    ways = sum(len(_ways(step)) for step in spec.steps)
    if ways > limits.steps:
        problems.append(("steps", f"a journey may have at most {limits.steps:,} steps (variants count as steps)"))
    longest = longest_journey_hours(spec)
    if longest > limits.journey_hours:
        problems.append(
            (
                "steps",
                f"a journey may last at most {_count(limits.journey_hours)} hours (its max delays times max loops, "
                f"a lognormal delay's longest tail included); this one can last "
                + (f"{longest:,.0f} hours" if longest < 1e9 else "more than 1,000,000,000 hours"),
            )
        )


def step_limit_problems(index: int, step: Any, limits: Limits | None = None) -> list[tuple[str, str]]:
    """(path, message) for one step's ceilings and names: its (variants') delays, loops, names and event types.

    Called for every step by :func:`spec.validate_step`, so forms that check a step alone apply them too.
    """
    limits = limits or current_limits()
    problems: list[tuple[str, str]] = []
    if problem := text_problems(step.name, NAME_LENGTH):
        problems.append((f"steps[{index}].name", problem))
    variants = getattr(step, "variants", ()) or ()
    paths = [f"steps[{index}].variants[{v}]" for v in range(len(variants))] if variants else [f"steps[{index}]"]
    for path, way in zip(paths, _ways(step), strict=True):
        if variants and (problem := text_problems(way.name, NAME_LENGTH)):
            problems.append((f"{path}.name", problem))
        if problem := name_problems(way.event_type):
            problems.append((f"{path}.event_type", problem))
        for name in ("min_delay_hours", "max_delay_hours"):
            value = getattr(way, name)
            if _finite(value) and value > limits.delay_hours:
                problems.append((f"{path}.{name}", f"must be at most {_count(limits.delay_hours)} hours"))
        loops = way.max_loops
        if isinstance(loops, int) and not isinstance(loops, bool) and loops > limits.loops:
            problems.append((f"{path}.max_loops", f"must be at most {limits.loops:,} loops"))
    return problems


def _numbers(spec: Any, problems: list[tuple[str, str]]) -> None:
    weighted = [("hour_weights", spec.hour_weights), ("weekday_weights", spec.weekday_weights)]
    for path, weights in weighted:
        for index, weight in enumerate(weights):
            if _finite(weight) and weight > MAX_WEIGHT:
                problems.append((f"{path}[{index}]", f"must be at most {_count(MAX_WEIGHT)} (weights are relative)"))
    for path, items in (("locations", spec.locations), ("segments", spec.segments), ("hosts", spec.hosts)):
        for index, item in enumerate(items):
            if _finite(item.weight) and item.weight > MAX_WEIGHT:
                problems.append(
                    (f"{path}[{index}].weight", f"must be at most {_count(MAX_WEIGHT)} (weights are relative)")
                )
    for v_index, step in enumerate(spec.steps):
        for w_index, variant in enumerate(getattr(step, "variants", ()) or ()):
            weight = getattr(variant, "weight", 1.0)
            if _finite(weight) and weight > MAX_WEIGHT:
                path = f"steps[{v_index}].variants[{w_index}].weight"
                problems.append((path, f"must be at most {_count(MAX_WEIGHT)} (weights are relative)"))
    if spec.revenue is not None:
        for name in ("min_value", "max_value"):
            value = getattr(spec.revenue, name)
            if _finite(value) and value > MAX_REVENUE:
                problems.append((f"revenue.{name}", f"must be at most {_count(MAX_REVENUE)}"))


def limit_problems(spec: Any, limits: Limits | None = None) -> list[tuple[str, str]]:
    """(path, message) for every ceiling the journey as a whole passes and every error name it may not use.

    Each step's own ceilings are :func:`step_limit_problems`' (which :func:`spec.validate` applies too).
    """
    limits = limits or current_limits()
    problems: list[tuple[str, str]] = []
    _volume(spec, limits, problems)
    _steps(spec, limits, problems)
    lists = ("errors", "incidents", "locations", "segments", "hosts", "extra_attributes", "surges")
    for name in lists:
        count = len(getattr(spec, name, ()) or ())
        if count > limits.list_items:
            problems.append((name, f"may have at most {limits.list_items:,} entries (this one has {count:,})"))
    for path, value, length in _texts(spec):
        if problem := text_problems(value, length):
            problems.append((path, problem))
    for path, value in _names(spec):
        if problem := name_problems(value):
            problems.append((path, problem))
    _numbers(spec, problems)
    return problems
