"""Writes behind the journey pages: save what the editor built, duplicate a journey, delete one."""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction

from ..engine.jsonformat import spec_to_dict
from ..engine.spec import JourneySpec
from ..models import Journey, Tenant
from ..selectors.journeys import journey_decisions, journey_to_spec
from .decisions import decisions_create
from .journeys import journey_create_from_spec, journey_replace_contents
from .tenancy import audit_record

NAME_MAX_LENGTH = Journey._meta.get_field("name").max_length


@transaction.atomic
def journey_save_from_editor(
    *, journey: Journey | None, actor, spec: JourneySpec, description: str, tenant: Tenant | None = None
) -> Journey:
    """Create the journey (``journey`` None) in ``tenant``, or replace all of its contents: all or nothing."""
    if journey is None:
        return journey_create_from_spec(spec=spec, owner=actor, tenant=tenant, description=description)
    before = spec_to_dict(journey_to_spec(journey), description=journey.description)
    journey_replace_contents(journey=journey, spec=spec, actor=actor)
    if journey.description != description:
        journey.description = description
        journey.save(update_fields=["description", "updated_at"])
    changed = changed_keys(before, spec_to_dict(spec, description=description))
    audit_record(
        actor=actor, tenant=journey.tenant, action="journey.updated", target=journey, details={"changed": changed}
    )
    return journey


def changed_keys(before: dict, after: dict) -> list[str]:
    """The keys whose values differ between two versions of a document (as the journey file names them)."""
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _copy_name(name: str, tenant) -> str:
    taken = set(Journey.objects.filter(tenant=tenant, name__startswith=name[:150]).values_list("name", flat=True))
    for number in range(1, 1000):
        suffix = " (copy)" if number == 1 else f" (copy {number})"
        candidate = name[: NAME_MAX_LENGTH - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    return name


@transaction.atomic
def journey_duplicate(*, journey: Journey, actor, tenant: Tenant | None = None) -> Journey:
    """A draft copy of ``journey`` made by ``actor``, named "<name> (copy)", in ``tenant`` (default: the
    journey's own); ``actor`` must be an editor there."""
    tenant = tenant or journey.tenant
    spec = journey_to_spec(journey)
    copy = replace(spec, name=_copy_name(spec.name, tenant))
    duplicate = journey_create_from_spec(spec=copy, owner=actor, tenant=tenant, description=journey.description)
    # Its decisions keep their settings; where their events go (a destination of the journey's tenant)
    # is chosen again for the copy, as for any new journey.
    decisions_create(journey=duplicate, decisions=[decision for _, decision in journey_decisions(journey)])
    return duplicate


@transaction.atomic
def journey_delete(*, journey: Journey, actor) -> None:
    audit_record(actor=actor, tenant=journey.tenant, action="journey.deleted", target=journey)
    journey.delete()
