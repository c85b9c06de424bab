"""The Dynatrace destination form: URL checks, sign-in choices, and secrets that are never shown."""

from __future__ import annotations

from django.test import override_settings

from journeys.sinks.dynatrace.forms import DynatraceForm

UUID = "4f5c8a1e-1111-4222-8333-944455556666"
TOKEN = "dt0c01.ABCDEFGHIJKLMNOPQRSTUVWX.SECRETPART"


def post(**fields) -> dict:
    return {
        "environment_url": "https://abc12345.live.dynatrace.com",
        "auth_type": "api_token",
        "max_batch_kib": "512",
        **fields,
    }


def test_it_stores_a_normalised_url_and_the_token():
    form = DynatraceForm(post(environment_url=" abc12345.apps.dynatrace.com/ui/apps ", api_token=f" {TOKEN} "))

    assert form.is_valid(), form.errors
    assert form.to_config() == {
        "environment_url": "https://abc12345.apps.dynatrace.com",
        "auth_type": "api_token",
        "max_batch_bytes": 512 * 1024,
        "gzip": False,
    }
    assert form.to_secrets() == {"api_token": TOKEN}


def test_it_takes_a_token_pasted_with_its_scheme():
    form = DynatraceForm(post(api_token=f"Api-Token {TOKEN}"))

    assert form.is_valid(), form.errors
    assert form.to_secrets() == {"api_token": TOKEN}


@override_settings(HTTP_ALLOW_PLAIN=False)
def test_it_requires_https():
    form = DynatraceForm(post(environment_url="http://abc12345.live.dynatrace.com", api_token=TOKEN))

    assert not form.is_valid()
    assert "https://" in form.errors["environment_url"][0]


@override_settings(HTTP_ALLOW_PLAIN=True)
def test_it_allows_http_for_a_local_receiver_when_the_setting_says_so():
    form = DynatraceForm(post(environment_url="http://127.0.0.1:8787/", api_token=TOKEN))

    assert form.is_valid(), form.errors
    assert form.to_config()["environment_url"] == "http://127.0.0.1:8787"


def test_it_asks_for_the_token_it_needs():
    form = DynatraceForm(post())

    assert not form.is_valid()
    assert "bizevents.ingest" in form.errors["api_token"][0]


def test_it_never_renders_a_stored_or_typed_secret():
    form = DynatraceForm(
        post(environment_url="not a url at all:99999", api_token="typed-but-invalid-form"),
        config={"auth_type": "api_token"},
        secrets={"api_token": TOKEN},
    )

    html = str(form)

    assert not form.is_valid()
    assert TOKEN not in html and "typed-but-invalid-form" not in html
    assert "Set. Leave empty to keep it" in html


def test_it_keeps_the_stored_token_when_left_empty():
    form = DynatraceForm(post(max_batch_kib="256"), secrets={"api_token": TOKEN})

    assert form.is_valid(), form.errors
    assert form.to_secrets() == {"api_token": TOKEN}
    assert form.to_config()["max_batch_bytes"] == 256 * 1024


def test_it_takes_an_oauth_client_and_forgets_the_api_token():
    form = DynatraceForm(
        post(
            auth_type="oauth",
            client_id="dt0s02.ABC",
            client_secret="s3cr3t",
            account_urn=UUID,
            token_url="https://sso.example.com/sso/oauth2/token",
        ),
        secrets={"api_token": TOKEN},
    )

    assert form.is_valid(), form.errors
    assert form.to_secrets() == {
        "client_id": "dt0s02.ABC",
        "client_secret": "s3cr3t",
        "account_urn": f"urn:dtaccount:{UUID}",
    }
    assert form.to_config()["token_url"] == "https://sso.example.com/sso/oauth2/token"


def test_it_names_each_missing_oauth_field():
    form = DynatraceForm(post(auth_type="oauth", account_urn="urn:dtaccount:nope"))

    assert not form.is_valid()
    assert set(form.errors) == {"client_id", "client_secret", "account_urn"}
    assert "account UUID" in form.errors["account_urn"][0]


def test_it_shows_the_stored_settings_but_not_the_secrets():
    config = {
        "environment_url": "https://abc12345.live.dynatrace.com",
        "auth_type": "oauth",
        "max_batch_bytes": 128 * 1024,
        "gzip": True,
    }

    form = DynatraceForm(
        config=config,
        secrets={"client_id": "dt0s02.ABC", "client_secret": "s3cr3t", "account_urn": f"urn:dtaccount:{UUID}"},
    )
    html = str(form)

    assert 'value="https://abc12345.live.dynatrace.com"' in html and 'value="128"' in html
    assert "s3cr3t" not in html and "dt0s02.ABC" not in html and UUID not in html


def test_it_limits_requests_to_what_dynatrace_takes():
    form = DynatraceForm(post(api_token=TOKEN, max_batch_kib="6000"))

    assert not form.is_valid()
    assert "max_batch_kib" in form.errors
