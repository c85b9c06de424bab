"""The Celery app, configured from Django settings (CELERY_* names).

Workers and beat log through settings.LOGGING (plain or JSON, as the web does): connecting
``setup_logging`` tells Celery not to set up logging of its own. Each worker writes a heartbeat
into Redis every WORKER_HEARTBEAT_SECONDS while it runs, which /readyz reads (bizflow_studio/health.py).
"""

import logging
import logging.config
import os
import threading

from celery import Celery
from celery.signals import setup_logging, worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizflow_studio.settings")

app = Celery("bizflow_studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
_heartbeat_stop = threading.Event()


@setup_logging.connect
def _logging_from_settings(**_):
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    logging.captureWarnings(True)  # Celery's start-up warnings in the same format as the rest


def _heartbeat(hostname: str, every: float) -> None:
    from . import health

    while not _heartbeat_stop.is_set():
        try:
            health.worker_heartbeat_mark(hostname)
        except Exception:  # noqa: BLE001 - Redis away for a moment: /readyz will say so; try again
            logger.warning("could not write the worker heartbeat", exc_info=True)
        _heartbeat_stop.wait(every)


@worker_ready.connect
def _start_heartbeat(sender, **_):
    from django.conf import settings

    _heartbeat_stop.clear()
    thread = threading.Thread(
        target=_heartbeat, args=(sender.hostname, settings.WORKER_HEARTBEAT_SECONDS), name="heartbeat", daemon=True
    )
    thread.start()


@worker_shutdown.connect
def _stop_heartbeat(sender, **_):
    from . import health

    _heartbeat_stop.set()
    try:
        health.worker_heartbeat_clear(sender.hostname)
    except Exception:  # noqa: BLE001 - shutting down anyway; the key expires by itself
        pass
