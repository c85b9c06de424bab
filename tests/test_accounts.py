"""Accounts: strong passwords, password reset only where e-mail is set up, a Content-Security-Policy.

Password reset mails a link, so without e-mail (``BIZFLOW_EMAIL_ENABLED``, on when ``EMAIL_HOST`` is
set) it is not offered: no link on the login page, and its URLs answer 404 rather than failing to
send. Every page carries a Content-Security-Policy that allows no inline script or style, which the
templates keep to (they have no inline scripts, event handler attributes or style attributes).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RESET_URLS = [
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/abc-123/",
    "/accounts/reset/done/",
]
EMAIL_ON = {
    "BIZFLOW_EMAIL_ENABLED": True,
    "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
}


def test_it_uses_all_four_of_djangos_password_validators():
    names = {validator["NAME"].rsplit(".", 1)[-1] for validator in settings.AUTH_PASSWORD_VALIDATORS}

    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    with pytest.raises(ValidationError, match="entirely numeric"):
        validate_password("80417735902264")


@override_settings(BIZFLOW_EMAIL_ENABLED=False)
@pytest.mark.parametrize("url", RESET_URLS)
def test_it_offers_no_password_reset_without_email(client, url):
    User.objects.create_user("alice", email="alice@example.com", password="pw")

    got, posted = client.get(url), client.post(url, {"email": "alice@example.com"})

    assert (got.status_code, posted.status_code) == (404, 404)
    assert not mail.outbox
    assert "password_reset" not in client.get("/accounts/login/").content.decode()


@override_settings(**EMAIL_ON)
def test_it_offers_password_reset_where_email_is_set_up(client):
    User.objects.create_user("alice", email="alice@example.com", password="pw")

    login_page = client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})

    assert 'href="/accounts/password_reset/"' in login_page
    assert response.status_code == 302 and len(mail.outbox) == 1


def test_it_has_email_off_unless_an_email_host_is_set():
    # The test settings set no EMAIL_HOST: like a fresh install, no password reset.
    assert settings.BIZFLOW_EMAIL_ENABLED is False


def test_it_sends_a_content_security_policy_without_inline_code(client):
    policy = client.get("/accounts/login/").headers["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_it_keeps_templates_free_of_inline_scripts_and_styles(path):
    text = path.read_text()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "an inline <script>: move it into static/js/"
    assert not re.search(r"\son[a-z]+\s*=", text), "an event handler attribute: use a static script or htmx"
    assert not re.search(r"\sstyle\s*=", text), "a style attribute: use a class (static/css/)"
    assert "<style" not in text, "an inline <style>: put it in static/css/"


@pytest.mark.parametrize(
    ("value", "css_class"),
    [(37.5, "pct-38"), ("12.4%", "pct-12"), (-3, "pct-0"), (250, "pct-100"), ("—", "pct-0"), (float("nan"), "pct-0")],
)
def test_it_gives_a_bar_its_length_as_a_class(value, css_class):
    from journeys.templatetags.bars import pct_class

    assert pct_class(value) == css_class
