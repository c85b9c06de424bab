"""Destinations for events: one package per kind, each behind the contract in ``base``.

``SINKS`` maps a destination kind to its class; adding a kind means adding a package
(``journeys/sinks/<kind>/transport.py`` with ``@register("<kind>")``) and a line in ``KINDS``.
"""

import importlib

SINKS: dict[str, type] = {}

# Every kind a destination can have, in menu order, with its label (the Destination model's choices).
KINDS: dict[str, str] = {
    "file": "File (NDJSON)",
    "dynatrace": "Dynatrace",
    "webhook": "Webhook",
    "kafka": "Kafka",
}


def register(kind: str):
    def decorate(cls):
        cls.kind = kind
        SINKS[kind] = cls
        return cls

    return decorate


def _load(kind: str) -> None:
    """Import a kind's package on first use, so that it registers itself."""
    if kind not in KINDS:
        return
    module = f"{__name__}.{kind}.transport"
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name not in (module, f"{__name__}.{kind}"):
            raise  # the package exists but something it imports is missing: say so


def sink_class(kind: str) -> type:
    if kind not in SINKS:
        _load(kind)
    try:
        return SINKS[kind]
    except KeyError:
        raise KeyError(f"unknown destination kind {kind!r}; known: {', '.join(sorted(SINKS))}") from None


def available_kinds() -> dict[str, str]:
    """The kinds whose package is installed, with their labels."""
    for kind in KINDS:
        if kind not in SINKS:
            _load(kind)
    return {kind: label for kind, label in KINDS.items() if kind in SINKS}
