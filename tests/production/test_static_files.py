"""With DEBUG off the app serves its own static files: hashed names, compressed, cached for a year."""

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js|svg)$")


@pytest.fixture
def collected(tmp_path, settings):
    with override_settings(STATIC_ROOT=tmp_path / "static", STORAGES=PRODUCTION_STORAGES, DEBUG=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        yield tmp_path / "static"


def page_assets(client: Client) -> dict[str, str]:
    html = client.get("/accounts/login/").content.decode()
    css = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    htmx = re.search(r'<script src="([^"]*htmx[^"]*)"', html).group(1)
    return {"css": css, "htmx": htmx}


@pytest.mark.django_db
def test_it_serves_the_pages_css_and_htmx_under_hashed_names_cached_for_a_year(collected):
    client = Client()
    assets = page_assets(client)

    for url in assets.values():
        assert url.startswith("/static/") and HASHED.search(url), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert "max-age=315360000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
        assert b"".join(response.streaming_content)  # the file itself, not an empty answer
    assert "django_htmx/htmx" in assets["htmx"]


@pytest.mark.django_db
def test_it_serves_compressed_copies_to_clients_that_take_them(collected):
    client = Client()
    css = page_assets(client)["css"]

    plain = b"".join(client.get(css).streaming_content)
    gzipped = client.get(css, headers={"accept-encoding": "gzip"})

    assert gzipped["Content-Encoding"] == "gzip"
    assert len(b"".join(gzipped.streaming_content)) < len(plain) / 2
    assert gzipped["Vary"] == "Accept-Encoding"


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_static_file(collected):
    assert Client().get("/static/css/missing.0123456789ab.css").status_code == 404
