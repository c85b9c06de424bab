"""Webhooks: events POSTed to any HTTPS URL as JSON or CloudEvents."""

from .transport import WebhookSink

__all__ = ["WebhookSink"]
