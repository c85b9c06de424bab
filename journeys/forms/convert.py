"""Between the editor's forms and the engine's :class:`JourneySpec`, both ways.

- :func:`values_from_spec` (in :mod:`.values`) turns a stored journey into the text the editor shows.
- :class:`JourneyEditor` holds the forms for a set of values. Unbound (``bound=False``) it only
  displays them, typed text included, without judging it: that is what a row action or the first
  view of a page renders. Bound, :meth:`JourneyEditor.spec` validates every form, builds the spec
  from what is valid (:mod:`.build`), runs the engine's ``validate()`` on it, and puts each
  :class:`SpecError` next to the input its path names (:mod:`.placing`: ``steps[2].drop_off_pct`` is
  the third step row's drop-off, ``steps[2].variants[0].weight`` its first variant's weight).
  A journey is only returned when there is no error at all.
- What the page shows beside the inputs (shares, hints, bars) is in :mod:`.display`.
"""

from __future__ import annotations

from ..engine.spec import JourneySpec, SpecError, validate
from .build import build_spec
from .display import WEIGHTED_SECTIONS, Bar, RowView, bars, type_hint, variant_views, weight_shares
from .editor import (
    HOUR_FIELDS,
    WEEKDAY_FIELDS,
    WEEKDAYS,
    AttributeFormSet,
    BasicsForm,
    ErrorFormSet,
    HostFormSet,
    IncidentFormSet,
    StepFormSet,
    SurgeFormSet,
    VariantFormSet,
    WeightedFormSet,
)
from .placing import SECTION_TITLES, ErrorPlacer, Problem, form_problems, row_name
from .rows import EditorValues, RowAction
from .values import as_text, blank_values, suggest_event_type, values_from_spec

__all__ = ["JourneyEditor", "Problem", "as_text", "blank_values", "suggest_event_type", "values_from_spec"]

FORMSETS = {
    "steps": StepFormSet,
    "variants": VariantFormSet,
    "errors": ErrorFormSet,
    "incidents": IncidentFormSet,
    "locations": WeightedFormSet,
    "segments": WeightedFormSet,
    "hosts": HostFormSet,
    "attributes": AttributeFormSet,
    "surges": SurgeFormSet,
}
FIRST_INPUT = {"steps": "name", "variants": "name", "errors": "name", "incidents": "error_name"}
FIRST_INPUT.update({"attributes": "key", "surges": "multiplier"})


