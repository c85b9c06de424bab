from __future__ import annotations

from collections.abc import Iterator

import pytest

from journeys.devtools.dynatrace_receiver import DEFAULT_OAUTH_CLIENTS, DynatraceReceiver
from journeys.sinks.dynatrace.transport import DynatraceSink
from journeys.sinks.http import HttpClient, HttpPolicy

from ..helpers import FakeClock

ACCOUNT_URN = "urn:dtaccount:4f5c8a1e-1111-4222-8333-944455556666"
CLIENT_ID, CLIENT_SECRET = next(iter(DEFAULT_OAUTH_CLIENTS.items()))
TEST_POLICY = HttpPolicy(connect_timeout=1, read_timeout=2, max_attempts=3, backoff=0.01, budget=5)


@pytest.fixture
def dt(clock: FakeClock) -> Iterator[DynatraceReceiver]:
    with DynatraceReceiver(clock=clock) as receiver:
        yield receiver


@pytest.fixture
def make_sink(dt: DynatraceReceiver, clock: FakeClock):
    """A Dynatrace sink pointed at the receiver: classic token by default, ``oauth=True`` for a client."""
    made: list[DynatraceSink] = []

    def make(
        *, oauth: bool = False, policy: HttpPolicy = TEST_POLICY, http: HttpClient | None = None, **config
    ) -> DynatraceSink:
        if oauth:
            secrets = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "account_urn": ACCOUNT_URN}
            config = {"auth_type": "oauth", "token_url": dt.token_url, **config}
        else:
            secrets = {"api_token": dt.api_token}
        sink = DynatraceSink(
            {"environment_url": dt.url, **config}, secrets, http=http or HttpClient(policy), clock=clock
        )
        made.append(sink)
        return sink

    yield make
    for sink in made:
        sink.close()
