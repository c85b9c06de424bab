"""Every malformed file is a JourneyImportError that names where, never another exception."""

import pytest

from journeys.engine.errors import JourneyImportError
from journeys.engine.importing import read_journey_text

from ..imports.malformed import CASES


@pytest.mark.parametrize(("text", "where"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_it_refuses_each_malformed_file_saying_where(text, where):
    with pytest.raises(JourneyImportError) as caught:
        read_journey_text(text)
    messages = [str(error) for error in caught.value.errors]
    assert any(where in message for message in messages), messages
