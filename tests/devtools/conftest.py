from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from journeys.devtools.dynatrace_receiver import DynatraceReceiver

from .receiver_helpers import NOW, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def dt(clock: FakeClock) -> Iterator[DynatraceReceiver]:
    with DynatraceReceiver(clock=clock) as receiver:
        yield receiver


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
