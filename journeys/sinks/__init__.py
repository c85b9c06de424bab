"""Destinations for events: one package per kind, each behind the contract in ``base``.

``SINKS`` maps a destination kind to its class; adding a kind means adding a package and a line here.
"""

SINKS: dict[str, type] = {}


def register(kind: str):
    def decorate(cls):
        cls.kind = kind
        SINKS[kind] = cls
        return cls

    return decorate


def sink_class(kind: str) -> type:
    try:
        return SINKS[kind]
    except KeyError:
        raise KeyError(f"unknown destination kind {kind!r}; known: {', '.join(sorted(SINKS))}") from None


# Each kind registers itself when its package is imported.
from . import dynatrace, webhook  # noqa: E402, F401
