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
