"""One entry point for every journey file a user may bring, whatever its format.

- ``json``: BizFlow Studio's own journey file (:mod:`jsonformat`).
- ``configjs``: the reference generator's ``config`` task script (:mod:`configjs`).
- ``workflow``: the reference generator's whole workflow as exported from Dynatrace (the file users
  download, e.g. ``wf_business_data_generator_3008.json``): its ``config`` task script is imported.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from .configjs import DEFAULT_JOURNEYS_PER_DAY, import_configjs
from .errors import JourneyImportError, fail
from .jsonformat import JourneyDocument, loads_document
from .safejson import parse_json
from .spec import JourneySpec, SpecError, validate

Format = Literal["json", "configjs", "workflow"]
CONFIGJS_DESCRIPTION = "Imported from a Business Data Generator config.js."


def detect_format(text: str) -> Format:
    """Which importer reads ``text``: decided by content, since uploads and paths may be misnamed."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped.startswith(("{", "[")):
        return "configjs"  # JavaScript never starts with a bare object or array literal
    try:
        data = parse_json(stripped)
    except JourneyImportError:
        return "json"  # broken JSON: report it as JSON, which is what it was meant to be
    if isinstance(data, dict) and isinstance(data.get("tasks"), dict) and "format" not in data:
        return "workflow"
    return "json"


def _workflow_script(text: str) -> str:
    tasks: dict[str, Any] = parse_json(text.lstrip("\ufeff"))["tasks"]
    # The config task is named "config" in the template; a renamed one is found by its content.
    candidates = [tasks.get("config")] + [task for name, task in tasks.items() if name != "config"]
    for task in candidates:
        task_input = task.get("input") if isinstance(task, dict) else None
        script = task_input.get("script") if isinstance(task_input, dict) else None
        if isinstance(script, str) and "PROCESS_STEPS" in script and "configBody" not in script:
            return script
    raise fail("tasks", "no Business Data Generator config task (a script declaring PROCESS_STEPS) in this workflow")


def _override(document: JourneyDocument, journeys_per_day: float | None, seed: int | None) -> JourneyDocument:
    changes: dict[str, Any] = {}
    if journeys_per_day is not None:
        changes["journeys_per_day"] = journeys_per_day
    if seed is not None:
        changes["seed"] = seed
    if not changes:
        return document
    spec = replace(document.spec, **changes)
    problems = validate(spec)
    if problems:
        raise JourneyImportError(problems)
    return replace(document, spec=spec)


def read_journey_text(text: str, *, journeys_per_day: float | None = None, seed: int | None = None) -> JourneyDocument:
    """The journey (and description) in ``text``, in any supported format.

    ``journeys_per_day`` and ``seed`` override the file's values (a config.js has none: it gets
    600 journeys a day and a seed derived from its content). Raises :class:`JourneyImportError`.
    """
    if not text.strip():
        raise fail("", "the file is empty")
    kind = detect_format(text)
    if kind == "json":
        return _override(loads_document(text), journeys_per_day, seed)
    volume = DEFAULT_JOURNEYS_PER_DAY if journeys_per_day is None else journeys_per_day
    if kind == "configjs":
        return JourneyDocument(import_configjs(text, journeys_per_day=volume, seed=seed), CONFIGJS_DESCRIPTION)
    script = _workflow_script(text)
    try:
        spec = import_configjs(script, journeys_per_day=volume, seed=seed)
    except JourneyImportError as exc:
        # Line numbers count within the task's script, as the workflow editor shows it.
        raise JourneyImportError(
            [SpecError(f"config task, {e.path}" if e.path else "config task", e.message) for e in exc.errors]
        ) from exc
    return JourneyDocument(spec, CONFIGJS_DESCRIPTION)


def import_journey_text(text: str, **overrides: Any) -> JourneySpec:
    """Like :func:`read_journey_text`, for callers that need only the journey."""
    return read_journey_text(text, **overrides).spec
