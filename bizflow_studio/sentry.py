"""Errors to Sentry when SENTRY_DSN is set (web, worker and beat alike); without it, nothing is loaded."""

from __future__ import annotations


def sentry_init(dsn: str | None, *, environment: str | None = None, traces_sample_rate: float = 0.0) -> bool:
    """Start the Sentry client with its Django and Celery integrations; returns whether it started.

    No personal data is sent (no user names, addresses or cookies), and no request bodies, which may
    hold destinations' secrets.
    """
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=False)],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
    )
    return True
