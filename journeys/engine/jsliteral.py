"""Read the constants of a JavaScript file without running it.

The reference generator's ``config.js`` is JavaScript, but its journey is plain data: ``const
NAME = <literal>`` with strings, numbers, booleans and nested arrays, among comments and a little
code. Evaluating it would mean running a user's file, so this reads only that literal subset and
remembers the line of every value so errors can point at it. Anything else (function calls,
operators) is not a literal: a constant holding one is recorded as such and left to the caller.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from .limits import unstorable

_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_$][\w$]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_KEYWORDS = {"true": True, "false": False, "null": None, "undefined": None}
_DECLARATIONS = {"const", "let", "var"}
MAX_DEPTH = 64  # the reference's constants nest 3 deep


class JsSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


@dataclass(frozen=True)
class Token:
    kind: str  # "string", "number", "name" or "punct"
    value: Any
    line: int


@dataclass(frozen=True)
class Reference:
    """A bare identifier used as a value (``{ FLOW_NAME: FLOW_NAME }``); its value is not read."""

    name: str


@dataclass
class Constant:
    name: str
    line: int
    value: Any = None
    literal: bool = True  # False: the value is code (a call, an operator...), not plain data
    lines: dict[tuple[int, ...], int] = field(default_factory=dict)  # index path -> line

    def line_of(self, *path: int) -> int:
        """The line of the value at ``path`` inside the constant, or of its nearest parent."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return self.line


def _string(text: str, start: int, line: int) -> tuple[str, int, int]:
    """The string literal opening at ``start``: its value, the index after it and the line it ends on."""
    quote, out, i, opened_on = text[start], [], start + 1, line
    while i < len(text):
        ch = text[i]
        if ch == quote:
            return "".join(out), i + 1, line
        if ch == "\n":
            if quote != "`":
                raise JsSyntaxError(line, "a string is not closed before the end of the line")
            line += 1
        if ch == "\\" and i + 1 < len(text):
            i += 1
            ch = text[i]
            if ch == "\n":  # a line continuation adds nothing to the string
                line, i = line + 1, i + 1
                continue
            if ch in "ux":
                size = 4 if ch == "u" else 2
                digits = text[i + 1 : i + 1 + size]
                if len(digits) == size and all(c in "0123456789abcdefABCDEF" for c in digits):
                    out.append(chr(int(digits, 16)))
                    i += size + 1
                    continue
            ch = _ESCAPES.get(ch, ch)
        out.append(ch)
        i += 1
    raise JsSyntaxError(opened_on, "a string that starts here is not closed")


def _number(raw: str, line: int) -> int | float:
    """A number literal's value; one too large for a double (JavaScript's only number) is refused."""
    hexadecimal = raw[:2] in ("0x", "0X")
    digits = raw[2:].lstrip("0") if hexadecimal else raw.lstrip("0")
    too_large = JsSyntaxError(line, f"the number {_short(raw)} is too large")
    if len(digits) > (256 if hexadecimal else 400):  # checked before converting: int() of 5,000 digits fails
        raise too_large
    if hexadecimal:
        number: int | float = int(raw, 16)
    else:
        number = float(raw) if any(c in raw for c in ".eE") else int(raw)
    try:
        finite = math.isfinite(float(number))
    except OverflowError:
        finite = False
    if not finite:
        raise too_large
    return number


def _short(raw: str) -> str:
    return raw if len(raw) <= 24 else f"{raw[:12]}…{raw[-6:]} ({len(raw):,} characters)"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, line = 0, 1
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch.isspace():
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise JsSyntaxError(line, "a /* comment is not closed")
            line += text.count("\n", i, end)
            i = end + 2
        elif ch in "\"'`":
            start_line = line
            value, i, line = _string(text, i, line)
            if problem := unstorable(value, controls=False):
                raise JsSyntaxError(start_line, f"a string {problem}")
            tokens.append(Token("string", value, start_line))
        elif (match := _NUMBER.match(text, i)) and (ch.isdigit() or ch == "."):
            tokens.append(Token("number", _number(match.group(), line), line))
            i = match.end()
        elif match := _NAME.match(text, i):
            tokens.append(Token("name", match.group(), line))
            i = match.end()
        else:
            tokens.append(Token("punct", ch, line))
            i += 1
    return tokens


