# The receiver and client fixtures the asset tests use: a tenant to probe.
from tests.assets.conftest import client, dt, token_client  # noqa: F401
