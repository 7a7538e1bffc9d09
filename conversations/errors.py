"""Errors the storage ports raise; the dialogue engine turns each into one Vietnamese sentence."""

from __future__ import annotations

from dvht_core.errors import DvhtError


class AccessDenied(DvhtError):
    """The caller's role or unit does not allow this action."""


class NotFound(DvhtError):
    """No such unit, assessment or record (or not visible to the caller)."""


class InviteInvalid(DvhtError):
    """An invite code that is unknown, expired, revoked or used up; `reason` says which."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class StaleState(DvhtError):
    """A conversation state saved from an older version: someone else saved first."""


class StorageUnavailable(DvhtError):
    """The database did not answer after a retry; nothing was written."""