class NotLiteral(Exception):
    def __init__(self, line: int):
        self.line = line


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.pos = 0

    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def is_punct(self, char: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == "punct" and token.value == char

    def value(self, constant: Constant, path: tuple[int, ...]) -> Any:
        token = self.peek()
        if token is None:
            line = self.tokens[-1].line if self.tokens else 1
            raise JsSyntaxError(line, "the file ends inside a value (was it cut short?)")
        if len(path) > MAX_DEPTH:
            raise JsSyntaxError(token.line, f"a value is nested more than {MAX_DEPTH} levels deep")
        constant.lines[path] = token.line
        self.pos += 1
        if token.kind in ("string", "number"):
            return token.value
        if token.kind == "punct" and token.value in "+-" and (after := self.peek()) and after.kind == "number":
            self.pos += 1
            return -after.value if token.value == "-" else after.value
        if token.kind == "punct" and token.value == "[":
            return self.array(constant, path)
        if token.kind == "punct" and token.value == "{":
            return self.object(constant, path)
        if token.kind == "name" and token.value in _KEYWORDS:
            return _KEYWORDS[token.value]
        if token.kind == "name" and not (self.is_punct("(") or self.is_punct(".") or self.is_punct("[")):
            return Reference(token.value)
        raise NotLiteral(token.line)

    def array(self, constant: Constant, path: tuple[int, ...]) -> list:
        items: list = []
        while not self.is_punct("]"):
            items.append(self.value(constant, (*path, len(items))))
            if self.is_punct(","):
                self.pos += 1
            elif not self.is_punct("]"):
                raise NotLiteral(self._line())
        self.pos += 1
        return items

    def object(self, constant: Constant, path: tuple[int, ...]) -> dict:
        # Keys of objects are not indexed for line numbers: the journey's constants are arrays.
        items: dict = {}
        while not self.is_punct("}"):
            key = self.peek()
            if key is None or key.kind not in ("name", "string", "number"):
                raise NotLiteral(self._line())
            self.pos += 1
            if self.is_punct(":"):
                self.pos += 1
                items[key.value] = self.value(constant, (*path, len(items)))
            else:
                items[key.value] = Reference(str(key.value))  # shorthand { NAME }
            if self.is_punct(","):
                self.pos += 1
            elif not self.is_punct("}"):
                raise NotLiteral(self._line())
        self.pos += 1
        return items

    def _line(self) -> int:
        token = self.peek() or self.tokens[-1]
        return token.line

    def ends_statement(self) -> bool:
        """After a literal, the statement must end: otherwise the literal was part of an expression."""
        token = self.peek()
        return token is None or token.kind == "name" or (token.kind == "punct" and token.value in ";,})")

    def skip_expression(self) -> None:
        """Move past a value that is code, to the next declaration or the end of the file."""
        while (token := self.peek()) is not None and not (token.kind == "name" and token.value in _DECLARATIONS):
            self.pos += 1

    def constant(self, name: Token) -> Constant:
        constant = Constant(name.value, name.line)
        start = self.pos
        try:
            constant.value = self.value(constant, ())
            if not self.ends_statement():
                raise NotLiteral(self._line())
        except NotLiteral:
            constant.value, constant.literal = None, False
            self.pos = start
            self.skip_expression()
        return constant


def read_constants(text: str) -> list[Constant]:
    """Every ``const``/``let``/``var`` declaration in ``text``, in order, with its literal value.

    Raises :class:`JsSyntaxError` only for text that cannot be split into tokens (an unclosed
    string or comment); a declaration whose value is code is returned with ``literal=False``.
    """
    parser = _Parser(tokenize(text))
    constants: list[Constant] = []
    while (token := parser.peek()) is not None:
        parser.pos += 1
        if not (token.kind == "name" and token.value in _DECLARATIONS):
            continue
        # const A = 1, B = [2] declares two constants.
        while (name := parser.peek()) is not None and name.kind == "name" and parser.is_punct("=", 1):
            if parser.is_punct("=", 2) or parser.is_punct(">", 2):
                break  # "==" or "=>": not a declaration
            parser.pos += 2
            constants.append(parser.constant(name))
            if not parser.is_punct(","):
                break
            parser.pos += 1
    return constants
