"""How many business events per second the local Dynatrace receiver ingests from one client.

One client, one keep-alive connection (a requests.Session), batches serialised with orjson inside the
timed loop, as a sink would. By default the receiver runs in a child process, so client and server do
not share one interpreter lock; ``--in-process`` measures the setup tests use::

    python -m journeys.devtools.receiver_bench --events 1000000 --batch 1000
"""

from __future__ import annotations

import argparse
import gzip
import random
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import orjson
import requests

from .dynatrace_receiver import DEFAULT_API_TOKEN, DynatraceReceiver

CITIES = ["Portsmouth", "Leeds", "Bristol", "York", "Bath", "Derby", "Hull", "Ely", "Wells", "Truro"]
TYPES = ["place.order", "warehouse.received", "item.picked", "order.packed", "order.shipped", "order.received"]


def make_events(count: int) -> list[dict]:
    """Events shaped like the retail example's, spread over the last 20 hours."""
    rng = random.Random(7)
    now = time.time()
    events = []
    for _ in range(count):
        stamp = datetime.fromtimestamp(now - rng.uniform(0, 20 * 3600), UTC)
        events.append(
            {
                "event.provider": "acme.retail",
                "event.type": rng.choice(TYPES),
                "order.id": str(uuid.uuid4()),
                "dt.entity.host": "HOST-DA9370FA4A602E97",
                "timestamp": stamp.isoformat(timespec="milliseconds")[:-6] + "Z",
                "location": rng.choice(CITIES),
                "loyalty": "gold",
                "order.value": rng.randint(100, 2000),
            }
        )
    return events


def run(url: str, events: list[dict], batch: int, use_gzip: bool) -> tuple[float, int, int]:
    """Send everything; return (seconds, requests, bytes sent)."""
    session = requests.Session()
    headers = {"Authorization": f"Api-Token {DEFAULT_API_TOKEN}", "Content-Type": "application/json"}
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    ingest = url + "/api/v2/bizevents/ingest"
    sent = posts = 0
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        body = orjson.dumps(events[start : start + batch])
        if use_gzip:
            body = gzip.compress(body, compresslevel=1)
        response = session.post(ingest, data=body, headers=headers)
        if response.status_code != 202:
            raise SystemExit(f"unexpected {response.status_code}: {response.text[:200]}")
        sent += len(body)
        posts += 1
    return time.perf_counter() - started, posts, sent


def _wait_until_up(url: str) -> None:
    for _ in range(100):
        try:
            requests.get(url + "/_receiver/stats", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise SystemExit("the receiver did not start")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args(argv)
    events = make_events(args.events)
    child = receiver = None
    if args.in_process:
        receiver = DynatraceReceiver(port=args.port).start()
        url = receiver.url
    else:
        child = subprocess.Popen(
            [sys.executable, "-m", "journeys.devtools.dynatrace_receiver", "--port", str(args.port)],
            stdout=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{args.port}"
        _wait_until_up(url)
    try:
        seconds, posts, sent = run(url, events, args.batch, args.gzip)
        stored = requests.get(url + "/_receiver/stats").json()["counters"]["events_accepted"]
    finally:
        if receiver is not None:
            receiver.stop()
        if child is not None:
            child.terminate()
            child.wait()
    mode = "receiver in-process" if args.in_process else "receiver in a separate process"
    print(
        f"{stored:,} events stored of {len(events):,} sent in {posts:,} requests of {args.batch} "
        f"({sent / posts / 1024:.0f} KiB each{', gzip' if args.gzip else ''}), {mode}: "
        f"{seconds:.2f} s, {len(events) / seconds:,.0f} events/s"
    )


if __name__ == "__main__":
    main()
