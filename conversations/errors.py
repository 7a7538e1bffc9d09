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
    """The database could not be used (it did not answer after a retry, or it is unusable:
    read-only, damaged, refused); nothing was written. Its subclasses are the cases the user
    is told apart."""


class StorageBusy(StorageUnavailable):
    """Another writer held the database for longer than the bounded wait; nothing was written
    and sending the message again later will work."""


class StorageFull(StorageUnavailable):
    """The database server has no storage space left; nothing was written."""
