"""Logging in: limited failed attempts, for the site and the admin alike."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice():
    return User.objects.create_user("alice", password="correct horse battery")


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
@override_settings(LOGIN_MAX_FAILURES=3)
def test_it_refuses_after_too_many_failures_even_with_the_right_password(client, alice, url):
    for _ in range(3):
        assert client.post(url, {"username": "alice", "password": "wrong"}).status_code == 200

    response = client.post(url, {"username": "alice", "password": "correct horse battery"})

    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_MAX_FAILURES=3)
def test_it_forgets_failures_after_a_successful_login(client, alice):
    for _ in range(2):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert (
        client.post("/accounts/login/", {"username": "alice", "password": "correct horse battery"}).status_code == 302
    )
    client.logout()

    for _ in range(2):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert (
        client.post("/accounts/login/", {"username": "alice", "password": "correct horse battery"}).status_code == 302
    )


@override_settings(LOGIN_MAX_FAILURES=2)
def test_it_counts_each_username_separately(client, alice):
    User.objects.create_user("bob", password="another good one")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert client.post("/accounts/login/", {"username": "bob", "password": "another good one"}).status_code == 302


@pytest.fixture
def lockme():
    return User.objects.create_user("lockme", password="the right one")


@override_settings(LOGIN_MAX_FAILURES=5)
def test_it_counts_a_username_as_authentication_reads_it(client, lockme):
    """Full-width letters are the same user to Django's login (NFKC), so they share the limit."""
    for _ in range(5):
        client.post("/accounts/login/", {"username": "lockme", "password": "wrong"})

    for spelling in ("\uff4co\uff43kme", " lockme ", "lock\uff4de"):
        response = client.post("/accounts/login/", {"username": spelling, "password": "the right one"})
        assert response.status_code == 429, spelling
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_MAX_FAILURES=3)
def test_it_counts_failures_under_another_spelling_against_the_user(client, lockme):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "\uff4cockme", "password": "wrong"})

    assert client.post("/accounts/login/", {"username": "lockme", "password": "the right one"}).status_code == 429


def _login(client, username, password, *, forwarded=None):
    extra = {"REMOTE_ADDR": "10.0.0.2"}  # the reverse proxy: every request comes from it
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@override_settings(LOGIN_MAX_FAILURES=3, BIZFLOW_TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR")
def test_it_keys_on_the_client_the_trusted_proxy_names(client, lockme):
    for _ in range(3):
        _login(client, "lockme", "wrong", forwarded="203.0.113.5")
    assert _login(client, "lockme", "the right one", forwarded="203.0.113.5").status_code == 429

    assert _login(client, "lockme", "the right one", forwarded="198.51.100.7").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3, BIZFLOW_TRUSTED_PROXY_HEADER="X-Forwarded-For")
def test_it_takes_the_right_most_hop_so_a_forged_header_changes_nothing(client, lockme):
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        _login(client, "lockme", "wrong", forwarded=f"{forged}, 203.0.113.5")

    assert _login(client, "lockme", "the right one", forwarded="4.4.4.4, 203.0.113.5").status_code == 429


@override_settings(
    LOGIN_MAX_FAILURES=3, BIZFLOW_TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR", BIZFLOW_TRUSTED_PROXY_COUNT=2
)
def test_it_skips_as_many_hops_as_there_are_trusted_proxies(client, lockme):
    for inner in ("10.9.0.1", "10.9.0.2", "10.9.0.3"):
        _login(client, "lockme", "wrong", forwarded=f"6.6.6.6, 203.0.113.5, {inner}")

    assert _login(client, "lockme", "the right one", forwarded="203.0.113.5, 10.9.0.4").status_code == 429
    assert _login(client, "lockme", "the right one", forwarded="198.51.100.7, 10.9.0.4").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3)
def test_it_ignores_forwarding_headers_unless_a_trusted_proxy_is_configured(client, lockme):
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        _login(client, "lockme", "wrong", forwarded=forged)

    assert _login(client, "lockme", "the right one", forwarded="4.4.4.4").status_code == 429
