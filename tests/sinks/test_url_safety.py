"""Destination addresses: https, and public hosts only, in the settings forms and again before connecting.

The suite's settings allow plain http and private addresses (its receivers listen on 127.0.0.1);
these tests turn both off, as production has them.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest
from django.test import override_settings

from journeys.sinks.base import DeliveryError
from journeys.sinks.dynatrace.forms import DynatraceForm
from journeys.sinks.http import HttpClient, HttpFailure, HttpPolicy
from journeys.sinks.kafka.forms import KafkaForm
from journeys.sinks.kafka.transport import KafkaSink
from journeys.sinks.url_safety import UnsafeDestination, address_kind, check_servers, check_url
from journeys.sinks.webhook.forms import WebhookForm
from journeys.sinks.webhook.transport import WebhookSink

from .helpers import recent_events

PRODUCTION = override_settings(HTTP_ALLOW_PLAIN=False, BIZFLOW_ALLOW_PRIVATE_DESTINATIONS=False)
PUBLIC = "93.184.216.34"


def answers(*addresses: str):
    """A stand-in for socket.getaddrinfo answering names with these addresses (and literals with themselves)."""

    def resolve(host, port, **kwargs):
        try:
            addresses_found = [str(ipaddress.ip_address(host))]
        except ValueError:
            addresses_found = list(addresses)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses_found]

    return resolve


@pytest.fixture
def dns(monkeypatch):
    """Point every name at the addresses set in ``dns.addresses`` (the machine has no internet DNS)."""

    class Dns:
        addresses = [PUBLIC]

    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, **kw: answers(*Dns.addresses)(host, port))
    return Dns


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.10", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("::ffff:10.0.0.1", "private"),  # an IPv4 address in IPv6 clothing
        (PUBLIC, None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_it_sorts_addresses_into_public_and_not(address, kind):
    assert address_kind(address) == kind


@PRODUCTION
def test_it_refuses_plain_http_and_other_schemes():
    with pytest.raises(UnsafeDestination, match="https://"):
        check_url("http://hooks.example.com/in", resolve=answers(PUBLIC))
    with pytest.raises(UnsafeDestination, match="https://"):
        check_url("ftp://hooks.example.com/in", resolve=answers(PUBLIC))


@PRODUCTION
def test_it_refuses_hosts_that_are_or_resolve_to_private_addresses():
    check_url("https://hooks.example.com/in", resolve=answers(PUBLIC))
    with pytest.raises(UnsafeDestination, match=r"hooks.example.com \(10.0.0.7\) is a private address"):
        check_url("https://hooks.example.com/in", resolve=answers(PUBLIC, "10.0.0.7"))
    with pytest.raises(UnsafeDestination, match="127.0.0.1 is a loopback address"):
        check_url("https://127.0.0.1:8443/in")  # a literal address resolves without DNS
    with pytest.raises(UnsafeDestination, match="loopback"):
        check_url("https://[::1]/in")
    with pytest.raises(UnsafeDestination, match="loopback"):
        check_url("https://2130706433/in")  # 127.0.0.1 written as one number


@PRODUCTION
def test_it_refuses_a_host_it_cannot_find():
    def nowhere(host, port, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(UnsafeDestination, match="Cannot find the host nowhere.example"):
        check_url("https://nowhere.example/in", resolve=nowhere)


@PRODUCTION
def test_it_checks_every_kafka_bootstrap_server():
    check_servers("a.example.com:9093, b.example.com:9093", resolve=answers(PUBLIC))
    with pytest.raises(UnsafeDestination, match="127.0.0.1 is a loopback"):
        check_servers("a.example.com:9093,127.0.0.1:9092", resolve=answers(PUBLIC))


def test_it_allows_local_addresses_when_the_settings_do():
    with override_settings(HTTP_ALLOW_PLAIN=True, BIZFLOW_ALLOW_PRIVATE_DESTINATIONS=True):
        check_url("http://127.0.0.1:8000/in")
        check_servers("localhost:9092")


@PRODUCTION
@pytest.mark.parametrize(
    ("form_class", "data", "field"),
    [
        (WebhookForm, {"url": "https://hooks.example.com/in", "format": "json", "max_batch_kib": "512"}, "url"),
        (
            DynatraceForm,
            {
                "environment_url": "https://abc12345.live.dynatrace.com",
                "auth_type": "api_token",
                "max_batch_kib": "512",
                "api_token": "dt0c01.ABC.DEF",
            },
            "environment_url",
        ),
        (
            KafkaForm,
            {
                "bootstrap_servers": "kafka.example.com:9093",
                "topic": "events",
                "client_id": "bizflow",
                "security_protocol": "PLAINTEXT",
                "compression": "none",
                "acks": "all",
                "key": "correlation",
                "value_format": "flat",
                "message_timeout_ms": "30000",
            },
            "bootstrap_servers",
        ),
    ],
)
def test_it_puts_the_refusal_next_to_the_address_field(dns, form_class, data, field):
    assert form_class(data).is_valid(), form_class(data).errors

    dns.addresses = ["192.168.0.20"]
    form = form_class(data)

    assert not form.is_valid()
    assert "192.168.0.20) is a private address" in form.errors[field][0]


@PRODUCTION
def test_it_refuses_an_sso_token_url_on_a_private_address(dns):
    data = {
        "environment_url": "https://abc12345.apps.dynatrace.com",
        "auth_type": "oauth",
        "max_batch_kib": "512",
        "client_id": "dt0s02.ABC",
        "client_secret": "dt0s02.ABC.DEF",
        "account_urn": "urn:dtaccount:abc",
        "token_url": "https://127.0.0.1/sso/oauth2/token",
    }

    assert "loopback" in DynatraceForm(data).errors["token_url"][0]


@PRODUCTION
def test_it_checks_again_before_connecting_so_a_changed_dns_answer_is_refused(dns, server):
    form = WebhookForm({"url": "https://hooks.example.com/in", "format": "json", "max_batch_kib": "512"})
    assert form.is_valid()
    dns.addresses = ["10.0.0.9"]  # the name now points inside the server's network
    sink = WebhookSink(form.to_config(), http=HttpClient(HttpPolicy(max_attempts=1)))

    with pytest.raises(HttpFailure) as caught:
        sink.deliver(recent_events(3), journey_slug="orders")

    assert caught.value.permanent and "10.0.0.9) is a private address" in caught.value.message
    assert server.received == []


@PRODUCTION
def test_it_refuses_a_loopback_receiver_before_sending_anything(server):
    sink = WebhookSink(
        {"url": server.url.replace("http://", "https://") + "/in"}, http=HttpClient(HttpPolicy(max_attempts=1))
    )

    with pytest.raises(HttpFailure, match="loopback") as caught:
        sink.deliver(recent_events(3), journey_slug="orders")

    assert caught.value.permanent and caught.value.delivered == 0 and server.received == []


@PRODUCTION
def test_it_refuses_kafka_brokers_on_private_addresses_before_connecting():
    sink = KafkaSink({"bootstrap_servers": "127.0.0.1:9", "topic": "events"})

    with pytest.raises(DeliveryError, match="loopback") as caught:
        sink.check()

    assert caught.value.permanent
