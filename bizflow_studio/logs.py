"""Logging for every process (web, worker, beat): plain text by default, one JSON object a line on request.

``LOG_FORMAT=json`` makes each record one line of JSON: ``time`` (UTC, RFC 3339), ``level``, ``logger``,
``message``, then ``run``, ``journey`` and ``destination`` when the record was written while a delivery
was under way (the delivery service sets them with :func:`log_context`), and ``exception`` with the
traceback when there is one. The same dictionary configures Django (settings.LOGGING), the Celery
worker and beat (bizflow_studio/celery.py) and gunicorn (bizflow_studio/gunicorn.conf.py).
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager
from datetime import UTC, datetime

import orjson

CONTEXT_KEYS = ("run", "journey", "destination", "journey_destination")
_context: contextvars.ContextVar[tuple] = contextvars.ContextVar("bizflow_log_context", default=())


@contextmanager
def log_context(**ids):
    """Within the block, every record carries these ids (None values are left out); blocks nest."""
    token = _context.set(_merged(ids))
    try:
        yield
    finally:
        _context.reset(token)


def log_context_update(**ids) -> None:
    """Add ids to the current block's context (e.g. the run's id, known only once its row exists)."""
    _context.set(_merged(ids))


def _merged(ids: dict) -> tuple:
    """The current ids with these added (kept as a tuple of pairs: a context variable's value must not change)."""
    return tuple({**dict(_context.get()), **{key: value for key, value in ids.items() if value is not None}}.items())


class ContextFilter(logging.Filter):
    """Copies the current delivery's ids onto each record (``record.run`` and so on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_KEYS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return orjson.dumps(entry, default=str).decode()


class PlainFormatter(logging.Formatter):
    """The default: ``time level logger: message``, with the delivery's ids in brackets when there are any."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = " ".join(f"{key}={getattr(record, key)}" for key in CONTEXT_KEYS if getattr(record, key, None))
        return f"{text} [{ids}]" if ids else text


def logging_config(log_format: str = "plain", level: str = "INFO") -> dict:
    """The dictConfig for every process; ``log_format`` is "plain" or "json"."""
    if log_format not in ("plain", "json"):
        raise ValueError(f"LOG_FORMAT={log_format!r}: use plain or json")
    formatters = {
        "plain": {"()": PlainFormatter, "format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": JsonFormatter},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["context"]},
        },
        # Servers' own loggers hand their records to the root, so they come out in the same format.
        "loggers": {
            name: {"handlers": [], "propagate": True, "level": level}
            for name in ("gunicorn.error", "gunicorn.access", "celery", "django")
        },
        "root": {"handlers": ["console"], "level": level},
    }
