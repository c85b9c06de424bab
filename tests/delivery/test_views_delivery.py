"""The delivery panel, its buttons and the destinations pages, from alice's side and from charlie's."""

import pytest
from django import forms
from django.urls import reverse

from journeys.forms import destinations as destination_forms
from journeys.models import Destination, Journey, JourneyDestination, Run
from journeys.services.delivery import delivery_catch_up
from journeys.services.destinations import destination_attach
from journeys.services.scheduling import journey_activate
from journeys.services.tenancy import tenant_create, tenant_default_for_user

from .conftest import T0

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def as_charlie(client, charlie):
    client.force_login(charlie)
    return client


def panel_url(journey, name="journey_delivery"):
    return reverse(name, args=[journey.slug])


def test_it_shows_the_panel_to_the_owner(as_alice, journey, pair, recorder):
    journey_activate(journey=journey, user=journey.owner, now=T0)
    delivery_catch_up(journey_destination_id=pair.pk, now=T0)

    page = as_alice.get(panel_url(journey))

    assert page.status_code == 200
    assert b"<html" in page.content and b'id="delivery-panel"' in page.content
    assert b"Recorder" in page.content and b"Backfill" in page.content and b"Success" in page.content
    assert b'hx-trigger="every 2s"' not in page.content  # caught up: no polling
    assert b"1 delivery run: " in page.content


def test_it_says_plainly_when_nothing_ran_yet(as_alice, journey, pair):
    page = as_alice.get(panel_url(journey))

    assert b"No runs yet." in page.content
    assert b"delivery runs:" not in page.content and b'class="totals"' not in page.content


def test_it_polls_while_backfilling_and_answers_htmx_with_the_fragment_only(as_alice, journey, pair):
    journey_activate(journey=journey, user=journey.owner, now=T0)

    fragment = as_alice.get(panel_url(journey), **HTMX)

    assert fragment.content.lstrip().startswith(b"<section")
    assert b'hx-trigger="every 2s"' in fragment.content
    assert b'<progress max="100" value="0">' in fragment.content


def test_it_hides_someone_elses_journey(as_charlie, journey, pair):
    assert as_charlie.get(panel_url(journey)).status_code == 404
    assert as_charlie.post(panel_url(journey, "journey_activate")).status_code == 404
    assert as_charlie.post(panel_url(journey, "journey_send_now")).status_code == 404
    journey.refresh_from_db()
    assert journey.state == Journey.State.DRAFT


def test_it_polls_while_a_run_is_under_way(as_alice, journey, pair):
    journey_activate(journey=journey, user=journey.owner, now=T0)
    delivery_catch_up(journey_destination_id=pair.pk, now=T0)
    Run.objects.create(journey_destination=pair, kind=Run.Kind.MANUAL, started_at=T0)

    fragment = as_alice.get(panel_url(journey), **HTMX)

    assert b'hx-trigger="every 2s"' in fragment.content and b"Running" in fragment.content


