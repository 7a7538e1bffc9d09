"""The `dvht` fixture of the command-line tests (the CLI in-process on the test database)."""

from tests.cli.test_cli_db import dvht  # noqa: F401 - a fixture, found by name
