"""The 34 provinces since the 2025 merger, found by the names officials type.

A province is typed many ways: “Hà Nội”, “ha noi”, “TP Hà Nội”, “Thành phố Hồ Chí Minh”,
“tỉnh Hưng Yên”. Each is reduced to one key (NFC, lower case, no diacritics, đ → d, no
punctuation, without a leading “tỉnh” / “thành phố” / “tp”) and looked up among the names and
aliases of `provinces.yaml`; a province merged away in 2025 (“Thái Bình”) is recognised too,
so the caller can say where it went instead of “unknown”. Pure: the list is data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from dvht_core.calendar_data import load_provinces

_PREFIXES = ("thanh pho ", "tinh ", "tp ")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def province_key(name: str) -> str:
    """The form every comparison uses: “TP. Hồ Chí Minh” and “ho chi minh” give one key."""
    text = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _NOT_WORD.sub(" ", text).strip()
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
    return text.replace(" ", "")


@dataclass(frozen=True, slots=True)
class Found:
    """A typed name: the province it is now (`name`), and `former` when it was a province
    merged into it in 2025 (“Thái Bình” → “Hưng Yên”)."""

    name: str
    former: str | None = None


@cache
def _index() -> dict[str, Found]:
    index: dict[str, Found] = {}
    for province in load_provinces().provinces:
        for typed in (province.name, *province.aliases):
            index[province_key(typed)] = Found(province.name)
    for province in load_provinces().provinces:
        for former in province.merged:
            index.setdefault(province_key(former), Found(province.name, former))
    return index


def find_province(typed: str) -> Found | None:
    """The province a typed name means, or None when it is no province (old or new)."""
    key = province_key(typed)
    return _index().get(key) if key else None


def kept_name(typed: str, found: Found) -> str:
    """What a unit keeps as its province: the official's own spelling when it names a province
    of now with its diacritics (“Thành phố Huế” heads the report as they wrote it), else the
    province's name (“tinh hung yen” → “Hưng Yên”; a province merged in 2025 → the one it is
    part of now)."""
    if found.former is not None:
        return found.name
    bare = unicodedata.normalize("NFD", found.name)
    typed_nfd = unicodedata.normalize("NFD", typed)
    has_marks = any(unicodedata.combining(ch) for ch in typed_nfd) or "đ" in typed.lower()
    needs_marks = any(unicodedata.combining(ch) for ch in bare) or "đ" in found.name.lower()
    return typed if has_marks or not needs_marks else found.name


def province_names() -> tuple[str, ...]:
    """The 34 names, as `provinces.yaml` lists them."""
    return tuple(p.name for p in load_provinces().provinces)


def same_province(a: str, b: str) -> bool:
    """Whether two typed names mean the same province now (a unit stored as “TP Hà Nội” is in
    “Hà Nội”; one stored under a former name is in the province it was merged into)."""
    found_a, found_b = find_province(a), find_province(b)
    if found_a is None or found_b is None:
        return province_key(a) == province_key(b)
    return found_a.name == found_b.name
