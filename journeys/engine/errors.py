"""The error every importer raises, so callers handle JSON and config.js files the same way."""

from __future__ import annotations

from .spec import InvalidJourney, SpecError


class JourneyImportError(InvalidJourney):
    """A journey file that cannot be imported; ``errors`` says where, one entry per problem.

    It is an :class:`InvalidJourney`, so code that already reports validation errors reports
    import errors the same way.
    """

    def __init__(self, errors: list[SpecError]):
        super().__init__(errors)


def fail(path: str, message: str) -> JourneyImportError:
    return JourneyImportError([SpecError(path, message)])
