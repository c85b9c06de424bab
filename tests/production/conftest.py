# The delivery tests' user, journey and recording destination.
from tests.delivery.conftest import alice, destination, journey, pair, recorder  # noqa: F401
