"""Secrets never leave the database in readable form: not in a page, an export, a log line or an error.

Destinations of every kind get distinctive secret values. They then fail to deliver in every way
that could echo a secret (Dynatrace refusing the token, an OAuth client refused, a webhook that
writes the request's headers back into its error answer, a Kafka login that cannot succeed), with
every log record captured at DEBUG; then every page a member can reach is fetched, the admin console
included, and every export is taken. No secret value may appear anywhere.
"""

from __future__ import annotations

import io
import logging
import socket
import zipfile
from io import StringIO

import orjson
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from journeys.devtools.dynatrace_receiver import DynatraceReceiver
from journeys.models import AuditEntry, Destination, JourneyDestination, Run, TenantAssets
from journeys.selectors.assets import BIZFLOW_FILE, DASHBOARD_FILE, ZIP_FILE
from journeys.services.assets import journey_assets_push
from journeys.services.delivery import delivery_run
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.imports import journey_import_text
from journeys.services.scheduling import journey_activate
from journeys.services.tenancy import tenant_create
from tests.members import add_member

from .sinks.helpers import Received, ScriptedServer
from .views.conftest import EXAMPLES

pytestmark = pytest.mark.django_db

DT_TOKEN = "leakcheck-dt-api-token-4Kq9"
OAUTH_ID = "leakcheck-oauth-client-id-3Pz"
OAUTH_SECRET = "leakcheck-oauth-client-secret-7Vb"
ACCOUNT_URN = "urn:dtaccount:5e1c0d7a-1d2e-4f3a-8b9c-0d1e2f3a4b5c"
WEBHOOK_BEARER = "leakcheck-webhook-bearer-6Hs"
WEBHOOK_KEY = "leakcheck-webhook-apikey-1Tn"
KAFKA_PASSWORD = "leakcheck-kafka-password-2Lm"
KAFKA_HEADER = "leakcheck-kafka-header-8Jp"
TYPED_AGAIN = "leakcheck-typed-into-a-form-5Zz"
SECRETS = [
    DT_TOKEN,
    OAUTH_ID,
    OAUTH_SECRET,
    ACCOUNT_URN,
    WEBHOOK_BEARER,
    WEBHOOK_KEY,
    KAFKA_PASSWORD,
    KAFKA_HEADER,
    TYPED_AGAIN,
]
FAST_HTTP = override_settings(HTTP_MAX_ATTEMPTS=2, HTTP_BACKOFF_SECONDS=0.01, HTTP_RETRY_BUDGET_SECONDS=1)


def leaked(text: str | bytes) -> list[str]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return [secret for secret in SECRETS if secret in text]


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def receivers():
    server = ScriptedServer()
    answers = iter([503, 400, 400, 400])

    def careless(request: Received):
        status = next(answers, 400)
        body = orjson.dumps(
            {
                "error": {
                    "message": f"refused {request.headers.get('authorization')} "
                    f"with key {request.headers.get('x-api-key')}"
                }
            }
        )
        return status, {"Content-Type": "application/json"}, body

    server.default = careless
    with DynatraceReceiver() as dt:
        yield dt, server
    server.stop()


@pytest.fixture
def world(receivers):
    dt, webhook_server = receivers
    alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    acme = tenant_create(name="Acme", owner=alice)
    add_member(tenant=acme, user=bob, role="editor", actor=alice)
    journey = journey_import_text(text=(EXAMPLES / "travel-booking.json").read_text(), owner=alice, tenant=acme)

    def make(name: str, kind: str, config: dict, secrets: dict) -> Destination:
        destination = destination_create(owner=alice, tenant=acme, name=name, kind=kind, config=config, secrets=secrets)
        destination_attach(journey=journey, destination=destination)
        return destination

    destinations = [
        make(
            "Token tenant", "dynatrace", {"environment_url": dt.url, "auth_type": "api_token"}, {"api_token": DT_TOKEN}
        ),
        make(
            "OAuth tenant",
            "dynatrace",
            {"environment_url": dt.url, "auth_type": "oauth", "token_url": dt.token_url},
            {"client_id": OAUTH_ID, "client_secret": OAUTH_SECRET, "account_urn": ACCOUNT_URN},
        ),
        make(
            "Careless hook",
            "webhook",
            {"url": webhook_server.url + "/in", "format": "json"},
            {"headers": {"Authorization": f"Bearer {WEBHOOK_BEARER}", "X-Api-Key": WEBHOOK_KEY}},
        ),
        make(
            "Kafka",
            "kafka",
            {
                "bootstrap_servers": f"127.0.0.1:{unused_port()}",
                "topic": "events",
                "security_protocol": "SASL_SSL",
                "sasl_mechanism": "SCRAM-SHA-512",
                "sasl_username": "bizflow",
                "message_timeout_ms": 1000,
            },
            {"sasl_password": KAFKA_PASSWORD, "secret_headers": {"X-Kafka-Key": KAFKA_HEADER}},
        ),
        make("Files", "file", {}, {}),
    ]
    journey_activate(journey=journey, user=alice)
    return {"alice": alice, "bob": bob, "root": root, "tenant": acme, "journey": journey, "destinations": destinations}


def fail_deliveries(world, kinds: tuple[str, ...]) -> None:
    with FAST_HTTP:
        for pair in JourneyDestination.objects.filter(journey=world["journey"], destination__kind__in=kinds):
            delivery_run(journey_destination_id=pair.pk, now=timezone.now())
        for destination in world["destinations"][:2]:
            journey_assets_push(journey=world["journey"], destination=destination, user=world["alice"])


