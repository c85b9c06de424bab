"""Numbers and times as the pages show them, one way everywhere: the flow graph, the summaries, the
lists, the admin and the tests share these (templates through ``journeys.templatetags.journey_format``)."""

from __future__ import annotations

from datetime import UTC, datetime


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
    """An amount of revenue, on every page the same: 12,345 / 56.70."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def integer(value: int | float | None) -> str:
    """A whole count with thousands separators: 304,918."""
    return "—" if value is None else f"{round(value):,}"


def ago(moment: datetime | None, *, now: datetime | None = None) -> str:
    """How long ago, in the largest unit that fits: "just now", "5 minutes ago", "3 hours ago", "2 days ago"."""
    if moment is None:
        return "—"
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            amount = int(seconds // size)
            return f"{amount:,} {unit}{'' if amount == 1 else 's'} ago"
    return "just now"  # unreachable: a minute or more always matched above


def utc(moment: datetime | None, *, seconds: bool = True) -> str:
    """A moment in UTC, saying so: 2026-03-02 09:15:07 UTC."""
    if moment is None:
        return "—"
    pattern = "%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC"
    return moment.astimezone(UTC).strftime(pattern)
