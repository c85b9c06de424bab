"""Small pieces the admin pages share: coloured badges, and an audit line for changes made here."""

from __future__ import annotations

from django.utils.html import format_html

from .. import formatting
from ..services.tenancy import audit_record

ADMIN_CSS = {"all": ["css/admin.css"]}


def badge(text: str, tone: str, title: str = ""):
    """A coloured label: tone is good, bad, warn or quiet (static/css/admin.css)."""
    return format_html('<span class="bf-badge bf-{}" title="{}">{}</span>', tone, title, text)


def when(moment) -> str:
    """A moment as the admin shows every moment: to the second, in UTC, saying so."""
    return formatting.utc(moment) if moment else "never"


def audit_admin_change(request, obj, *, action: str, tenant, details: dict | None = None) -> None:
    """Changes made in the admin console go into the audit log like any other."""
    details = {"via": "admin", **(details or {})}
    audit_record(actor=request.user, tenant=tenant, action=action, target=obj, details=details)
