"""Reading rendered pages in tests: find an element by id and the text of the cell or field around it."""

from django.test.html import Element, parse_html


def _walk(node, ancestors=()):
    if isinstance(node, Element):
        yield node, ancestors
        for child in node.children:
            yield from _walk(child, (*ancestors, node))


def _text(node) -> str:
    if isinstance(node, str):
        return node
    return " ".join(_text(child) for child in node.children)


def element(html: str, element_id: str) -> Element:
    for node, _ in _walk(parse_html(html)):
        if dict(node.attributes).get("id") == element_id:
            return node
    raise AssertionError(f"no element with id {element_id!r}")


def surrounding_text(html: str, element_id: str, around=("td", "div")) -> str:
    """The text of the nearest table cell or div holding the element: the input's own errors show there."""
    for node, ancestors in _walk(parse_html(html)):
        if dict(node.attributes).get("id") == element_id:
            for ancestor in reversed(ancestors):
                if ancestor.name in around:
                    return " ".join(_text(ancestor).split())
    raise AssertionError(f"no element with id {element_id!r}")


def value_of(html: str, element_id: str) -> str | None:
    return dict(element(html, element_id).attributes).get("value")


def count(html: str, css_class: str, tag: str = "tr") -> int:
    found = 0
    for node, _ in _walk(parse_html(html)):
        classes = (dict(node.attributes).get("class") or "").split()
        if node.name == tag and css_class in classes:
            found += 1
    return found