class JourneyEditor:
    """The editor's forms for one set of values; see the module's docstring."""

    def __init__(self, values: EditorValues, *, bound: bool, focus: tuple[RowAction, int] | None = None):
        self.values = values
        self.bound = bound
        data = values.to_data() if bound else None
        self.basics = BasicsForm(data=data) if bound else BasicsForm(initial=values.basics)
        choices = values.step_choices()
        self.formsets = {}
        for section, formset_class in FORMSETS.items():
            kwargs = {"prefix": section}
            if section in ("errors", "incidents"):
                kwargs["form_kwargs"] = {"step_choices": choices}
            if bound:
                self.formsets[section] = formset_class(data=data, **kwargs)
            else:
                self.formsets[section] = formset_class(initial=values.rows[section], **kwargs)
        self._placeholders()
        self.placer = ErrorPlacer(values, self.basics, self.formsets)
        self.section_errors = self.placer.section_errors
        self._checked = False
        self._spec: JourneySpec | None = None
        # After a row action, the keyboard stays where the user works: in a new row's first input, or
        # on the arrow that moved a row (so pressing it again keeps moving it).
        self.focus = (focus[0].section, focus[1], focus[0].verb) if focus else None
        if focus and focus[0].verb == "add" and focus[1] < len(self.formsets[focus[0].section].forms):
            form = self.formsets[focus[0].section].forms[focus[1]]
            form.fields[FIRST_INPUT.get(focus[0].section, "value")].widget.attrs["autofocus"] = True

    def _placeholders(self) -> None:
        """An empty event type shows the one the name suggests."""
        steps = {row.get("key"): row for row in self.values.rows["steps"]}
        for form, row in zip(self.formsets["steps"].forms, self.values.rows["steps"], strict=True):
            suggestion = suggest_event_type(row.get("name", ""))
            form.fields["event_type"].widget.attrs["placeholder"] = suggestion or "event.type"
        for form, row in zip(self.formsets["variants"].forms, self.values.rows["variants"], strict=True):
            step_name = steps.get(row.get("step"), {}).get("name", "")
            suggestion = suggest_event_type(f"{step_name} {row.get('name', '')}")
            form.fields["event_type"].widget.attrs["placeholder"] = suggestion or "event.type"

    @property
    def description(self) -> str:
        if self.bound:
            return self.basics.cleaned_data.get("description", "")
        return self.values.basics.get("description", "")

    def spec(self) -> JourneySpec | None:
        """The journey when every value is valid; otherwise None, with each error beside its input."""
        if not self._checked:
            self._checked = True
            forms_valid = self.basics.is_valid()
            for formset in self.formsets.values():
                forms_valid = formset.is_valid() and forms_valid
            spec = build_spec(self.values, self.basics, self.formsets)
            for error in validate(spec):
                self.placer.place(error)
            self._spec = spec if forms_valid and not self.has_errors() else None
        return self._spec

    def has_errors(self) -> bool:
        if self.basics.errors or any(self.section_errors.values()):
            return True
        return any(formset.total_error_count() for formset in self.formsets.values())

    def add_errors(self, errors: list[SpecError]) -> None:
        """Show errors a service raised on saving (e.g. a volume above the tenant's cap) beside their inputs."""
        for error in errors:
            self.placer.place(error)
        self._spec = None

    def problems(self) -> list[Problem]:
        """Every error, in page order, with the id of its input: the list atop the form links to them."""
        found = [Problem("journey-form", SECTION_TITLES["general"], m) for m in self.section_errors.get("general", [])]
        found += form_problems(self.basics, "")
        for section, formset in self.formsets.items():
            found += self._section_problems(section)
            for index, form in enumerate(formset.forms):
                found += form_problems(form, row_name(self.values, section, index))
        for section in ("revenue", "hours", "weekdays"):
            found += self._section_problems(section)
        return found

    def _section_problems(self, section: str) -> list[Problem]:
        messages = self.section_errors.get(section, [])
        anchor = "steps" if section == "variants" else section
        return [Problem(f"section-{anchor}", SECTION_TITLES[section], message) for message in messages]

    # What the template shows beside the forms, computed from the typed values.

    def _focus_in(self, section: str) -> dict[int, str]:
        return {self.focus[1]: self.focus[2]} if self.focus and self.focus[0] == section else {}

    def rows(self, section: str) -> list[RowView]:
        forms = self.formsets[section].forms
        raw = self.values.rows[section]
        shares = weight_shares(raw) if section in WEIGHTED_SECTIONS else [""] * len(raw)
        focus = self._focus_in(section)
        return [
            RowView(
                form=form,
                section=section,
                index=index,
                hint=type_hint(raw[index]) if section == "steps" else "",
                share=shares[index],
                first=index == 0,
                last=index == len(forms) - 1,
                focused=focus.get(index, ""),
            )
            for index, form in enumerate(forms)
        ]

    @property
    def step_rows(self) -> list[RowView]:
        """The step rows, each with its variant rows."""
        variant_forms, focus = self.formsets["variants"].forms, self._focus_in("variants")
        return [
            RowView(**{**row.__dict__, "variants": variant_views(self.values, variant_forms, row.index, raw, focus)})
            for row, raw in zip(self.rows("steps"), self.values.rows["steps"], strict=True)
        ]

    @property
    def variant_rows(self) -> list[RowView]:
        return [variant for step in self.step_rows for variant in step.variants]

    @property
    def error_rows(self) -> list[RowView]:
        return self.rows("errors")

    @property
    def incident_rows(self) -> list[RowView]:
        return self.rows("incidents")

    @property
    def surge_rows(self) -> list[RowView]:
        return self.rows("surges")

    @property
    def location_rows(self) -> list[RowView]:
        return self.rows("locations")

    @property
    def segment_rows(self) -> list[RowView]:
        return self.rows("segments")

    @property
    def host_rows(self) -> list[RowView]:
        return self.rows("hosts")

    @property
    def attribute_rows(self) -> list[RowView]:
        return self.rows("attributes")

    @property
    def hour_bars(self) -> list[Bar]:
        return bars(self.values.basics, HOUR_FIELDS, [f"{hour:02d}" for hour in range(24)])

    @property
    def weekday_bars(self) -> list[Bar]:
        return bars(self.values.basics, WEEKDAY_FIELDS, list(WEEKDAYS))
