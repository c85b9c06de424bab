"""The admin console: journeys, tenants and their members, destinations, runs and the audit log."""

from django.contrib import admin

from . import delivery, journeys, tenancy  # noqa: F401  (each module registers its models)

admin.site.site_header = "BizFlow Studio admin"
admin.site.site_title = "BizFlow Studio admin"
admin.site.index_title = "Tenants, journeys, destinations and runs"
