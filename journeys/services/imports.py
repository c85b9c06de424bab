"""Whole journeys in and out: import a file, export a document, load the demo journeys.

The management commands and the web views both call these, so a file imported either way gives
the same journey and the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from ..engine.errors import JourneyImportError
from ..engine.importing import detect_format, read_journey_text
from ..engine.jsonformat import JourneyDocument, document_to_dict, dumps_document, loads_document
from ..engine.spec import InvalidJourney
from ..models import Journey, Tenant
from ..selectors.journeys import journey_decisions, journey_to_spec
from .decisions import decisions_create
from .journeys import journey_create_from_spec
from .tenancy import tenant_create

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"
DEMO_TENANT_SLUG = "demo-team"


@transaction.atomic
def _journey_create_from_document(*, document: JourneyDocument, owner, tenant, audit: dict | None = None) -> Journey:
    """The journey a file holds, with the settings of its decision steps (``audit``: an import's details)."""
    imported = {"audit_action": "journey.imported", "audit_details": audit} if audit is not None else {}
    journey = journey_create_from_spec(
        spec=document.spec, owner=owner, tenant=tenant, description=document.description, **imported
    )
    decisions_create(journey=journey, decisions=document.decisions)
    return journey


def journey_import_text(
    *, text: str, owner, journeys_per_day: float | None = None, tenant=None, event_provider: str = ""
) -> Journey:
    """Create a journey for ``owner`` from a JSON or config.js file's text, with the decision settings
    its decision steps hold (and ``event_provider``, when given, in place of the file's).

    Raises :class:`~journeys.engine.errors.JourneyImportError` (nothing is saved) when the file
    cannot be read or describes an invalid journey.
    """
    document = read_journey_text(text, journeys_per_day=journeys_per_day)
    if event_provider:
        document = replace(document, spec=replace(document.spec, event_provider=event_provider))
    try:
        return _journey_create_from_document(
            document=document, owner=owner, tenant=tenant, audit={"format": detect_format(text)}
        )
    except InvalidJourney as exc:  # e.g. a volume above the tenant's cap: reported like the file's own problems
        if isinstance(exc, JourneyImportError):
            raise
        raise JourneyImportError(exc.errors) from exc


def _export_document(journey: Journey) -> JourneyDocument:
    decisions = tuple(decision for _, decision in journey_decisions(journey))
    return JourneyDocument(journey_to_spec(journey), journey.description, decisions)


def journey_export_dict(journey: Journey) -> dict[str, Any]:
    """The journey as a journey file holds it, its decision steps' settings included."""
    return document_to_dict(_export_document(journey))


def journey_export_json(journey: Journey) -> str:
    return dumps_document(_export_document(journey))


@dataclass
class DemoSeedResult:
    user_created: bool
    imported: list[tuple[str, str]] = field(default_factory=list)  # (example file, new journey's slug)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (example file, existing journey's slug)


def _existing_example(tenant, document_spec) -> Journey | None:
    # Matching on the provider too means a demo journey the user renamed is not loaded a second time.
    match = Q(event_provider=document_spec.event_provider) | Q(slug=slugify(document_spec.name)[:200])
    return Journey.objects.filter(tenant=tenant).filter(match).first()


@transaction.atomic
def demo_seed(*, examples_dir: Path = EXAMPLES_DIR) -> DemoSeedResult:
    """Create the demo user (an admin, so the admin site works) and load every example it lacks.

    Safe to run again: an existing demo user is left as it is (its password included), and an
    example is skipped when the user already has a journey with its provider or slug.
    """
    users = get_user_model().objects
    user = users.filter(username=DEMO_USERNAME).first()
    result = DemoSeedResult(user_created=user is None)
    if user is None:
        user = users.create_superuser(DEMO_USERNAME, email="", password=DEMO_PASSWORD)
    tenant = Tenant.objects.filter(slug=DEMO_TENANT_SLUG).first() or tenant_create(name="Demo team", owner=user)
    for path in sorted(examples_dir.glob("*.json")):
        document = loads_document(path.read_text(encoding="utf-8"))
        existing = _existing_example(tenant, document.spec)
        if existing is not None:
            result.skipped.append((path.name, existing.slug))
            continue
        journey = _journey_create_from_document(document=document, owner=user, tenant=tenant)
        result.imported.append((path.name, journey.slug))
    return result
