import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from journeys.models import DecisionSettings, Journey
from journeys.services.tenancy import tenant_create

from .conftest import EXAMPLES


@pytest.fixture(autouse=True)
def alices_tenant(alice):
    """Importing needs a tenant to import into."""
    return tenant_create(name="Mine", owner=alice)


def test_it_imports_a_pasted_config_js(alice_client, alice):
    text = (EXAMPLES / "retail-order-delivery.config.js").read_text()
    response = alice_client.post(reverse("journey_import"), {"text": text, "journeys_per_day": "1500"})
    journey = Journey.objects.get(owner=alice)
    assert response.status_code == 302 and response.url == reverse("journey_edit", args=[journey.slug])
    assert journey.name == "[RETAIL] eCommerce order delivery"
    assert journey.journeys_per_day == 1500 and journey.steps.count() == 7


def test_it_imports_an_uploaded_json_file(alice_client, alice):
    upload = SimpleUploadedFile("travel.json", (EXAMPLES / "travel-booking.json").read_bytes(), "application/json")
    response = alice_client.post(reverse("journey_import"), {"file": upload})
    assert response.status_code == 302
    assert Journey.objects.get(owner=alice).event_provider


def test_it_names_the_line_of_a_broken_config_js_and_imports_nothing(alice_client):
    text = (EXAMPLES / "retail-order-delivery.config.js").read_text()
    last_step = '["Order received", "order.received", 1, 0.1, 0.2]'
    broken = text.replace(last_step, '["Order received", "order.received", 1, 0.1]')
    response = alice_client.post(reverse("journey_import"), {"text": broken})
    html = response.content.decode()
    assert response.status_code == 200 and "Nothing was imported" in html
    assert "line " in html and "PROCESS_STEPS[6]" in html
    assert escape(broken.strip()[:60]) in html  # the pasted text is still there to fix
    assert not Journey.objects.exists()


def test_it_asks_for_a_file_or_text(alice_client):
    html = alice_client.post(reverse("journey_import"), {}).content.decode()
    assert "Paste a journey file or choose one to upload." in html


def test_it_refuses_text_and_a_file_together(alice_client):
    upload = SimpleUploadedFile("a.json", b"{}", "application/json")
    html = alice_client.post(reverse("journey_import"), {"file": upload, "text": "{}"}).content.decode()
    assert "not both" in html and not Journey.objects.exists()


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("journey_import"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_refuses_a_volume_above_the_tenants_cap_and_imports_nothing(alice_client, alice):
    from journeys.services.tenancy import tenant_default_for_user

    tenant = tenant_default_for_user(alice)
    tenant.journeys_per_day_cap = 1000
    tenant.save()
    text = (EXAMPLES / "retail-order-delivery.config.js").read_text()

    response = alice_client.post(reverse("journey_import"), {"text": text, "journeys_per_day": "1500"})

    html = response.content.decode()
    assert response.status_code == 200 and "Nothing was imported" in html
    assert "allows at most 1000 journeys per day per journey (this one has 1500)" in html
    assert not Journey.objects.exists()


def test_it_imports_the_decision_settings_a_journey_file_holds_and_names_a_wrong_one(alice_client, alice):
    text = (EXAMPLES / "loan-validation.json").read_text()
    broken = text.replace('"decision_operation": "LoanValidation"', '"decision_operation": 7')

    refused = alice_client.post(reverse("journey_import"), {"text": broken}).content.decode()
    assert "steps[3].decision_settings.decision_operation" in refused and not Journey.objects.exists()
    upload = SimpleUploadedFile("loan.json", text.encode(), "application/json")
    response = alice_client.post(reverse("journey_import"), {"file": upload})

    assert response.status_code == 302
    settings = DecisionSettings.objects.get(step__journey__owner=alice)
    assert settings.step.event_type == "loan.decided" and settings.deployment_space_id == "test_environment"
    assert settings.runtime_nodes[0] == {"name": "worker0.mycluster.mycompany.com", "weight": 2}
