# The local tenant the push talks to.
from tests.assets.conftest import dt  # noqa: F401
