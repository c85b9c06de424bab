"""Destinations: create and edit them, attach them to journeys, and the demo's default one."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import Destination, Journey, JourneyDestination, Tenant
from ..sinks import KINDS
from ..sinks.base import DeliveryError
from .delivery import pair_start
from .scheduling import journey_activate
from .sinks import destination_sink
from .tenancy import Role, audit_record, ensure_can_create_in, tenant_default_for_user

DEMO_DESTINATION_NAME = "Local files"


def _clean_secrets(secrets: dict | None) -> dict:
    return {key: value for key, value in (secrets or {}).items() if value not in (None, "")}


@transaction.atomic
def destination_create(
    *, owner, name: str, kind: str, config: dict, secrets: dict | None = None, tenant: Tenant | None = None
) -> Destination:
    """A destination of ``tenant``, made by ``owner``, who must own that tenant: credentials are the owners'.

    Without ``tenant``: the only tenant ``owner`` owns (several raise ``TenantChoiceNeeded``).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown destination kind {kind!r}")
    tenant = tenant or tenant_default_for_user(owner, role=Role.OWNER)
    ensure_can_create_in(user=owner, tenant=tenant, role=Role.OWNER)
    destination = Destination.objects.create(
        tenant=tenant, owner=owner, name=name, kind=kind, config=config, secrets=_clean_secrets(secrets)
    )
    audit_record(actor=owner, tenant=tenant, action="destination.created", target=destination, details={"kind": kind})
    return destination


# Where a destination sends: a secret is meant for the address it was entered with, so it never follows
# a change of any of these (webhook URL; Dynatrace environment and SSO token URL; Kafka brokers).
ADDRESS_KEYS = ("url", "environment_url", "token_url", "bootstrap_servers")


def destination_address_changed(*, destination: Destination, config: dict) -> list[str]:
    """The address settings ``config`` changes from what ``destination`` has stored (empty: none)."""
    old = destination.config or {}
    return [key for key in ADDRESS_KEYS if (old.get(key) or "") != (config.get(key) or "")]


def _changes(destination: Destination, name: str, config: dict, secrets: dict) -> dict:
    """What an update changes, for the audit log: setting names, and secrets by name only."""
    old_config, old_secrets = destination.config or {}, destination.secrets or {}
    changed = sorted(key for key in set(old_config) | set(config) if old_config.get(key) != config.get(key))
    if destination.name != name:
        changed = sorted([*changed, "name"])
    details = {"changed": changed}
    details["secrets_set"] = sorted(key for key in secrets if key not in old_secrets)
    details["secrets_replaced"] = sorted(
        key for key in secrets if key in old_secrets and secrets[key] != old_secrets[key]
    )
    details["secrets_removed"] = sorted(key for key in old_secrets if key not in secrets)
    return {key: value for key, value in details.items() if value}


@transaction.atomic
def destination_update(
    *,
    destination: Destination,
    name: str,
    config: dict,
    secrets: dict | None = None,
    secrets_reentered: bool = False,
    actor=None,
) -> Destination:
    """Save new settings. ``secrets`` (when given) is the whole new set: a kind's settings form keeps a
    stored secret the user left empty, and drops one that no longer applies.

    When the address changes (see ``ADDRESS_KEYS``), stored secrets do not come along: a secret given
    with the same value as the stored one is dropped, unless the caller says the user entered them
    again (``secrets_reentered``); with ``secrets`` None they are all cleared.

    A stopped destination starts again: the user has changed what made it fail.
    """
    stored = dict(destination.secrets or {})
    new_secrets = stored if secrets is None else _clean_secrets(secrets)
    if destination_address_changed(destination=destination, config=config) and not secrets_reentered:
        new_secrets = {key: value for key, value in new_secrets.items() if stored.get(key) != value}
    # The audit names what changed: settings and secrets by name, never a secret's value.
    details = _changes(destination, name, config, new_secrets)
    destination.name = name
    destination.config = config
    destination.secrets = new_secrets
    destination.stopped_reason = ""
    destination.stopped_at = None
    destination.save()
    audit_record(
        actor=actor, tenant=destination.tenant, action="destination.updated", target=destination, details=details
    )
    return destination


def destination_check(*, destination: Destination) -> tuple[bool, str]:
    """Try the destination's connection with its kind's own check: (whether it works, what was found).

    Each kind says what it can tell: a file folder that is not writable; a Dynatrace tenant that is
    unreachable, rejects the token or lacks a scope; Kafka brokers out of reach, refusing the
    credentials or without the topic. Nothing is delivered.
    """
    try:
        sink = destination_sink(destination=destination)
    except DeliveryError as exc:
        return False, exc.message
    except Exception as exc:  # noqa: BLE001 - settings the kind cannot work with: say so, as a run would
        return False, f"cannot set up the destination: {exc}"
    try:
        return True, sink.check()
    except DeliveryError as exc:
        return False, exc.message
    finally:
        sink.close()


def destination_restart(*, destination: Destination) -> Destination:
    """Clear a stop, to try again as it is (after fixing the other side: a token's scope, a topic)."""
    Destination.objects.filter(pk=destination.pk).update(stopped_reason="", stopped_at=None)
    destination.refresh_from_db()
    return destination


@transaction.atomic
def destination_attach(
    *, journey: Journey, destination: Destination, now: datetime | None = None, actor=None
) -> JourneyDestination:
    """Deliver ``journey`` to ``destination`` too; an active journey starts its backfill at once.

    Attaching again switches a detached pair back on where it left off.
    """
    if destination.tenant_id != journey.tenant_id:
        raise ValueError("a journey can only deliver to its own tenant's destinations")
    pair, created = JourneyDestination.objects.get_or_create(journey=journey, destination=destination)
    switched_on = created or not pair.active
    if not pair.active:
        pair.active = True
        pair.save(update_fields=["active"])
    if switched_on:  # attaching a pair that already delivers changes nothing and records nothing
        details = {"destination": destination.name, "kind": destination.kind}
        audit_record(actor=actor, tenant=journey.tenant, action="destination.attached", target=journey, details=details)
    if journey.state == Journey.State.ACTIVE:
        pair = pair_start(pair=pair, now=now or timezone.now())
    return pair


@transaction.atomic
def destination_detach(*, journey_destination: JourneyDestination, actor=None) -> None:
    """Stop delivering this journey there; its progress is kept in case it is attached again."""
    if not JourneyDestination.objects.filter(pk=journey_destination.pk, active=True).update(active=False):
        return  # already detached: nothing changed, nothing to record
    destination = journey_destination.destination
    journey = journey_destination.journey
    details = {"destination": destination.name, "kind": destination.kind}
    audit_record(actor=actor, tenant=journey.tenant, action="destination.detached", target=journey, details=details)


@transaction.atomic
def demo_destination_ensure(user, *, now: datetime | None = None) -> Destination:
    """The demo's file destination (files in the tenant's folder), attached to every journey of ``user``'s tenant.

    Journeys still in draft are activated, so ``make run`` shows events arriving; a journey the user
    paused stays paused. Safe to run again.
    """
    tenant = tenant_default_for_user(user)
    destination = Destination.objects.filter(tenant=tenant, kind="file", name=DEMO_DESTINATION_NAME).first()
    if destination is None:
        destination = destination_create(owner=user, tenant=tenant, name=DEMO_DESTINATION_NAME, kind="file", config={})
    for journey in Journey.objects.filter(tenant=tenant):
        destination_attach(journey=journey, destination=destination, now=now, actor=user)
        if journey.state == Journey.State.DRAFT:
            journey_activate(journey=journey, user=user, now=now)
    return destination
