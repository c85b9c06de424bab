"""The webhook destination form: URL, format, plain headers and write-only secret headers."""

from __future__ import annotations

from django.test import override_settings

from journeys.sinks.webhook.forms import WebhookForm


def post(**fields) -> dict:
    return {"url": "https://hooks.example.com/in", "format": "json", "max_batch_kib": "512", **fields}


def test_it_stores_the_url_format_and_headers():
    form = WebhookForm(
        post(
            format="cloudevents",
            headers="X-Source: bizflow\n\nX-Team:  orders ",
            secret_headers="Authorization: Bearer s3cr3t",
        )
    )

    assert form.is_valid(), form.errors
    assert form.to_config() == {
        "url": "https://hooks.example.com/in",
        "format": "cloudevents",
        "headers": {"X-Source": "bizflow", "X-Team": "orders"},
        "max_batch_bytes": 512 * 1024,
    }
    assert form.to_secrets() == {"headers": {"Authorization": "Bearer s3cr3t"}}


def test_it_names_the_line_of_each_bad_header():
    form = WebhookForm(post(headers="X-Ok: 1\nno colon here\nContent-Type: text/plain\nx-ok: 2"))

    assert not form.is_valid()
    assert form.errors["headers"] == [
        "Line 2: write it as Name: value (the name without spaces).",
        "Line 3: Content-Type is set by BizFlow Studio and cannot be replaced.",
        "Line 4: x-ok is already given above.",
    ]


def test_it_requires_https_unless_plain_http_is_allowed():
    with override_settings(HTTP_ALLOW_PLAIN=False):
        assert "https://" in WebhookForm(post(url="http://hooks.example.com/in")).errors["url"][0]
    with override_settings(HTTP_ALLOW_PLAIN=True):
        assert WebhookForm(post(url="http://127.0.0.1:9000/in")).is_valid()


def test_it_never_renders_secret_headers_and_keeps_them_when_left_empty():
    stored = {"headers": {"Authorization": "Bearer s3cr3t"}}
    shown = WebhookForm(config={"url": "https://hooks.example.com/in"}, secrets=stored)
    failed = WebhookForm(post(url="ftp://x", secret_headers="Authorization: Bearer typed-n0w"), secrets=stored)
    kept = WebhookForm(post(), secrets=stored)

    assert "Set: Authorization" in str(shown) and "s3cr3t" not in str(shown)
    assert not failed.is_valid() and "typed-n0w" not in str(failed)
    assert kept.is_valid() and kept.to_secrets() == stored


def test_it_removes_secret_headers_when_asked():
    form = WebhookForm(post(clear_secret_headers="on"), secrets={"headers": {"Authorization": "Bearer s3cr3t"}})

    assert form.is_valid(), form.errors
    assert form.to_secrets() == {}


def test_it_refuses_a_header_given_both_plain_and_secret():
    form = WebhookForm(post(headers="Authorization: visible"), secrets={"headers": {"Authorization": "Bearer s3cr3t"}})

    assert not form.is_valid()
    assert "also a secret header" in form.errors["headers"][0]
