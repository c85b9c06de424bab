"""A Kafka destination's settings, checked, and turned into a librdkafka producer configuration.

Plain settings (``config``, stored as JSON)::

    bootstrap_servers   "broker-1:9093,broker-2:9093"
    topic               topic the events go to
    client_id           client.id the brokers see (default "bizflow-studio")
    security_protocol   PLAINTEXT | SSL | SASL_SSL
    sasl_mechanism      PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 (SASL_SSL only)
    sasl_username       (SASL_SSL only)
    ssl_ca_pem          CA certificate(s), PEM; empty: the system's CA store
    ssl_verify_hostname check the broker's certificate names its host (default true)
    compression         none | gzip | snappy | lz4 | zstd
    acks                all | 1 | 0; the producer is idempotent with "all" (the default)
    key                 correlation | event_id | none: the message key
    headers             [{"name": ..., "value": ...}] sent with every message
    value_format        flat (the event's JSON as it is) | cloudevents (structured-mode JSON envelope)
    message_timeout_ms  how long one delivery may keep retrying before it counts as failed

Secrets (``secrets``, stored encrypted): ``sasl_password`` and ``secret_headers`` ({name: value})
for header values that must stay secret (e.g. an API key a gateway checks).

Property names are librdkafka's:
https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md
"""

from __future__ import annotations

import re
from typing import Any

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
COMPRESSIONS = ("none", "gzip", "snappy", "lz4", "zstd")
ACKS = ("all", "1", "0")
KEYS = ("correlation", "event_id", "none")
VALUE_FORMATS = ("flat", "cloudevents")
DEFAULT_CLIENT_ID = "bizflow-studio"
DEFAULT_MESSAGE_TIMEOUT_MS = 30_000
TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
SERVER = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")
HEADER_NAME = re.compile(r"^[\x21-\x7e]{1,200}$")

# Throughput. A delivery flushes once per batch, so the producer must be sending while the batch is
# still being queued, not after: moderate request sizes and a short linger make librdkafka start at
# once, and the flush then waits only for the last requests. Only failures come back as Python
# callbacks (delivery.report.only.error): a delivered message costs no Python work at all.
TUNING = {
    "linger.ms": 5,
    "batch.num.messages": 4_000,
    "batch.size": 2_000_000,
    "queue.buffering.max.messages": 200_000,
    "delivery.report.only.error": True,
}


class KafkaConfigError(ValueError):
    """Settings that cannot work; ``problems`` maps each setting at fault to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{key}: {message}" for key, message in problems.items()))


def with_defaults(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "client_id": DEFAULT_CLIENT_ID,
        "security_protocol": "PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_username": "",
        "ssl_ca_pem": "",
        "ssl_verify_hostname": True,
        "compression": "none",
        "acks": "all",
        "key": "correlation",
        "headers": [],
        "value_format": "flat",
        "message_timeout_ms": DEFAULT_MESSAGE_TIMEOUT_MS,
        **config,
    }


def _choice(problems: dict[str, str], config: dict, key: str, choices: tuple[str, ...]) -> None:
    if config[key] not in choices:
        problems[key] = f"must be one of {', '.join(choices)}"


def config_problems(config: dict[str, Any], secrets: dict[str, Any] | None = None) -> dict[str, str]:
    """Every setting at fault, by key; empty when the settings can be used."""
    config, secrets, problems = with_defaults(config), secrets or {}, {}
    servers = [s.strip() for s in str(config.get("bootstrap_servers", "")).split(",") if s.strip()]
    if not servers:
        problems["bootstrap_servers"] = "give at least one broker as host:port"
    elif bad := [s for s in servers if not SERVER.match(s)]:
        problems["bootstrap_servers"] = f"'{bad[0]}' is not host:port"
    if not TOPIC_NAME.match(str(config.get("topic", ""))):
        problems["topic"] = "must be 1-249 letters, digits, '.', '_' or '-'"
    if not str(config["client_id"]).strip():
        problems["client_id"] = "must not be empty"
    for key, choices in (
        ("security_protocol", SECURITY_PROTOCOLS),
        ("compression", COMPRESSIONS),
        ("acks", ACKS),
        ("key", KEYS),
        ("value_format", VALUE_FORMATS),
    ):
        _choice(problems, config, key, choices)
    if config["security_protocol"] == "SASL_SSL":
        _choice(problems, config, "sasl_mechanism", SASL_MECHANISMS)
        if not str(config["sasl_username"]).strip():
            problems["sasl_username"] = "is needed with SASL_SSL"
        if not secrets.get("sasl_password"):
            problems["sasl_password"] = "is needed with SASL_SSL"
    pem = str(config["ssl_ca_pem"]).strip()
    if pem and "-----BEGIN CERTIFICATE-----" not in pem:
        problems["ssl_ca_pem"] = "must be PEM text starting with -----BEGIN CERTIFICATE-----"
    timeout = config["message_timeout_ms"]
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1000 <= timeout <= 900_000:
        problems["message_timeout_ms"] = "must be a whole number of milliseconds between 1000 and 900000"
    headers = list(config["headers"] or []) + [{"name": k} for k in (secrets.get("secret_headers") or {})]
    for header in headers:
        name = header.get("name", "") if isinstance(header, dict) else header
        if not isinstance(header, dict) or not HEADER_NAME.match(str(name)):
            problems["headers"] = f"'{name}' is not a header name (printable ASCII, no spaces)"
            break
    return problems


def kafka_client_config(config: dict[str, Any], secrets: dict[str, Any] | None = None) -> dict[str, Any]:
    """The librdkafka producer properties for a destination; raises KafkaConfigError."""
    problems = config_problems(config, secrets)
    if problems:
        raise KafkaConfigError(problems)
    config, secrets = with_defaults(config), secrets or {}
    client: dict[str, Any] = {
        "bootstrap.servers": ",".join(s.strip() for s in config["bootstrap_servers"].split(",") if s.strip()),
        "client.id": config["client_id"],
        "security.protocol": config["security_protocol"].lower(),
        "compression.type": config["compression"],
        "acks": config["acks"],
        # Exactly once per partition, in order, across retries; librdkafka requires acks=all for it.
        "enable.idempotence": config["acks"] == "all",
        # Java-compatible key hashing: events of one journey land where Java producers would put them.
        "partitioner": "murmur2_random",
        "message.timeout.ms": config["message_timeout_ms"],
        **TUNING,
    }
    if config["security_protocol"] in ("SSL", "SASL_SSL"):
        if config["ssl_ca_pem"].strip():
            client["ssl.ca.pem"] = config["ssl_ca_pem"].strip()
        client["ssl.endpoint.identification.algorithm"] = "https" if config["ssl_verify_hostname"] else "none"
    if config["security_protocol"] == "SASL_SSL":
        client["sasl.mechanism"] = config["sasl_mechanism"]
        client["sasl.username"] = config["sasl_username"]
        client["sasl.password"] = secrets["sasl_password"]
    return client


def message_headers(config: dict[str, Any], secrets: dict[str, Any] | None = None) -> list[tuple[str, bytes]]:
    """The static headers of every message: the plain ones, then the secret ones."""
    config, secrets = with_defaults(config), secrets or {}
    headers = [(h["name"], str(h.get("value", "")).encode()) for h in config["headers"] or []]
    headers += [(name, str(value).encode()) for name, value in (secrets.get("secret_headers") or {}).items()]
    return headers
