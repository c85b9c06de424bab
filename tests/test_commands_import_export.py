import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from journeys.engine import jsonformat
from journeys.engine.configjs import import_configjs
from journeys.engine.spec import validate
from journeys.models import Journey
from journeys.selectors.journeys import journey_to_spec
from journeys.services.imports import EXAMPLES_DIR

from .imports.malformed import CASES

ROOT = Path(__file__).resolve().parent.parent
RETAIL_JS = ROOT / "journeys" / "examples" / "retail-order-delivery.config.js"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def demo(db):
    return get_user_model().objects.create_user("demo", password="demo")


@pytest.fixture
def bad_config(tmp_path) -> Path:
    text = RETAIL_JS.read_text().replace('"order.packed", 1, 1, 2, false, 1]', '"order.packed", 1, 1, 2]')
    path = tmp_path / "bad.config.js"
    path.write_text(text)
    return path


def test_it_imports_a_config_js_and_prints_the_slug(demo):
    out, err = run("import_journey", str(RETAIL_JS))
    journey = Journey.objects.get()
    assert out == "retail-ecommerce-order-delivery\n" and err == ""
    assert journey.slug == "retail-ecommerce-order-delivery" and journey.owner == demo
    assert journey_to_spec(journey) == import_configjs(RETAIL_JS.read_text())


def test_it_imports_for_another_owner_with_another_volume(demo):
    alice = get_user_model().objects.create_user("alice")
    run("import_journey", str(EXAMPLES_DIR / "card-payment.json"), "--owner", "alice", "--journeys-per-day", "250")
    journey = Journey.objects.get()
    assert journey.owner == alice and journey.journeys_per_day == 250


def test_it_gives_a_second_import_its_own_slug(demo):
    first, _ = run("import_journey", str(RETAIL_JS))
    second, _ = run("import_journey", str(EXAMPLES_DIR / "retail-order-delivery.json"))
    assert (first.strip(), second.strip()) == ("retail-ecommerce-order-delivery", "retail-ecommerce-order-delivery-2")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_it_exports_exactly_what_it_imported(demo, example):
    slug, _ = run("import_journey", str(example))
    exported, _ = run("export_journey", slug.strip())
    assert json.loads(exported) == json.loads(example.read_text())
    assert exported == example.read_text()


def test_it_reports_a_bad_file_by_line_and_saves_nothing(demo, bad_config):
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_journey", str(bad_config), stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert str(caught.value) == (
        f"{bad_config} was not imported: line 25 (PROCESS_STEPS[3]): expected 7 values [prettyName, eventType, "
        "dropPct, minHours, maxHours, loops, maxLoops], got 5"
    )
    assert err.getvalue() == ""
    assert not Journey.objects.exists()


def test_it_saves_nothing_for_a_journey_that_breaks_the_rules(demo, tmp_path):
    data = json.loads((EXAMPLES_DIR / "card-payment.json").read_text())
    data["steps"][2]["drop_off_pct"] = 140
    path = tmp_path / "card.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError) as caught:
        call_command("import_journey", str(path), stdout=StringIO(), stderr=StringIO())
    assert (
        str(caught.value) == f"{path} was not imported: steps[2].drop_off_pct: must be a percentage between 0 and 100"
    )
    assert not Journey.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.json"], "cannot read missing.json: [Errno 2] No such file or directory: 'missing.json'"),
        ([str(RETAIL_JS), "--owner", "nobody"], "no user 'nobody': run `manage.py seed_demo` or pass --owner"),
    ],
)
def test_it_refuses_a_missing_file_or_owner(demo, args, message):
    with pytest.raises(CommandError, match="^" + message.replace("[", r"\[").replace("]", r"\]") + "$"):
        run("import_journey", *args)


def test_it_refuses_to_export_an_unknown_slug(db):
    with pytest.raises(CommandError, match="no journey with the slug 'nope'"):
        run("export_journey", "nope")


def test_it_seeds_the_demo_user_and_every_example_once(db):
    out, _ = run("seed_demo")
    user = get_user_model().objects.get(username="demo")
    assert user.is_staff and user.is_superuser and user.check_password("demo")
    assert Journey.objects.filter(owner=user).count() == len(EXAMPLES)
    assert out.splitlines()[0] == "Created the user demo (password demo, admin)."
    assert "Loaded card-payment.json as payments-card-payment." in out

    again, _ = run("seed_demo")
    assert Journey.objects.count() == len(EXAMPLES)
    assert again.splitlines()[0] == "The user demo already exists: left unchanged."
    assert "Skipped card-payment.json: already loaded as payments-card-payment." in again


def test_it_does_not_reload_an_example_the_user_renamed(db):
    run("seed_demo")
    Journey.objects.filter(slug="payments-card-payment").update(name="My payments", slug="my-payments")
    out, _ = run("seed_demo")
    assert "Skipped card-payment.json: already loaded as my-payments." in out
    assert Journey.objects.count() == len(EXAMPLES)


