"""Malformed files on the import page and through ``import_journey``: an answer that says where, never a 500
or a traceback, and nothing saved. The table is in ``malformed.py``; hypothesis adds damaged files of its own."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeys.models import Journey
from journeys.services.tenancy import tenant_create

from .malformed import CASES, RETAIL_JS, document

IDS = [case[0] for case in CASES]


@pytest.fixture
def alice(db, django_user_model):
    user = django_user_model.objects.create_user("alice", password="pw")
    tenant_create(name="Acme", owner=user, journeys_per_day_cap=None)
    return user


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.mark.parametrize(("text", "where"), [case[1:] for case in CASES], ids=IDS)
def test_it_answers_each_malformed_file_on_the_import_page(alice_client, text, where):
    response = alice_client.post(reverse("journey_import"), {"text": text})
    html = response.content.decode()
    assert response.status_code == 200 and "Nothing was imported" in html
    assert escape(where) in html
    assert not Journey.objects.exists()


@pytest.mark.parametrize(("text", "where"), [case[1:] for case in CASES], ids=IDS)
def test_it_answers_each_malformed_file_from_the_command_line_in_one_line(alice, tmp_path, text, where):
    path = tmp_path / "journey.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_journey", str(path), "--owner", "alice", stdout=StringIO(), stderr=StringIO())
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path} was not imported: ")
    assert where in message or "problems, listed above" in message
    assert not Journey.objects.exists()


def test_it_lists_several_problems_on_stderr_then_says_how_many(alice, tmp_path):
    path = tmp_path / "journey.json"
    path.write_text(document(name="x" * 201, journeys_per_day=1e12), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match=r"was not imported: 2 problems, listed above$"):
        call_command("import_journey", str(path), "--owner", "alice", stdout=StringIO(), stderr=err)
    assert [line.split(": ", 1)[1] for line in err.getvalue().splitlines()] == [
        "journeys_per_day: must be at most 1,000,000 journeys per day",
        "name: must be at most 200 characters (this one has 201)",
    ]


def _damaged(data: st.DataObject, text: str) -> str:
    """``text`` cut, spliced with odd characters or deep brackets, or with a number made huge."""
    how = data.draw(st.sampled_from(["cut", "insert", "nest", "number"]))
    at = data.draw(st.integers(0, len(text)))
    if how == "cut":
        return text[:at]
    if how == "insert":
        pieces = list('[]{}",:/0123456789eExu \n-.') + ["\\ud800", "\\u0000", "NaN", "1e999", "\\", "null", "0x"]
        junk = "".join(data.draw(st.lists(st.sampled_from(pieces), max_size=12)))
        return text[:at] + junk + text[at:]
    if how == "nest":
        depth = data.draw(st.integers(60, 3000))
        return text[:at] + "[" * depth + "]" * data.draw(st.integers(0, depth)) + text[at:]
    digits = data.draw(st.integers(300, 6000))
    return text[:at] + data.draw(st.sampled_from(["", "0x", "-"])) + "9" * digits + text[at:]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), source=st.sampled_from(["json", "configjs"]))
def test_it_never_answers_a_damaged_file_with_a_server_error(alice_client, alice, tmp_path, data, source):
    text = _damaged(data, document() if source == "json" else RETAIL_JS)
    response = alice_client.post(reverse("journey_import"), {"text": text})
    assert response.status_code in (200, 302)
    path = tmp_path / "damaged.txt"
    path.write_text(text, encoding="utf-8")
    try:
        call_command("import_journey", str(path), "--owner", "alice", stdout=StringIO(), stderr=StringIO())
    except CommandError as exc:
        assert "\n" not in str(exc) or "listed above" in str(exc)
    Journey.objects.all().delete()
