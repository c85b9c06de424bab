"""Kafka delivery throughput: our sink against a bare confluent-kafka producer, side by side.

Both send the same events (the same bytes, keys and producer settings) to a local Tansu broker in the
same run, taking turns so that the machine's noise hits both alike.

- bare: pre-built values and keys in lists, ``produce()`` in a loop, one ``flush()`` at the end;
- ours: :class:`~journeys.sinks.kafka.KafkaSink` delivering the engine's EncodedBatches one by one,
  each with its keys cut from the lines, flushed and accounted for before the next.

Run: ``python -m journeys.benchmarks.kafka --events 500000`` (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime, timedelta

from ..devtools.kafka_broker import KafkaBroker
from ..engine.encode import EncodedBatch, regroup
from ..engine.generator import generate
from ..engine.spec import ErrorRule, JourneySpec, Revenue, Step, Weighted
from ..sinks.kafka.config import TUNING, kafka_client_config
from ..sinks.kafka.messages import message_keys, values

PARTITIONS = 3


def bench_journey(events_per_day: float) -> JourneySpec:
    """A retail-style journey whose events weigh about what the reference generator's do."""
    steps = (
        Step("Order placed", "order.placed", carries_location=True, carries_segment=True, carries_revenue=True),
        Step("Payment", "payment.authorised", drop_off_pct=2, max_delay_hours=0.05, carries_revenue=True),
        Step("Picking", "order.picked", drop_off_pct=1, min_delay_hours=0.1, max_delay_hours=1, carries_location=True),
        Step("Shipped", "order.shipped", min_delay_hours=0.5, max_delay_hours=2, carries_location=True),
        Step("Delivered", "order.delivered", min_delay_hours=1, max_delay_hours=3, carries_segment=True),
    )
    return JourneySpec(
        name="Benchmark orders",
        event_provider="www.easytravel-shop.example",
        correlation_field="order.id",
        steps=steps,
        seed=424242,
        journeys_per_day=events_per_day / len(steps),
        errors=(ErrorRule("declined", 1, 3),),
        locations=tuple(Weighted(city, 1) for city in ("Linz", "Vienna", "Graz", "Salzburg", "Innsbruck")),
        segment_field="customer.segment",
        segments=(Weighted("consumer", 7), Weighted("business", 3)),
        revenue=Revenue("order.value", 5, 900),
        hosts=(Weighted("HOST-0A1B2C3D4E5F6071", 1), Weighted("HOST-8192A3B4C5D6E7F8", 1)),
        extra_attributes=(("channel", "web"), ("app.version", "4.18.2"), ("currency", "EUR")),
    )


def engine_batches(events: int) -> list[EncodedBatch]:
    """At least ``events`` events of a busy hour, as the generator batches them."""
    start = datetime(2026, 3, 2, 12, tzinfo=UTC)
    batches, total = [], 0
    for batch in generate(bench_journey(events * 30), start, start + timedelta(days=1)):
        take = min(len(batch), events - total)
        batches.append(batch if take == len(batch) else batch.slice(0, take))
        total += take
        if total >= events:
            break
    return batches


def _bare(bootstrap: str, topic: str, config: dict, messages: list[bytes], keys: list[bytes]) -> float:
    from confluent_kafka import Producer

    producer = Producer(kafka_client_config({**config, "bootstrap_servers": bootstrap, "topic": topic}))
    producer.list_topics(topic=topic, timeout=10)  # connect before the clock starts, as ours does
    started = time.perf_counter()
    produce = producer.produce
    index = 0
    while index < len(messages):
        start = index
        try:
            for index in range(start, len(messages)):
                produce(topic, messages[index], keys[index])
            index = len(messages)
        except BufferError:
            producer.poll(0.05)
    assert producer.flush(60) == 0
    return len(messages) / (time.perf_counter() - started)


def _ours(bootstrap: str, topic: str, config: dict, batches: list[EncodedBatch]) -> float:
    from ..sinks.kafka import KafkaSink

    sink = KafkaSink({**config, "bootstrap_servers": bootstrap, "topic": topic})
    sink._client().list_topics(topic=topic, timeout=10)
    started = time.perf_counter()
    # Batches reach the sink as the delivery service hands them over: regrouped to the size it prefers.
    grouped = regroup(batches, sink.preferred_batch_events)
    delivered = sum(sink.deliver(batch, journey_slug="benchmark").delivered for batch in grouped)
    elapsed = time.perf_counter() - started
    sink.close()
    return delivered / elapsed


def bench_kafka(events: int = 500_000, *, rounds: int = 5, config: dict | None = None) -> dict:
    """Events per second of a bare producer and of our sink; ours/bare is the ratio (target >= 0.8).

    Rounds alternate which goes first. The best round of each gives the rates; the median of the
    rounds' own ratios (each pair run back to back) is the steadier figure on a shared machine.
    """
    config = config or {}
    started = time.perf_counter()
    batches = engine_batches(events)
    generate_s = time.perf_counter() - started
    messages = [line for batch in batches for line in values(batch)]
    keys = [key for batch in batches for key in message_keys(batch, config.get("key", "correlation")) or []]
    keys = keys or [None] * len(messages)
    bare, ours = [], []
    with KafkaBroker() as broker:
        for round_number in range(rounds):
            order = ("bare", "ours") if round_number % 2 == 0 else ("ours", "bare")
            for name in order:
                topic = f"bench-{name}-{round_number}"
                broker.create_topic(topic, partitions=PARTITIONS)
                if name == "bare":
                    bare.append(_bare(broker.bootstrap, topic, config, messages, keys))
                else:
                    ours.append(_ours(broker.bootstrap, topic, config, batches))
    return {
        "events": len(messages),
        "mean_event_bytes": round(sum(map(len, messages)) / len(messages)),
        "batches": len(batches),
        "generate_events_per_s": round(len(messages) / generate_s),
        "bare_events_per_s": round(max(bare)),
        "ours_events_per_s": round(max(ours)),
        "ratio": round(max(ours) / max(bare), 3),
        "median_round_ratio": round(statistics.median(o / b for o, b in zip(ours, bare, strict=True)), 3),
        "rounds": {"bare": [round(r) for r in bare], "ours": [round(r) for r in ours]},
        "settings": {**config, "partitions": PARTITIONS, **TUNING},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compression", default="none")
    parser.add_argument("--key", default="correlation")
    args = parser.parse_args()
    config = {"compression": args.compression, "key": args.key}
    print(json.dumps(bench_kafka(args.events, rounds=args.rounds, config=config), indent=2))


if __name__ == "__main__":
    main()