def test_it_asks_for_a_login(client, journey):
    response = client.get(panel_url(journey))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_activates_and_starts_the_backfill_at_once(as_alice, journey, pair, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_alice.post(panel_url(journey, "journey_activate"), **HTMX)

    journey.refresh_from_db()
    pair.refresh_from_db()
    assert response.status_code == 200 and b"Active: events are delivered" in response.content
    assert journey.state == Journey.State.ACTIVE and pair.cursor_ms is not None
    assert len(callbacks) == 1  # the first run, queued once the activation is committed


def test_it_explains_why_a_journey_cannot_be_activated(as_alice, journey, pair):
    Journey.objects.filter(pk=journey.pk).update(journeys_per_day=-5)

    response = as_alice.post(panel_url(journey, "journey_activate"), **HTMX)

    journey.refresh_from_db()
    assert b"This journey cannot run yet" in response.content and b"journeys_per_day" in response.content
    assert journey.state == Journey.State.DRAFT


def test_it_pauses_and_resumes(as_alice, journey, pair, django_capture_on_commit_callbacks):
    journey_activate(journey=journey, user=journey.owner, now=T0)

    as_alice.post(panel_url(journey, "journey_pause"), **HTMX)
    journey.refresh_from_db()
    assert journey.state == Journey.State.PAUSED
    with django_capture_on_commit_callbacks() as callbacks:
        page = as_alice.post(panel_url(journey, "journey_resume"), **HTMX)
    journey.refresh_from_db()
    assert journey.state == Journey.State.ACTIVE and b"Resumed" in page.content and len(callbacks) == 1


def test_it_sends_now_only_for_an_active_journey(as_alice, journey, pair, django_capture_on_commit_callbacks):
    refused = as_alice.post(panel_url(journey, "journey_send_now"), **HTMX)
    journey_activate(journey=journey, user=journey.owner, now=T0)
    with django_capture_on_commit_callbacks() as callbacks:
        accepted = as_alice.post(panel_url(journey, "journey_send_now"), **HTMX)

    assert b"Activate the journey first" in refused.content
    assert b"Sending everything that is due now" in accepted.content and len(callbacks) == 1


def test_it_redirects_to_the_page_without_htmx(as_alice, journey, pair):
    response = as_alice.post(panel_url(journey, "journey_pause"))

    assert response.status_code == 302 and response["Location"] == panel_url(journey)


def test_it_attaches_only_the_owners_destinations(as_alice, journey, alice, bob):
    mine = Destination.objects.create(
        owner=alice, tenant=tenant_default_for_user(alice), name="Mine", kind="file", config={}
    )
    theirs = Destination.objects.create(
        owner=bob, tenant=tenant_default_for_user(bob), name="Theirs", kind="file", config={}
    )

    refused = as_alice.post(panel_url(journey, "journey_destination_attach"), {"destination": theirs.pk}, **HTMX)
    accepted = as_alice.post(panel_url(journey, "journey_destination_attach"), {"destination": mine.pk}, **HTMX)

    assert b"Choose one of your destinations" in refused.content
    assert b"Delivering to Mine too" in accepted.content
    assert list(JourneyDestination.objects.values_list("destination__name", flat=True)) == ["Mine"]


def test_it_detaches_and_keeps_the_progress(as_alice, journey, pair):
    journey_activate(journey=journey, user=journey.owner, now=T0)
    url = reverse("journey_destination_detach", args=[journey.slug, pair.pk])

    as_alice.post(url, **HTMX)

    pair.refresh_from_db()
    assert not pair.active and pair.cursor_ms is not None


def test_it_asks_before_detaching_in_the_destinations_row(as_alice, journey, pair):
    url = reverse("journey_destination_detach", args=[journey.slug, pair.pk])
    panel = as_alice.get(panel_url(journey), **HTMX).content.decode()

    row = as_alice.get(url, **HTMX).content.decode()
    page = as_alice.get(url).content.decode()

    assert f'hx-get="{url}"' in panel and f'action="{url}"' not in panel  # the panel's link only asks
    assert row.strip().startswith(f'<tr id="delivery-{pair.pk}" class="confirm-row">') and "<html" not in row
    assert f'hx-post="{url}"' in row and "Where it got to is kept" in row
    assert "Stop delivering to" in page and 'class="danger"' in page
    pair.refresh_from_db()
    assert pair.active  # asking changed nothing


def test_it_lists_only_the_users_destinations(as_alice, alice, bob):
    Destination.objects.create(owner=alice, tenant=tenant_default_for_user(alice), name="Mine", kind="file", config={})
    Destination.objects.create(owner=bob, tenant=tenant_default_for_user(bob), name="Theirs", kind="file", config={})

    page = as_alice.get(reverse("destination_list"))

    assert b"Mine" in page.content and b"Theirs" not in page.content
    assert reverse("destination_create", args=["file"]).encode() in page.content


def test_it_creates_a_file_destination_and_names_a_bad_directory(as_alice, alice, settings, tmp_path):
    tenant_create(name="Mine", owner=alice)
    settings.BIZFLOW_EVENTS_DIR = tmp_path
    url = reverse("destination_create", args=["file"])

    bad = as_alice.post(url, {"name": "Disk", "settings-directory": "alice/../bob"})
    good = as_alice.post(url, {"name": "Disk", "settings-directory": "exports", "settings-fsync": "on"})

    assert bad.status_code == 200 and b"is not allowed: a destination&#x27;s folder stays inside" in bad.content
    assert str(tmp_path).encode() not in bad.content
    assert good.status_code == 302
    assert Destination.objects.get(owner=alice).config == {"directory": "exports", "fsync": True}


class TokenForm(forms.Form):
    """A kind's settings form with a secret, keeping a stored one the user leaves empty."""

    secret_fields = ("token",)
    url = forms.CharField()
    token = forms.CharField(required=False)

    def __init__(self, data=None, *, config=None, secrets=None, **kwargs):
        self.stored_secrets = dict(secrets or {})
        super().__init__(data, initial=dict(config or {}), **kwargs)

    def to_config(self):
        return {"url": self.cleaned_data["url"]}

    def to_secrets(self):
        return {"token": self.cleaned_data["token"] or self.stored_secrets.get("token", "")}


@pytest.fixture
def tokened(alice, monkeypatch):
    monkeypatch.setattr(destination_forms, "settings_form_class", lambda kind: TokenForm)
    return Destination.objects.create(
        owner=alice,
        tenant=tenant_default_for_user(alice),
        name="Tenant",
        kind="webhook",
        config={"url": "https://example.invalid"},
        secrets={"token": "s3cr3t-value"},
    )


def test_it_never_shows_a_stored_secret(as_alice, tokened):
    page = as_alice.get(reverse("destination_edit", args=[tokened.pk]))

    assert page.status_code == 200
    assert b"s3cr3t-value" not in page.content
    assert destination_forms.SECRET_IS_SET.encode() in page.content
    assert b'type="password"' in page.content


def test_it_keeps_a_secret_left_empty_and_replaces_one_typed_in(as_alice, tokened):
    url = reverse("destination_edit", args=[tokened.pk])
    Destination.objects.filter(pk=tokened.pk).update(stopped_reason="401 Unauthorized")

    as_alice.post(url, {"name": "Tenant", "settings-url": "https://example.invalid", "settings-token": ""})
    kept = Destination.objects.get(pk=tokened.pk)
    as_alice.post(url, {"name": "Tenant", "settings-url": "https://example.invalid", "settings-token": "new-one"})
    replaced = Destination.objects.get(pk=tokened.pk)

    assert kept.secrets == {"token": "s3cr3t-value"} and not kept.is_stopped
    assert replaced.secrets == {"token": "new-one"}
    assert replaced.config == {"url": "https://example.invalid"}


def test_it_hides_someone_elses_destination(as_charlie, tokened):
    assert as_charlie.get(reverse("destination_edit", args=[tokened.pk])).status_code == 404
    assert as_charlie.post(reverse("destination_restart", args=[tokened.pk])).status_code == 404


def test_it_restarts_a_stopped_destination(as_alice, tokened):
    Destination.objects.filter(pk=tokened.pk).update(stopped_reason="403 Forbidden")

    as_alice.post(reverse("destination_restart", args=[tokened.pk]))

    assert not Destination.objects.get(pk=tokened.pk).is_stopped


def test_it_refuses_an_unknown_kind(as_alice):
    assert as_alice.get(reverse("destination_create", args=["carrier-pigeon"])).status_code == 404


def test_the_journey_attach_list_leaves_out_attached_destinations(journey, alice, pair):
    other = Destination.objects.create(
        owner=alice, tenant=tenant_default_for_user(alice), name="Other", kind="file", config={}
    )
    destination_attach(journey=journey, destination=other)
    spare = Destination.objects.create(
        owner=alice, tenant=tenant_default_for_user(alice), name="Spare", kind="file", config={}
    )

    choices = list(destination_forms.AttachForm(journey=journey).fields["destination"].queryset)

    assert choices == [spare]


def test_it_finds_the_settings_form_of_a_kind():
    from journeys.sinks.file.forms import FileForm

    assert destination_forms.settings_form_class("file") is FileForm
