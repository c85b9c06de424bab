"""The file destination's settings form."""

import pytest
from django.conf import settings

from journeys.sinks.file.forms import FileForm


@pytest.fixture(autouse=True)
def events_dir(settings, tmp_path):
    settings.BIZFLOW_EVENTS_DIR = tmp_path


def test_it_refuses_an_absolute_folder_without_naming_the_servers_own():
    form = FileForm(data={"directory": "/root/elsewhere"})

    assert not form.is_valid()
    assert "not an absolute path" in form.errors["directory"][0]
    assert str(settings.BIZFLOW_EVENTS_DIR) not in str(form)


def test_it_writes_the_folder_plainly():
    form = FileForm(data={"directory": " ./exports//orders/ "})

    assert form.is_valid() and form.cleaned_data["directory"] == "exports/orders"


def test_it_gives_back_the_settings_and_no_secrets():
    form = FileForm(data={"directory": " team-a ", "fsync": "on"})

    assert form.is_valid()
    assert form.to_config() == {"directory": "team-a", "fsync": True}
    assert form.to_secrets() == {} and form.secret_fields == ()


def test_it_starts_from_the_stored_settings():
    form = FileForm(config={"directory": "team-b", "fsync": False})

    assert form["directory"].value() == "team-b" and form["fsync"].value() is False
    assert FileForm()["fsync"].value() is True
