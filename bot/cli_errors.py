"""The one error type of the command line."""

from __future__ import annotations


class CliError(Exception):
    """A user-facing CLI failure: printed as one line, exit status 2."""
