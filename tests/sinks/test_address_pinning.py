"""A destination URL is read once, as the HTTP client reads it, and connected to at the address checked.

The suite's settings allow plain http and private addresses; these tests turn off what they test.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import override_settings

from journeys.sinks.base import DeliveryError
from journeys.sinks.dynatrace.forms import DynatraceForm
from journeys.sinks.http import DestinationRefused, HttpClient, HttpFailure, HttpPolicy
from journeys.sinks.url_safety import UnsafeDestination, check_url, parse_url
from journeys.sinks.webhook.forms import WebhookForm
from journeys.sinks.webhook.transport import WebhookSink

from .helpers import free_port, recent_events

PRODUCTION = override_settings(HTTP_ALLOW_PLAIN=False, BIZFLOW_ALLOW_PRIVATE_DESTINATIONS=False)
# Plain http (the local receiver speaks it) but no private addresses: what the address check is about.
PUBLIC_ONLY = override_settings(HTTP_ALLOW_PLAIN=True, BIZFLOW_ALLOW_PRIVATE_DESTINATIONS=False)
PUBLIC = "93.184.216.34"
SECRET = "Bearer s3cret-token-value"


class Dns:
    """Stands in for socket.getaddrinfo: names answer from ``answers`` (a list used in turn), literals themselves."""

    def __init__(self, real):
        self.real = real
        self.answers: list[str] = [PUBLIC]
        self.lookups: list[str] = []

    def __call__(self, host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            self.lookups.append(host)
            address = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
            return self.real(address, port, socket.AF_INET, socket.SOCK_STREAM)
        return self.real(host, port, *args, **kwargs)


@pytest.fixture
def dns(monkeypatch):
    fake = Dns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


def webhook(url: str, *, connect_timeout: float = 5.0) -> WebhookSink:
    policy = HttpPolicy(max_attempts=1, connect_timeout=connect_timeout, read_timeout=5.0)
    return WebhookSink({"url": url}, {"headers": {"Authorization": SECRET}}, http=HttpClient(policy))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1:8399\\@8.8.8.8/", "backslash"),
        ("https://hooks.example.com\\in", "backslash"),
        ("https://user@hooks.example.com/in", "user names and passwords"),
        ("https://user:pw@hooks.example.com/in", "user names and passwords"),
        ("https://hooks.example.com/in\tx", "spaces or control"),
        ("https://hooks.example.com/ in", "spaces or control"),
        ("https://hööks.example.com/in", "ASCII"),
    ],
)
@PRODUCTION
def test_it_refuses_urls_another_parser_could_read_differently(dns, url, reason):
    with pytest.raises(UnsafeDestination, match=reason):
        check_url(url)


def test_it_reads_the_host_and_port_the_client_connects_to():
    assert parse_url("https://Hooks.Example.com/in").host == "hooks.example.com"
    assert parse_url("https://[::1]:8443/in").host == "::1"
    assert parse_url("https://[::1]:8443/in").port == 8443
    assert parse_url("http://hooks.example.com/in").port == 80


@PRODUCTION
def test_it_puts_the_refusal_next_to_the_webhook_url_and_the_sso_token_url(dns):
    hidden_loopback = "https://127.0.0.1:8399\\@8.8.8.8/"
    form = WebhookForm({"url": hidden_loopback, "format": "json", "max_batch_kib": "512"})
    assert not form.is_valid()
    assert "backslash" in form.errors["url"][0]

    form = DynatraceForm(
        {
            "environment_url": "https://abc12345.apps.dynatrace.com",
            "auth_type": "oauth",
            "max_batch_kib": "512",
            "client_id": "dt0s02.ABC",
            "client_secret": "dt0s02.ABC.DEF",
            "account_urn": "urn:dtaccount:0b0c2a4e-7d1f-4f5e-9a3b-1c2d3e4f5a6b",
            "token_url": "https://user@sso.example.com/token",
        }
    )
    assert not form.is_valid()
    assert "user names and passwords" in form.errors["token_url"][0]


@PUBLIC_ONLY
def test_it_never_sends_to_the_host_the_check_did_not_read(server):
    sink = webhook(f"http://127.0.0.1:{server.port}\\@8.8.8.8/in")

    with pytest.raises(HttpFailure) as caught:
        sink.check()

    assert caught.value.permanent and "backslash" in caught.value.message
    assert server.received == []  # neither the events nor the secret header reached loopback


@PUBLIC_ONLY
def test_it_connects_to_the_address_it_checked_not_to_a_later_dns_answer(dns, server):
    dns.answers = [PUBLIC, "127.0.0.1"]  # the name rebinds to loopback after the first lookup
    sink = webhook(f"http://hooks.example.com:{server.port}/in", connect_timeout=0.5)

    with pytest.raises(HttpFailure):
        sink.deliver(recent_events(3), journey_slug="orders")

    assert server.received == []
    assert dns.lookups == ["hooks.example.com"]  # one lookup: the one checked and connected to


@PUBLIC_ONLY
def test_it_refuses_a_name_that_resolves_to_a_private_address_at_connection_time(dns, server):
    dns.answers = ["127.0.0.1"]
    sink = webhook(f"http://hooks.example.com:{server.port}/in")

    with pytest.raises(DestinationRefused, match=r"hooks.example.com \(127.0.0.1\) is a loopback address"):
        sink.deliver(recent_events(3), journey_slug="orders")

    assert server.received == []


@PUBLIC_ONLY
def test_it_answers_the_same_for_an_open_and_a_closed_port(dns, server):
    """The test button is no port scanner: a refused address is refused before anything is sent."""
    closed = free_port()
    messages = []
    for port in (server.port, closed):
        for url in (f"http://127.0.0.1:{port}\\@8.8.8.8/in", f"http://127.0.0.1:{port}/in"):
            with pytest.raises(DeliveryError) as caught:
                webhook(url).check()
            messages.append(caught.value.message.replace(str(port), "PORT"))

    assert messages[:2] == messages[2:]
    assert server.received == []


@override_settings(HTTP_ALLOW_PLAIN=True, BIZFLOW_ALLOW_PRIVATE_DESTINATIONS=True)
def test_it_keeps_the_host_name_in_the_host_header(dns, server):
    dns.answers = ["127.0.0.1"]

    webhook(f"http://hooks.example.com:{server.port}/in").deliver(recent_events(2), journey_slug="orders")

    assert server.received[0].headers["host"] == f"hooks.example.com:{server.port}"


def _certificate(tmp_path, name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture
def tls_server(tmp_path):
    """An https server on 127.0.0.1 with a certificate for hooks.example.com only; records each SNI name."""
    cert_file, key_file = _certificate(tmp_path, "hooks.example.com")
    seen: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, name, ctx: seen.append(name)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd.server_address[1], cert_file, seen
    httpd.shutdown()
    httpd.server_close()


@override_settings(BIZFLOW_ALLOW_PRIVATE_DESTINATIONS=True)
def test_it_verifies_tls_on_the_host_name_while_connecting_to_the_pinned_address(dns, tls_server):
    port, cert_file, sni_names = tls_server
    dns.answers = ["127.0.0.1"]
    sink = webhook(f"https://hooks.example.com:{port}/in")
    sink.http.session.verify = str(cert_file)

    assert sink.deliver(recent_events(2), journey_slug="orders").delivered == 2
    assert sni_names == ["hooks.example.com"]

    dns.answers = ["127.0.0.1"]
    other = webhook(f"https://other.example.com:{port}/in")  # same address, a name the certificate lacks
    other.http.session.verify = str(cert_file)
    with pytest.raises(HttpFailure, match="cannot connect"):
        other.deliver(recent_events(2), journey_slug="orders")


@PUBLIC_ONLY
def test_it_never_sends_the_oauth_client_secret_to_the_host_the_check_did_not_read(dns, server):
    from journeys.sinks.dynatrace.transport import DynatraceSink

    sink = DynatraceSink(
        {
            "environment_url": "https://abc12345.apps.dynatrace.com",
            "auth_type": "oauth",
            "token_url": f"http://127.0.0.1:{server.port}\\@8.8.8.8/sso/oauth2/token",
        },
        {
            "client_id": "dt0s02.CLIENT",
            "client_secret": "dt0s02.CLIENT.SECRETPART",
            "account_urn": "urn:dtaccount:0b0c2a4e-7d1f-4f5e-9a3b-1c2d3e4f5a6b",
        },
        http=HttpClient(HttpPolicy(max_attempts=1)),
    )

    with pytest.raises(DeliveryError, match="backslash") as caught:
        sink.check()

    assert caught.value.permanent and server.received == []
