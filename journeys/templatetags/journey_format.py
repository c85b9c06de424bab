"""The template side of :mod:`journeys.formatting`: ``{% load journey_format %}``."""

from django import template

from .. import formatting

register = template.Library()

register.filter("per_day", formatting.count)
register.filter("share_pct", formatting.pct)
register.filter("duration", formatting.hours)
register.filter("money", formatting.money)
register.filter("thousands", formatting.integer)


@register.filter
def ago(moment) -> str:
    return formatting.ago(moment)


@register.filter
def utc(moment) -> str:
    return formatting.utc(moment)
