from django import template

from .. import formatting

register = template.Library()

register.filter("per_day", formatting.count)
register.filter("share_pct", formatting.pct)
register.filter("duration", formatting.hours)
register.filter("money", formatting.money)
