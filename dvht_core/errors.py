"""Typed domain errors; the adapters turn them into one Vietnamese sentence for the user."""

from __future__ import annotations


class DvhtError(Exception):
    """Base of every error the core raises on purpose."""


class RulebookError(DvhtError):
    """A rulebook file is missing or does not validate (a developer error, caught by tests)."""


class InputError(DvhtError):
    """Input that cannot be evaluated: `field` says where, `message` why (in Vietnamese)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
