"""The tenant a user is working in: where the forms that create something start their tenant choice.

It is the tenant named by the link the user followed (``?tenant=<slug>``, e.g. from a tenant's team
section), else the tenant of the last page the user opened inside a tenant (a journey, a destination,
a tenant's team page), remembered in their session. The forms list only tenants where the user has
the role needed, so a tenant named here that does not qualify is simply not preselected.
"""

from __future__ import annotations

from django.http import HttpRequest

from ..models import Tenant

SESSION_KEY = "bizflow_working_tenant"


def remember_tenant(request: HttpRequest, tenant: Tenant) -> None:
    if request.session.get(SESSION_KEY) != tenant.pk:
        request.session[SESSION_KEY] = tenant.pk


def working_tenant(request: HttpRequest) -> Tenant | None:
    slug = request.GET.get("tenant")
    if slug:
        return Tenant.objects.filter(slug=slug).first()
    pk = request.session.get(SESSION_KEY)
    return Tenant.objects.filter(pk=pk).first() if isinstance(pk, int) else None
