"""Test a destination's connection (owners and editors): each kind says plainly what works or what is wrong."""

import socket

import pytest
from django.urls import reverse

from journeys.services.destinations import destination_create
from journeys.sinks.kafka.transport import KafkaSink
from tests.sinks.kafka.conftest import kafka_broker  # noqa: F401 - the session's broker

from .conftest import logged_in

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def events_dir(settings, tmp_path):
    settings.BIZFLOW_EVENTS_DIR = tmp_path
    return tmp_path


def make(team, kind, config=None, secrets=None, name="Target"):
    return destination_create(
        owner=team.alice, tenant=team.tenant, name=name, kind=kind, config=config or {}, secrets=secrets
    )


def try_connection(client, user, destination) -> str:
    """What the Test connection button shows."""
    logged_in(client, user)
    return client.post(reverse("destination_test_connection", args=[destination.pk]), **HTMX).content.decode()


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_it_reports_a_writable_folder(client, team, who, events_dir):
    html = try_connection(client, getattr(team, who), make(team, "file", {"directory": "demo"}))
    assert 'class="connection-outcome good"' in html
    assert "Target: connection works: writing to demo, created with the first delivery." in html
    assert str(events_dir) not in html and not (events_dir / "tenants").exists()


def test_it_reports_a_folder_it_cannot_write_to(client, team, events_dir):
    root = events_dir / "tenants" / team.tenant.slug
    root.mkdir(parents=True)
    (root / "taken").write_text("a file, not a folder")
    html = try_connection(client, team.alice, make(team, "file", {"directory": "taken"}))
    assert 'class="connection-outcome bad"' in html and "Target: connection failed: taken is a file" in html
    assert str(events_dir) not in html


@pytest.mark.parametrize(("who", "status"), [("victor", 403), ("charlie", 404)])
def test_it_refuses_viewers_and_outsiders(client, team, who, status):
    destination = make(team, "file")
    response = logged_in(client, getattr(team, who)).post(reverse("destination_test_connection", args=[destination.pk]))
    assert response.status_code == status


def test_it_answers_a_post_without_javascript_with_a_message_on_the_list(client, team):
    destination = make(team, "file")
    response = logged_in(client, team.bob).post(
        reverse("destination_test_connection", args=[destination.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("destination_list")
    assert "Target: connection works" in response.content.decode()


@pytest.fixture
def tenant(team, dt):
    return make(team, "dynatrace", {"environment_url": dt.url, "auth_type": "api_token"}, {"api_token": dt.api_token})


def test_it_reports_a_tenant_that_takes_business_events(client, team, tenant, dt):
    html = try_connection(client, team.bob, tenant)
    assert "connection works:" in html and "accepts business events" in html
    assert dt.event_count == 0  # nothing was delivered


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (lambda dt: dt.reject_token(), "token rejected"),
        (lambda dt: dt.set_api_token_scopes([]), "missing scope"),
        (lambda dt: dt.set_down(), "unreachable"),
    ],
)
def test_it_says_what_is_wrong_with_a_tenant(client, team, tenant, dt, fault, words):
    fault(dt)
    html = try_connection(client, team.alice, tenant)
    assert "connection failed:" in html and words in html
    assert dt.api_token not in html


def test_it_reports_kafka_brokers_out_of_reach(client, team, monkeypatch):
    monkeypatch.setattr(KafkaSink, "check_timeout_s", 1.0)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    html = try_connection(
        client, team.bob, make(team, "kafka", {"bootstrap_servers": f"127.0.0.1:{port}", "topic": "t"})
    )
    assert "connection failed: Cannot reach the brokers at 127.0.0.1:" in html


def test_it_reports_a_missing_kafka_topic(client, team, kafka_broker):  # noqa: F811
    html = try_connection(
        client, team.bob, make(team, "kafka", {"bootstrap_servers": kafka_broker.bootstrap, "topic": "nope"})
    )
    assert "connection failed: Connected, but topic &#x27;nope&#x27; does not exist" in html


def test_it_shows_the_button_to_owners_and_editors_on_the_list_and_to_owners_on_the_page(client, team):
    destination = make(team, "file")
    button = reverse("destination_test_connection", args=[destination.pk])
    assert button in logged_in(client, team.bob).get(reverse("destination_list")).content.decode()
    assert button not in logged_in(client, team.victor).get(reverse("destination_list")).content.decode()
    assert (
        button in logged_in(client, team.alice).get(reverse("destination_edit", args=[destination.pk])).content.decode()
    )