def test_it_leaves_an_existing_demo_users_password_alone(db):
    get_user_model().objects.create_user("demo", password="changed-by-the-user")
    run("seed_demo")
    assert get_user_model().objects.get(username="demo").check_password("changed-by-the-user")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_it_ships_examples_that_are_valid(example):
    document = jsonformat.loads_document(example.read_text())
    assert validate(document.spec) == []
    assert document.description
    assert 100 <= document.spec.journeys_per_day <= 5000
    assert all(len(host.value) == len("HOST-") + 16 for host in document.spec.hosts)


def test_it_ships_the_retail_example_as_the_reference_config_js_describes_it():
    from_json = jsonformat.loads((EXAMPLES_DIR / "retail-order-delivery.json").read_text())
    from_js = import_configjs((EXAMPLES_DIR / "retail-order-delivery.config.js").read_text(), seed=from_json.seed)
    assert from_js == from_json
    assert (EXAMPLES_DIR / "retail-order-delivery.config.js").read_text() == RETAIL_JS.read_text()


def test_it_ships_one_decision_step_in_the_loan_validation_example():
    spec = jsonformat.loads((EXAMPLES_DIR / "loan-validation.json").read_text())
    assert [step.event_type for step in spec.steps if step.is_decision] == ["loan.decided"]


def test_it_exits_non_zero_from_the_command_line(tmp_path, bad_config):
    env = {**os.environ, "SECRET_KEY": "test-only", "BIZFLOW_VAR_DIR": str(tmp_path)}
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE"):  # the command line's own defaults, in tmp_path
        env.pop(name, None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, capture_output=True)
    done = subprocess.run(
        [*manage, "import_journey", str(bad_config)], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"CommandError: {bad_config} was not imported: line 25 (PROCESS_STEPS[3]): expected 7 values "
        "[prettyName, eventType, dropPct, minHours, maxHours, loops, maxLoops], got 5"
    ]
    for name, text, where in [case for case in CASES if case[0] in ONE_LINE_CASES]:
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        done = subprocess.run([*manage, "import_journey", str(path)], env=env, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 1 and done.stdout == "", name
        (line,) = done.stderr.splitlines()
        assert line.startswith(f"CommandError: {path} was not imported: ") and where in line, line


ONE_LINE_CASES = ("json-nested-100000-deep", "configjs-integer-5000-digits", "workflow-input-null")


@pytest.fixture
def tenants(demo):
    from journeys.services.tenancy import tenant_create
    from tests.members import add_member

    owner = get_user_model().objects.create_user("alice")
    acme, globex, viewed = (tenant_create(name=name, owner=owner) for name in ("Acme", "Globex", "Viewed"))
    add_member(tenant=acme, user=demo, role="editor", actor=owner)
    add_member(tenant=viewed, user=demo, role="viewer", actor=owner)
    return {"acme": acme, "globex": globex, "viewed": viewed}


def test_it_imports_into_the_tenant_named_by_slug(tenants):
    out, _ = run("import_journey", str(EXAMPLES[0]), "--tenant", "acme")

    assert Journey.objects.get(slug=out.strip()).tenant == tenants["acme"]


def test_it_imports_into_the_owners_default_tenant_without_a_slug(tenants):
    out, _ = run("import_journey", str(EXAMPLES[0]))

    assert Journey.objects.get(slug=out.strip()).tenant == tenants["acme"]  # the only one demo may edit in


def test_it_asks_which_tenant_when_the_owner_may_edit_in_several(tenants, demo):
    from tests.members import add_member

    add_member(tenant=tenants["globex"], user=demo, role="owner", actor=tenants["globex"].memberships.get().user)

    with pytest.raises(CommandError, match="may create this in several tenants: say which with --tenant SLUG"):
        run("import_journey", str(EXAMPLES[0]))

    assert not Journey.objects.exists()


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("globex", "no tenant 'globex' that demo is a member of"),
        ("nowhere", "no tenant 'nowhere'"),
        ("viewed", "demo is a viewer of Viewed: importing needs the editor role"),
    ],
)
def test_it_refuses_a_tenant_the_owner_may_not_import_into(tenants, slug, message):
    with pytest.raises(CommandError, match=message):
        run("import_journey", str(EXAMPLES[0]), "--tenant", slug)

    assert not Journey.objects.exists()


def test_it_lists_a_volume_above_the_tenants_cap_as_a_problem(tenants):
    tenants["acme"].journeys_per_day_cap = 1
    tenants["acme"].save()
    out, err = StringIO(), StringIO()

    refusal = "was not imported: journeys_per_day: Acme allows at most 1 journeys per day"
    with pytest.raises(CommandError, match=refusal):
        call_command("import_journey", str(EXAMPLES[0]), "--tenant", "acme", stdout=out, stderr=err)

    assert err.getvalue() == ""
