"""Just enough DQL to write our queries safely and to read back what a query refers to.

Writing: :func:`string` quotes a literal and :func:`field` an identifier, so a provider, event type
or field name from a journey can never change the shape of a query.

Reading: :func:`usage` tokenises a query and reports the data objects it fetches, its string
literals, the fields it reads and the names it defines. Tests use it to check that every dashboard
tile names only its journey's provider, event types and fields. It is a tokenizer with a little
context, not a parser: it understands the shapes our queries use (commands after ``|``, function
calls, ``name = expression`` assignments, ``name: value`` parameters).

DQL reference: https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass

# Words that are part of the language, never fields.
KEYWORDS = frozenset({"and", "or", "not", "xor", "true", "false", "null", "asc", "desc"})
_PLAIN_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<quoted>`(?:[^`\\]|\\.)*`)
  | (?P<number>\d+(?:\.\d+)?(?:[a-z]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>==|!=|<=|>=|[-+*/%<>=|,:(){}\[\]])
    """,
    re.VERBOSE,
)


def string(value: str) -> str:
    """A DQL string literal: double quotes, with backslash escapes."""
    return json.dumps(value, ensure_ascii=False)


def field(name: str) -> str:
    """A field reference; names that are not plain dotted identifiers go in backticks."""
    if _PLAIN_IDENTIFIER.match(name) and name.lower() not in KEYWORDS:
        return name
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def string_array(values: list[str]) -> str:
    return "array(" + ", ".join(string(value) for value in values) + ")"


class DqlSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Token:
    kind: str  # string | quoted | number | name | op
    text: str

    @property
    def value(self) -> str:
        """A string literal's or a quoted name's content; the text itself otherwise."""
        if self.kind == "string":
            return json.loads(self.text)
        if self.kind == "quoted":
            return re.sub(r"\\(.)", r"\1", self.text[1:-1])
        return self.text


def tokens(query: str) -> list[Token]:
    found: list[Token] = []
    position = 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None:
            raise DqlSyntaxError(f"cannot read the query at {query[position : position + 20]!r}")
        if match.lastgroup != "space":
            found.append(Token(match.lastgroup, match.group()))
        position = match.end()
    return found


@dataclass
class Usage:
    commands: list[str] = dataclasses.field(default_factory=list)
    sources: set[str] = dataclasses.field(default_factory=set)  # data objects after fetch
    strings: set[str] = dataclasses.field(default_factory=set)
    fields: set[str] = dataclasses.field(default_factory=set)  # fields read that the query did not define itself
    defined: set[str] = dataclasses.field(default_factory=set)  # names the query assigns (aliases)
    functions: set[str] = dataclasses.field(default_factory=set)


def usage(query: str) -> Usage:
    """What a query refers to. Raises DqlSyntaxError on text it cannot tokenise."""
    result = Usage()
    items = tokens(query)
    referenced: list[str] = []
    for index, token in enumerate(items):
        before = items[index - 1] if index else None
        after = items[index + 1] if index + 1 < len(items) else None
        if token.kind == "string":
            result.strings.add(token.value)
            continue
        if token.kind not in ("name", "quoted"):
            continue
        if token.kind == "name" and (before is None or before.text == "|"):
            result.commands.append(token.text)
        elif before is not None and before.text == "fetch" and result.commands[-1:] == ["fetch"]:
            result.sources.add(token.value)
        elif token.kind == "name" and after is not None and after.text == "(":
            result.functions.add(token.text)
        elif after is not None and after.text == ":":
            continue  # a named parameter such as by:, interval:, else:
        elif token.kind == "name" and token.text.lower() in KEYWORDS:
            continue
        elif after is not None and after.text == "=":
            result.defined.add(token.value)
        else:
            referenced.append(token.value)
    result.fields = {name for name in referenced if name not in result.defined}
    return result
