"""Every page that names a journey, a destination or a tenant, from every side, with GET and POST.

alice owns Acme, bob edits in it, victor views it, charlie is outside it. For each URL pattern of
journeys/urls.py that takes a journey slug, a destination id or a tenant slug, ``RULES`` says which
role each method needs (or that the view does not take the method). The matrix then checks:

- a member with the role gets an answer (2xx or a redirect), a member below it 403;
- charlie gets exactly what a journey, destination or tenant that does not exist gets (404, or 405
  for a method the view never takes): nothing tells him it exists;
- someone logged out is sent to log in.

A URL pattern added without a line in ``RULES`` fails ``test_it_has_a_rule_for_every_guarded_url``,
naming the pattern: a new view cannot forget the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, reverse

from journeys import urls as journey_urls
from journeys.models import Membership
from journeys.selectors.assets import BIZFLOW_FILE
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.imports import journey_import_text
from journeys.services.tenancy import invitation_create, tenant_create
from tests.members import add_member

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parent.parent / "journeys" / "examples" / "travel-booking.json"
VIEWER, EDITOR, OWNER = Membership.Role.VIEWER, Membership.Role.EDITOR, Membership.Role.OWNER
GUARDED_PARAMETERS = {"slug", "pk", "invitation_id"}  # a journey's or tenant's slug, a destination's id


@dataclass(frozen=True)
class Rule:
    get: str | None  # the role GET needs; None: the view does not take GET (405 for everyone)
    post: str | None
    post_data: dict = field(default_factory=dict)


RULES: dict[str, Rule] = {
    # The journey pages.
    "journey_edit": Rule(get=VIEWER, post=EDITOR, post_data={"_action": "save"}),
    "journey_preview": Rule(get=VIEWER, post=None),
    "journey_export": Rule(get=VIEWER, post=None),
    "journey_event_log": Rule(get=VIEWER, post=None),
    "journey_duplicate": Rule(get=EDITOR, post=EDITOR),
    "journey_delete": Rule(get=EDITOR, post=EDITOR),
    # Delivery.
    "journey_delivery": Rule(get=VIEWER, post=None),
    "journey_send_now": Rule(get=None, post=EDITOR),
    "journey_activate": Rule(get=None, post=EDITOR),
    "journey_pause": Rule(get=None, post=EDITOR),
    "journey_resume": Rule(get=None, post=EDITOR),
    "journey_destination_attach": Rule(get=None, post=EDITOR, post_data={"destination": "{spare}"}),
    "journey_destination_detach": Rule(get=EDITOR, post=EDITOR),
    "destination_edit": Rule(get=OWNER, post=OWNER, post_data={"name": ""}),
    "destination_restart": Rule(get=None, post=EDITOR),
    # Dynatrace assets.
    "journey_assets": Rule(get=VIEWER, post=None),
    "journey_assets_push": Rule(get=None, post=EDITOR, post_data={"destination": "{dynatrace}"}),
    "journey_assets_download": Rule(get=VIEWER, post=None),
    # The team page.
    "team_tenant": Rule(get=VIEWER, post=None),
    "team_member_add": Rule(get=None, post=OWNER, post_data={"username": "dora", "role": "viewer"}),
    "team_member_role": Rule(get=None, post=OWNER, post_data={"role": "editor"}),
    "team_member_remove": Rule(get=OWNER, post=OWNER),
    "team_invitation_cancel": Rule(get=None, post=OWNER),
    # The journey page's extras: decision settings, Dynatrace pushes and tenant checks, connection tests.
    "decision_settings_edit": Rule(get=VIEWER, post=EDITOR, post_data={"_action": "save"}),
    "journey_delivery_push": Rule(get=None, post=EDITOR),
    "journey_destination_probe": Rule(get=None, post=EDITOR),
    "destination_test_connection": Rule(get=None, post=EDITOR),
}
# An invitation is answered by its invitee alone (dora, invited to Acme): to everyone else, members
# and owners of the tenant included, it does not exist.
INVITEE_URLS = {"team_invitation_accept", "team_invitation_decline"}
# These take the journey's Dynatrace pair rather than its file pair.
DYNATRACE_PAIR_URLS = {"journey_delivery_push", "journey_destination_probe"}
RANK = {None: -1, VIEWER: 0, EDITOR: 1, OWNER: 2}
ROLES = {"alice": OWNER, "bob": EDITOR, "victor": VIEWER, "charlie": None}


def guarded_patterns() -> dict[str, URLPattern]:
    found = {}
    for pattern in journey_urls.urlpatterns:
        if GUARDED_PARAMETERS & set(pattern.pattern.converters):
            found[pattern.name] = pattern
    return found


@pytest.fixture
def world():
    names = ("alice", "bob", "victor", "charlie", "dora")
    users = {name: User.objects.create_user(name) for name in names}
    acme = tenant_create(name="Acme", owner=users["alice"])
    add_member(tenant=acme, user=users["bob"], role=EDITOR, actor=users["alice"])
    add_member(tenant=acme, user=users["victor"], role=VIEWER, actor=users["alice"])
    tenant_create(name="Charlie Corp", owner=users["charlie"])  # charlie is an owner, elsewhere
    journey = journey_import_text(text=EXAMPLE.read_text(), owner=users["alice"], tenant=acme)
    owner = users["alice"]
    files = destination_create(owner=owner, tenant=acme, name="Files", kind="file", config={})
    spare = destination_create(owner=owner, tenant=acme, name="Spare", kind="file", config={})
    dynatrace = destination_create(
        owner=owner,
        tenant=acme,
        name="Tenant",
        kind="dynatrace",
        config={"environment_url": "https://abc12345.live.dynatrace.com", "auth_type": "api_token"},
        secrets={"api_token": "matrix-token-value"},
    )
    pair = destination_attach(journey=journey, destination=files)
    dynatrace_pair = destination_attach(journey=journey, destination=dynatrace)
    decision = journey.steps.get(position=1)
    decision.is_decision = True
    decision.save(update_fields=["is_decision"])
    invitation = invitation_create(tenant=acme, user=users["dora"], role=OWNER, actor=users["alice"])
    return {
        **users,
        "invitation": invitation,
        "tenant": acme,
        "journey": journey,
        "destination": files,
        "pair": pair,
        "spare": spare,
        "dynatrace": dynatrace,
        "dynatrace_pair": dynatrace_pair,
        "decision_type": decision.event_type,
    }


def url_for(name: str, world: dict, *, missing: bool = False) -> str:
    """The pattern's URL for Acme's things, or (``missing``) for a journey/destination/tenant that does not exist."""
    converters = guarded_patterns()[name].pattern.converters
    kwargs = {}
    if "slug" in converters:
        real = world["tenant"].slug if name.startswith("team_") else world["journey"].slug
        kwargs["slug"] = "no-such-thing" if missing else real
    if "pk" in converters:
        kwargs["pk"] = 999_999 if missing else world["destination"].pk
    if "pair_id" in converters:
        kwargs["pair_id"] = world["dynatrace_pair" if name in DYNATRACE_PAIR_URLS else "pair"].pk
    if "event_type" in converters:
        kwargs["event_type"] = world["decision_type"]
    if "user_id" in converters:
        kwargs["user_id"] = world["victor"].pk
    if "invitation_id" in converters:
        kwargs["invitation_id"] = 999_999 if missing else world["invitation"].pk
    if "filename" in converters:
        kwargs["filename"] = BIZFLOW_FILE
    return reverse(name, kwargs=kwargs)


def post_data(rule: Rule, world: dict) -> dict:
    return {
        key: str(world[value[1:-1]].pk) if value.startswith("{") else value for key, value in rule.post_data.items()
    }


def answer(client, method: str, url: str, data: dict):
    return client.get(url) if method == "GET" else client.post(url, data)


def test_it_has_a_rule_for_every_guarded_url():
    missing = sorted(set(guarded_patterns()) - set(RULES) - INVITEE_URLS)
    stale = sorted((set(RULES) | INVITEE_URLS) - set(guarded_patterns()))

    assert not missing, f"no access rule for {missing}: add each to RULES in {__name__} with the role it needs"
    assert not stale, f"RULES names URL patterns that are gone: {stale}"


CASES = [
    pytest.param(name, method, who, id=f"{name}-{method}-{who}")
    for name in RULES
    for method in ("GET", "POST")
    for who in ROLES
]


@pytest.mark.parametrize(("name", "method", "who"), CASES)
def test_it_applies_the_role_rules(client, world, name, method, who):
    rule = RULES[name]
    needed = rule.get if method == "GET" else rule.post
    client.force_login(world[who])
    data = post_data(rule, world)

    response = answer(client, method, url_for(name, world), data)

    role = ROLES[who]
    if needed is None:
        assert response.status_code == 405, f"{name} should not take {method}"
    elif role is None:
        nowhere = answer(client, method, url_for(name, world, missing=True), data)
        assert response.status_code == nowhere.status_code == 404
        assert world["tenant"].name not in response.content.decode()
    elif RANK[role] >= RANK[needed]:
        assert response.status_code < 400, f"{who} ({role}) should be able to {method} {name}"
    else:
        assert response.status_code == 403, f"{who} ({role}) should not be able to {method} {name}"


@pytest.mark.parametrize("name", list(RULES))
def test_it_sends_someone_logged_out_to_log_in(client, world, name):
    rule = RULES[name]
    for method, needed in (("GET", rule.get), ("POST", rule.post)):
        if needed is None:
            continue
        response = answer(client, method, url_for(name, world), post_data(rule, world))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def _page_text(response) -> str:
    """A page without what differs between two answers anyway (CSRF tokens, script nonces)."""
    return re.sub(r"[A-Za-z0-9+/_-]{22,}={0,2}", "", response.content.decode())


@pytest.mark.parametrize("name", sorted(INVITEE_URLS))
@pytest.mark.parametrize("who", [*ROLES, "dora"])
def test_it_lets_only_the_invitee_answer_an_invitation(client, world, name, who):
    client.force_login(world[who])

    got = client.get(url_for(name, world))
    response = client.post(url_for(name, world))
    nowhere = client.post(url_for(name, world, missing=True))

    assert got.status_code == 405
    if who == "dora":
        assert response.status_code == 302
    else:
        assert response.status_code == nowhere.status_code == 404
        # The page for someone else's invitation is the page for no invitation at all: it tells nothing.
        assert _page_text(response) == _page_text(nowhere)
        assert world["tenant"].invitations.filter(user=world["dora"]).exists()


@pytest.mark.parametrize("name", sorted(INVITEE_URLS))
def test_it_sends_someone_logged_out_to_log_in_before_answering(client, world, name):
    response = client.post(url_for(name, world))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
