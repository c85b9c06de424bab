from __future__ import annotations

from collections.abc import Iterator

import pytest

from .helpers import FakeClock, ScriptedServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.stop()


@pytest.fixture
def no_sleep() -> list[float]:
    """Pass ``sleep=no_sleep.append`` to an HttpClient: pauses are recorded, not waited."""
    return []
