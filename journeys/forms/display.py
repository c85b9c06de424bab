"""What the editor shows beside its inputs, computed from the typed text: rows with their labels,
suggested event types and shares of weight, and the bars of the hour and weekday weights."""

from __future__ import annotations

from dataclasses import dataclass, field

from .placing import ROW_NAMES
from .rows import MAX_VARIANTS
from .values import suggest_event_type

WEIGHTED_SECTIONS = ("locations", "segments", "hosts")


def number_or_zero(text: str | None) -> float:
    """A typed weight for display (shares, bars): anything that is not a number >= 0 counts as 0."""
    try:
        value = float(text or 0)
    except ValueError:
        return 0.0
    return value if value >= 0 and value != float("inf") else 0.0


@dataclass(frozen=True)
class RowView:
    form: object
    section: str
    index: int
    hint: str = ""  # steps and variants: the event type the name suggests, used while the type is left empty
    share: str = ""  # weighted lists and variants: the row's share of the total weight
    last: bool = False
    focused: str = ""  # the row action just applied to this row, whose button keeps the focus
    first: bool = False
    variants: tuple[RowView, ...] = field(default=())  # a step's variant rows
    letter: str = ""  # a variant's letter within its step: a, b, c…
    step_number: int = 0  # a variant's step

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def label(self) -> str:
        if self.section == "variants":
            return f"Variant {self.step_number}{self.letter}"
        return f"{ROW_NAMES[self.section]} {self.number}"

    @property
    def dom_id(self) -> str:
        return f"{self.section}-{self.index}"

    @property
    def has_variants(self) -> bool:
        return bool(self.variants)

    @property
    def can_add_variant(self) -> bool:
        return 0 < len(self.variants) < MAX_VARIANTS


@dataclass(frozen=True)
class Bar:
    label: str
    height_pct: float  # of the tallest bar
    share: str  # of the total


def weight_shares(rows: list[dict[str, str]]) -> list[str]:
    weights = [number_or_zero(row.get("weight")) for row in rows]
    total = sum(weights)
    return [f"{weight / total * 100:.1f}%" if total > 0 else "—" for weight in weights]


def bars(values: dict[str, str], names: tuple[str, ...], labels: list[str]) -> list[Bar]:
    weights = [number_or_zero(values.get(name)) for name in names]
    top, total = max(weights), sum(weights)
    return [
        Bar(label, round(weight / top * 100, 1) if top else 0.0, f"{weight / total * 100:.1f}%" if total else "—")
        for label, weight in zip(labels, weights, strict=True)
    ]


def type_hint(row: dict[str, str], name: str | None = None) -> str:
    """The event type an empty type field sends: from the step's name, or its step's and the variant's."""
    if row.get("event_type", "").strip():
        return ""
    return suggest_event_type(row.get("name", "") if name is None else name)


def variant_views(values, forms, step_index: int, step_row: dict[str, str], focus) -> tuple[RowView, ...]:
    """The variant rows of one step, each with its letter, share of the step's weight and type hint."""
    key = step_row.get("key")
    positions = [i for i, row in enumerate(values.rows["variants"]) if row.get("step") == key]
    rows = [values.rows["variants"][i] for i in positions]
    shares = weight_shares(rows)
    views = []
    for number, (position, row) in enumerate(zip(positions, rows, strict=True)):
        views.append(
            RowView(
                form=forms[position],
                section="variants",
                index=position,
                hint=type_hint(row, f"{step_row.get('name', '')} {row.get('name', '')}"),
                share=shares[number],
                first=number == 0,
                last=number == len(rows) - 1,
                focused=focus.get(position, ""),
                letter="abcdefghij"[number] if number < 10 else str(number + 1),
                step_number=step_index + 1,
            )
        )
    return tuple(views)
