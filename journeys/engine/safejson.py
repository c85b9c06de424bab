"""Parse a JSON file a user brought, refusing what would break the code that reads it.

``json.loads`` alone accepts ``NaN`` and ``Infinity``, turns ``1e400`` into infinity, raises
``RecursionError`` on deep nesting and ``ValueError`` on integers of over 4,300 digits, and keeps
``"\\ud800"`` as a lone surrogate that no database or UTF-8 encoder takes. Here each of those is a
:class:`JourneyImportError` that says where (the line, or the key path).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import fail
from .limits import unstorable

MAX_DEPTH = 64  # a journey file nests 4 deep, an exported workflow a dozen
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class _Refused(ValueError):
    def __init__(self, literal: str, message: str):
        self.literal = literal
        self.message = message


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, max(position, 0)) + 1


def _check_depth(text: str) -> None:
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise fail(
                    f"line {_line_of(text, match.start())}", f"the values are nested more than {MAX_DEPTH} levels deep"
                )
        elif token in "]}":
            depth -= 1


def _short(literal: str) -> str:
    return literal if len(literal) <= 24 else f"{literal[:12]}…{literal[-6:]} ({len(literal):,} characters)"


def _int(literal: str) -> int:
    digits = literal.lstrip("-")
    if len(digits) > 400:  # int() itself refuses above 4,300 digits, after a slow conversion
        raise _Refused(literal, f"the number {_short(literal)} is too large")
    number = int(literal)
    try:
        float(number)
    except OverflowError:
        raise _Refused(literal, f"the number {_short(literal)} is too large") from None
    return number


def _float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise _Refused(literal, f"the number {_short(literal)} is too large")
    return number


def _constant(literal: str) -> Any:
    raise _Refused(literal, f"{literal} is not a number JSON allows")


def _unstorable(text: str) -> str:
    """A lone surrogate or NUL in ``text`` (what no database column or UTF-8 encoder takes), else empty."""
    return unstorable(text, controls=False)


def _check_text(value: Any, path: str) -> None:
    """Every string, keys included, must be storable."""
    if isinstance(value, str):
        if problem := _unstorable(value):
            raise fail(path, f"the text {problem}")
    elif isinstance(value, dict):
        for key, item in value.items():
            if problem := _unstorable(key):
                raise fail(path, f"a key {problem}")
            _check_text(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(item, f"{path}[{index}]")


def parse_json(text: str) -> Any:
    """The parsed document; raises :class:`JourneyImportError` for anything described above."""
    text = text.removeprefix("\ufeff")
    _check_depth(text)
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except _Refused as exc:
        raise fail(f"line {_line_of(text, text.find(exc.literal))}", exc.message) from None
    except json.JSONDecodeError as exc:
        raise fail("", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except (RecursionError, ValueError) as exc:  # a last guard: nothing here may escape as a server error
        raise fail("", f"not valid JSON: {type(exc).__name__}") from None
    _check_text(data, "")
    return data