@pytest.fixture
def failed(world, caplog):
    """The HTTP destinations fail once each (Kafka's failure takes a second: only the log test waits for it)."""
    caplog.set_level(logging.DEBUG)
    fail_deliveries(world, ("dynatrace", "webhook"))
    return world


def test_it_fails_every_way_and_keeps_secrets_out_of_logs_and_stored_errors(world, caplog):
    caplog.set_level(logging.DEBUG)
    fail_deliveries(world, ("dynatrace", "webhook", "kafka"))

    runs = list(Run.objects.exclude(outcome=Run.Outcome.SUCCESS).exclude(kind=Run.Kind.PUSH))
    assert len(runs) == 4 and all(run.error for run in runs), [(r.outcome, r.error) for r in Run.objects.all()]
    pushes = list(Run.objects.filter(kind=Run.Kind.PUSH))  # the two asset pushes failed too, and say why
    assert len(pushes) == 2 and all(run.outcome == Run.Outcome.FAILED and run.error for run in pushes)
    by_name = {run.journey_destination.destination.name: run.error for run in runs}
    assert "credentials" in by_name["Token tenant"] or "token" in by_name["Token tenant"].lower()
    assert "400" in by_name["Careless hook"] and "refused" in by_name["Careless hook"]  # its words, scrubbed
    assert "Kafka took 0 of" in by_name["Kafka"]
    records = caplog.get_records("call")
    assert any("refused" in record.getMessage() for record in records), "the webhook's retry was logged"
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    texts = [formatter.format(record) for record in records]  # with the traceback, when a record has one
    texts += [repr(record.args) for record in records]
    texts += [run.error for run in Run.objects.all()]
    texts += [d.last_error + d.stopped_reason for d in Destination.objects.all()]
    texts += [assets.error for assets in TenantAssets.objects.all()]
    texts += [orjson.dumps(entry.details).decode() + entry.target_label for entry in AuditEntry.objects.all()]

    assert leaked("\n".join(texts)) == []


def journey_pages(world) -> list[str]:
    slug = world["journey"].slug
    pages = [
        reverse("journey_list"),
        reverse("destination_list"),
        reverse("team"),
        reverse("team_tenant", args=[world["tenant"].slug]),
    ]
    pages += [
        reverse(name, args=[slug])
        for name in ("journey_edit", "journey_preview", "journey_export", "journey_delivery", "journey_assets")
    ]
    pages += [reverse("journey_assets_download", args=[slug, name]) for name in (BIZFLOW_FILE, DASHBOARD_FILE)]
    return pages


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_it_shows_no_secret_on_any_page_a_member_can_reach(client, failed, who):
    client.force_login(failed[who])
    pages = journey_pages(failed)
    if who == "alice":  # the owner edits destinations
        pages += [reverse("destination_edit", args=[d.pk]) for d in failed["destinations"]]

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaked(response.content) == [], url
    archive = client.get(reverse("journey_assets_download", args=[failed["journey"].slug, ZIP_FILE]))
    with zipfile.ZipFile(io.BytesIO(archive.content)) as files:
        for name in files.namelist():
            assert leaked(files.read(name)) == [], name


@pytest.mark.parametrize(
    ("index", "typed"),
    [
        (
            0,
            {
                "settings-environment_url": "not a url at all",
                "settings-auth_type": "api_token",
                "settings-api_token": TYPED_AGAIN,
                "settings-max_batch_kib": "512",
            },
        ),
        (
            2,
            {
                "settings-url": "ftp://nowhere",
                "settings-format": "json",
                "settings-max_batch_kib": "512",
                "settings-secret_headers": f"Authorization: Bearer {TYPED_AGAIN}",
            },
        ),
        (
            3,
            {
                "settings-bootstrap_servers": "not-host-port",
                "settings-topic": "events",
                "settings-client_id": "x",
                "settings-security_protocol": "SASL_SSL",
                "settings-sasl_password": TYPED_AGAIN,
                "settings-compression": "none",
                "settings-acks": "all",
                "settings-key": "correlation",
                "settings-value_format": "flat",
                "settings-message_timeout_ms": "30000",
            },
        ),
    ],
)
def test_it_never_sends_a_typed_secret_back_with_a_form_that_has_errors(client, failed, index, typed):
    destination = failed["destinations"][index]
    client.force_login(failed["alice"])

    response = client.post(reverse("destination_edit", args=[destination.pk]), {"name": destination.name, **typed})

    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert leaked(response.content) == []


def test_it_shows_no_secret_in_the_admin_console(client, failed):
    from django.contrib import admin

    client.force_login(failed["root"])
    checked = 0
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        listing = client.get(reverse(f"{info}_changelist"))
        assert listing.status_code == 200, info
        assert leaked(listing.content) == [], info
        for pk in model._default_manager.values_list("pk", flat=True)[:25]:
            page = client.get(reverse(f"{info}_change", args=[pk]))
            assert page.status_code == 200, (info, pk)
            assert leaked(page.content) == [], (info, pk)
            checked += 1
    assert checked > 20


def test_it_exports_no_secret(failed):
    dumped, exported = StringIO(), StringIO()
    call_command("dumpdata", "journeys", stdout=dumped)
    call_command("export_journey", failed["journey"].slug, stdout=exported)

    assert "Careless hook" in dumped.getvalue()  # the destinations are in the dump, their secrets encrypted
    assert leaked(dumped.getvalue()) == []
    assert leaked(exported.getvalue()) == []
