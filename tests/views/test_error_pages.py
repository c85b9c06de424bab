"""With DEBUG off, a missing page, a refused action and a server error answer with the app's own pages
(a way back to the journeys, the reason for a refusal), not Django's bare one-liners."""

import pytest
from django.test import Client
from django.urls import path

from journeys.models import Journey

from .conftest import logged_in


def broken_view(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken_view)]


@pytest.fixture(autouse=True)
def production_pages(settings):
    settings.DEBUG = False


def test_it_answers_a_missing_journey_with_its_own_page_and_a_way_back(client, team):
    response = logged_in(client, team.charlie).get(f"/journeys/{team.journey.slug}/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in page
    assert 'href="/"' in page and "Back to your journeys" in page
    assert 'class="topbar"' in page and "charlie" in page  # the usual top bar, with the user's account


def test_it_says_why_an_action_was_refused(client, team):
    response = logged_in(client, team.victor).post(f"/journeys/{team.journey.slug}/delete/")

    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in page
    assert "This needs the editor role in Acme." in page
    assert Journey.objects.filter(pk=team.journey.pk).exists()


@pytest.mark.urls(__name__)
def test_it_answers_a_server_error_with_a_page_that_needs_no_database(db):
    response = Client(raise_request_exception=False).get("/broken/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in page
    assert "a bug" not in page  # nothing of the error itself is shown
