"""The engine's ceilings as this installation's settings say (``BIZFLOW_MAX_*``, README, Tenants).

:class:`~journeys.apps.JourneysConfig` installs :func:`journey_limits` as the engine's source of
limits, so every validation (editor, import, command line, admin) reads the same settings; reading
them at each call keeps ``override_settings`` in tests working.
"""

from __future__ import annotations

from django.conf import settings

from .engine.limits import Limits


def journey_limits() -> Limits:
    return Limits(
        journeys_per_day=settings.BIZFLOW_MAX_JOURNEYS_PER_DAY,
        delay_hours=settings.BIZFLOW_MAX_DELAY_HOURS,
        journey_hours=settings.BIZFLOW_MAX_JOURNEY_HOURS,
        loops=settings.BIZFLOW_MAX_LOOPS,
        steps=settings.BIZFLOW_MAX_STEPS,
        list_items=settings.BIZFLOW_MAX_LIST_ITEMS,
    )
