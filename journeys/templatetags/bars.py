"""Bar lengths as classes: the Content-Security-Policy allows no style attribute, so a bar of 37.5%
gets the class ``pct-38`` and static/css/measures.css gives it that length (whole percents)."""

from django import template

register = template.Library()


@register.filter
def pct_class(value) -> str:
    """``pct-N`` for a percentage (a number 0..100, or text such as ``"37.5%"``); N is clamped to 0..100."""
    if isinstance(value, str):
        value = value.strip().rstrip("%")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "pct-0"
    if number != number:  # NaN
        return "pct-0"
    return f"pct-{min(100, max(0, round(number)))}"
