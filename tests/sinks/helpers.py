"""What the sink tests share: a scripted local HTTP server, a fake clock, and batches of real events."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import orjson

from journeys.engine.encode import EncodedBatch
from journeys.engine.generator import generate
from journeys.engine.spec import JourneySpec, Revenue, Step, Weighted

NOW = 1_795_132_800.0  # 2026-11-20T00:00:00Z: simulated "now" shared by sink and receiver
HOUR_MS = 3_600_000

SHOP = JourneySpec(
    name="Orders",
    event_provider="acme.shop",
    correlation_field="order.id",
    seed=7,
    journeys_per_day=40_000,
    steps=(
        Step("Place order", "order.placed", carries_location=True, carries_revenue=True),
        Step("Pay", "order.paid", min_delay_hours=0.05, max_delay_hours=0.2),
        Step("Ship", "order.shipped", drop_off_pct=10, min_delay_hours=0.1, max_delay_hours=0.3),
    ),
    locations=(Weighted("Leeds", 1), Weighted("York", 1)),
    revenue=Revenue("order.value", 10, 500),
    hosts=(Weighted("HOST-0000000000000001", 1),),
)


class FakeClock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def recent_events(count: int | None = None, *, now: float = NOW, hours: float = 1.0) -> EncodedBatch:
    """Events of the shop journey in the ``hours`` before ``now``: a real batch from the engine."""
    end = int(now * 1000)
    batch = EncodedBatch.concat(list(generate(SHOP, end - int(hours * HOUR_MS), end)))
    assert count is None or len(batch) >= count, f"only {len(batch)} events in the window"
    return batch.slice(0, count) if count else batch


def batch_of(events: list[dict], ts_ms: list[int]) -> EncodedBatch:
    """A batch from hand-written events (e.g. one Dynatrace will reject)."""
    lines = [orjson.dumps(event) + b"\n" for event in events]
    offsets = np.zeros(len(lines) + 1, np.int64)
    np.cumsum([len(line) for line in lines], out=offsets[1:])
    return EncodedBatch(b"".join(lines), offsets, np.array(ts_ms, np.int64))


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    client: tuple[str, int]


Answer = tuple[int, dict[str, str], bytes]


class ScriptedServer:
    """A keep-alive HTTP/1.1 server answering from a script; records every request.

    ``then(status, ...)`` queues answers used in order; when the queue is empty ``default`` answers.
    An answer may be a callable taking the :class:`Received` request.
    """

    def __init__(self, default: Answer = (202, {}, b"")) -> None:
        self.default: Answer | Callable[[Received], Answer] = default
        self.received: list[Received] = []
        self.delay = 0.0
        self._script: deque = deque()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Received(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, self.client_address
                )
                status, headers, payload = server._answer(request)
                if server.delay:
                    time.sleep(server.delay)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            do_GET = do_PUT = do_PATCH = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def then(
        self,
        status: int | Callable[[Received], Answer],
        body: bytes | dict = b"",
        headers: dict[str, str] | None = None,
        *,
        times: int = 1,
    ) -> ScriptedServer:
        if callable(status):
            answer = status
        else:
            payload = orjson.dumps(body) if isinstance(body, dict) else body
            answer = (
                status,
                {"Content-Type": "application/json", **(headers or {})} if payload else (headers or {}),
                payload,
            )
        with self._lock:
            self._script.extend([answer] * times)
        return self

    def _answer(self, request: Received) -> Answer:
        with self._lock:
            self.received.append(request)
            answer = self._script.popleft() if self._script else self.default
        return answer(request) if callable(answer) else answer

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
