"""A PostgreSQL database of a test's own on the machine's server (127.0.0.1:5432, trust auth).

The tests that need one are skipped, saying why, when the server does not answer.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest

SERVER = "postgres://postgres@127.0.0.1:5432"


def _connect(dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(f"{SERVER}/{dbname}", connect_timeout=3, autocommit=True)


@contextmanager
def postgres_database(purpose: str):
    """Create ``bizflow_test_<purpose>_<random>``, yield its URL, drop it afterwards."""
    import psycopg

    try:
        admin = _connect()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 ({str(exc).strip().splitlines()[0]})")
    name = f"bizflow_test_{purpose}_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{SERVER}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str, *params) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as connection:
        return connection.execute(sql, params).fetchall()
