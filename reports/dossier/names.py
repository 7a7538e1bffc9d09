"""File names inside the dossier's ZIP that every office computer can open.

Offices unpack the ZIP on Windows, so each name must be one Windows accepts (no <>:"/\\|?*,
no control characters, no trailing dot or space, not a reserved device name such as CON or
COM1, whatever the extension) and names must differ case-insensitively, since NTFS folds
case. Names are ASCII too: the ZIP's UTF-8 flag is ignored by older unpackers, which then
show Vietnamese names as mojibake.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 100
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{n}" for n in range(10)} | {f"LPT{n}" for n in range(10)}
)
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_part(text: str) -> str:
    """`text` as ASCII letters, digits, dots, hyphens and underscores (“Đ” → “D”, diacritics
    dropped, anything else a hyphen), without leading or trailing dots and hyphens."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NOT_ALLOWED.sub("-", plain).strip(".-_ ")


def safe_name(stem: str, extension: str) -> str:
    """A Windows-safe `stem.extension`, at most `MAX_NAME` characters."""
    # Cut before it is stripped: “0000000ﬀ.0” becomes “0000000ff.0”, whose first ten
    # characters end in a dot Windows drops.
    ext = ascii_part(extension).lower()[:10].rstrip(".-_ ") or "bin"
    base = ascii_part(stem) or "tep"
    base = base[: MAX_NAME - len(ext) - 1].rstrip(".-_ ") or "tep"
    if base.split(".")[0].upper() in _RESERVED:
        base = f"_{base}"
    return f"{base}.{ext}"


class NameBook:
    """Hands out names unique case-insensitively: a clash gets `-2`, `-3`… before the
    extension (still within `MAX_NAME`)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, stem: str, extension: str) -> str:
        name = safe_name(stem, extension)
        base, _, ext = name.rpartition(".")
        number = 2
        while name.lower() in self._taken:
            suffix = f"-{number}"
            name = safe_name(base[: MAX_NAME - len(ext) - 1 - len(suffix)] + suffix, ext)
            number += 1
        self._taken.add(name.lower())
        return name


def is_windows_safe(name: str) -> bool:
    """The checks above, as a predicate (the tests' oracle)."""
    if not name or len(name) > MAX_NAME or not name.isascii():
        return False
    if any(ch in '<>:"/\\|?*' or ord(ch) < 32 for ch in name):
        return False
    if name[-1] in ". ":
        return False
    return name.split(".")[0].upper() not in _RESERVED
