# The local tenant the push views talk to.
from tests.assets.conftest import dt  # noqa: F401
