"""System programs some tests need, found or explained.

`make setup` installs them where it may (poppler-utils through apt-get when run as root). A
test that needs one which is missing is skipped on a developer's machine, with the reason and
the fix, and fails in CI (the `CI` environment variable is set there, as by `.ci/run`), so a
missing dependency can never hide behind a skip where the suite is meant to be complete.
"""

from __future__ import annotations

import os
import shutil

import pytest


def require(program: str, package: str) -> str:
    """The path of `program`; else skip the test (fail it in CI) naming the package."""
    found = shutil.which(program)
    if found:
        return found
    reason = (
        f"{program} is not installed: `make setup` installs {package} when run as root, "
        f"or run `apt-get install {package}`"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the test cannot be skipped there)")
    pytest.skip(reason)
