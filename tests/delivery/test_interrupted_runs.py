"""A delivery process killed mid-run (SIGKILL: no clean-up at all): its claim lapses, the next run resumes exactly."""

import signal
import subprocess
import time
from dataclasses import replace

import pytest

from journeys.engine.generator import generate, to_epoch_ms

from .conftest import CLUSTERED, T0

BUSY = replace(CLUSTERED, journeys_per_day=200_000)
LOCK_SECONDS = "6"  # long enough for the next tick to start while the claim holds, on a busy machine

SETUP = """
from dataclasses import replace
from django.contrib.auth import get_user_model
from tests.delivery.conftest import CLUSTERED, T0
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.scheduling import journey_activate
from journeys.services.tenancy import tenant_create

user = get_user_model().objects.create_user("alice")
# Above a new tenant's default volume cap, on purpose: a busy journey.
tenant = tenant_create(name="Busy", owner=user, events_per_day_cap=None, journeys_per_day_cap=None)
journey = journey_create_from_spec(spec=replace(CLUSTERED, journeys_per_day=200_000), owner=user, tenant=tenant)
destination = destination_create(owner=user, tenant=tenant, name="Files", kind="file", config={"fsync": False})
pair = destination_attach(journey=journey, destination=destination)
journey_activate(journey=journey, user=user, now=T0)
print(pair.pk, journey.slug)
"""


@pytest.mark.slow
def test_it_resumes_without_duplicates_after_the_worker_is_killed(sandbox):
    pair_id, slug = sandbox.python(SETUP).split()
    progress = "SELECT cursor_ms, origin_ms, backfill_until_ms FROM journeys_journeydestination WHERE id = ?"
    env = {**sandbox.env, "BIZFLOW_RUN_LOCK_SECONDS": LOCK_SECONDS}
    doomed = subprocess.Popen(sandbox.command("tick", "--now", T0.isoformat()), env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        cursor, origin, until = sandbox.query(progress, pair_id)[0]
        if cursor > origin + 3_600_000:  # at least an hour of events written and saved: pull the plug
            doomed.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    assert doomed.wait() == -signal.SIGKILL
    cursor_at_kill, origin, until = sandbox.query(progress, pair_id)[0]
    assert cursor_at_kill < until, "the run finished before it could be killed"

    while_held = sandbox.manage("tick", "--now", T0.isoformat(), env=env)
    time.sleep(float(LOCK_SECONDS) + 0.5)
    after_lapse = sandbox.manage("tick", "--now", T0.isoformat(), env=env)

    assert ": 0 runs" in while_held  # the dead run's claim still held the pair
    assert ": 1 runs" in after_lapse and "0 with errors" in after_lapse
    files = sorted((sandbox.var / "events" / "tenants").glob(f"*/{slug}/*.ndjson"))
    written = b"".join(path.read_bytes() for path in files)
    expected = b"".join(batch.data for batch in generate(BUSY, origin, to_epoch_ms(T0) + 1, origin))
    assert len(expected) > 10_000_000
    assert written == expected  # byte for byte: nothing lost, nothing twice, in order
    outcomes = sandbox.query("SELECT outcome, error, delivered FROM journeys_run ORDER BY id")
    # The killed run keeps what it saved with each batch, and delivered something: partial, not failed.
    assert outcomes[0][:2] == ("partial", "interrupted: the run stopped before it finished")
    assert outcomes[0][2] > 0
    assert outcomes[-1][0] == "success"
