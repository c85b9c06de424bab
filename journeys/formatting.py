"""Numbers as the pages show them; the flow graph, the summaries and the tests share these."""

from __future__ import annotations


def count(value: float | None) -> str:
    """A count per day: 1,234 / 56.7 / 0.42 — enough digits to read, never more."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def pct(share: float | None) -> str:
    """A share (0..1) as a percentage with one decimal."""
    return "—" if share is None else f"{share * 100:.1f}%"


def hours(value: float | None) -> str:
    """A duration in hours, the way people say it: 45 min, 2 h 10 min, 3 d 4 h."""
    if value is None:
        return "—"
    minutes = round(value * 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        whole, rest = divmod(minutes, 60)
        return f"{whole} h {rest} min" if rest else f"{whole} h"
    days, rest = divmod(round(value), 24)
    return f"{days} d {rest} h" if rest else f"{days} d"


def money(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
