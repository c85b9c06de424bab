# The delivery tests' user, journey and recording destination.
from tests.delivery.conftest import alice, destination, journey, migrated_db, pair, recorder, sandbox  # noqa: F401
