"""Reading an official's typed answer: yes/no, counts (“27”, “27/30”, “90%”), option numbers.

Pure functions; every refusal is one Vietnamese sentence from the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from unidecode import unidecode

from conversations import buttons, matching, vocabulary
from conversations import catalogue as say
from dvht_core.text_hygiene import REPLACEMENT, has_lone_surrogate, visible_text

MAX_MEMBERS = 1_000_000
MAX_FREE_TEXT = 1_000


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: “Chưa  Đạt” → “chua dat”."""
    return " ".join(unidecode(text).lower().split())


_YES_NO = matching.options(
    [
        ("y", vocabulary.phrases(("value", "y"))),
        ("n", vocabulary.phrases(("value", "n"))),
    ]
)


def yes_no(text: str) -> bool | None:
    """Yes or no in an official's words (“đạt rồi”, “chưa”, “không đạt”, “đúng”), when the
    words say it for sure; None otherwise (never a guess: the caller asks again)."""
    said = matching.match(text, _YES_NO)
    return None if not isinstance(said, str) else said == "y"


@dataclass(frozen=True, slots=True)
class Count:
    value: int


@dataclass(frozen=True, slots=True)
class NeedsConfirmation:
    """A percentage that is not a whole number of people: propose the nearest count."""

    value: int
    exact: Fraction
    percent: str


@dataclass(frozen=True, slots=True)
class Refused:
    message: str


_NUMBER = r"(-?\d{1,9})"
_FRACTION = re.compile(rf"^{_NUMBER}\s*/\s*{_NUMBER}(\s*(nguoi|thanh vien|tv))?$")
_PLAIN = re.compile(rf"^{_NUMBER}(\s*(nguoi|thanh vien|tv|nguoi hoc))?$")
_PERCENT = re.compile(r"^(-?\d{1,3}(?:[.,]\d{1,4})?)\s*%$")


def count(text: str, *, total: int, what: str) -> Count | NeedsConfirmation | Refused:
    """How many of `total` people meet an indicator, from “27”, “27/30” or “90%”."""
    folded = fold(text)
    if not folded:
        return Refused(say.EMPTY_NUMBER)
    match = _FRACTION.match(folded)
    if match:
        number, denominator = int(match.group(1)), int(match.group(2))
        if denominator != total:
            return Refused(say.wrong_denominator(denominator, total, what))
        return _bounded(number, total, what)
    match = _PLAIN.match(folded)
    if match:
        return _bounded(int(match.group(1)), total, what)
    match = _PERCENT.match(folded)
    if match:
        percent = Fraction(match.group(1).replace(",", "."))
        if percent < 0 or percent > 100:
            return Refused(say.bad_percent(match.group(1)))
        exact = percent * total / 100
        if exact.denominator == 1:
            return Count(int(exact))
        nearest = round(exact)  # banker's rounding never matters here: we ask to confirm
        return NeedsConfirmation(int(nearest), exact, match.group(1).replace(".", ","))
    if re.search(r"\d", folded) and "," in folded:
        return Refused(say.NOT_WHOLE)
    if re.fullmatch(r"-?\d+[.,]\d+", folded):
        return Refused(say.NOT_WHOLE)
    return Refused(say.not_a_number(what))


def _bounded(number: int, total: int, what: str) -> Count | Refused:
    if number < 0:
        return Refused(say.NEGATIVE)
    if number > total:
        return Refused(say.above_total(number, total, what))
    return Count(number)


def positive_total(text: str, *, what: str) -> int | Refused:
    """A unit's total (members or learners): a whole number from 1 up."""
    folded = fold(text)
    match = _PLAIN.match(folded)
    if not match:
        return Refused(say.total_not_a_number(what))
    number = int(match.group(1))
    if number < 1:
        return Refused(say.total_too_small(what))
    if number > MAX_MEMBERS:
        return Refused(say.total_too_large(what))
    return number


def choose(text: str, options: tuple[tuple[str, str], ...]) -> str | None:
    """The option picked by its number (“2”, as the numbered list shows it: navigation has no
    number) or its label typed back (with or without marks)."""
    folded = fold(text).strip(" .")
    if folded.isdigit() and len(folded) <= 3:
        return buttons.option_numbers(options).get(int(folded))
    for option_id, label in options:
        if fold(label) == folded:
            return option_id
    return None


def option_number(text: str) -> int | None:
    """A typed option number (“3”, “3.”), whatever the options are."""
    folded = fold(text).strip(" .")
    return int(folded) if folded.isdigit() and len(folded) <= 3 else None


def free_text(text: str, *, nothing: str | None = None) -> str | Refused:
    """A name, reference or description: what is visible of it (NFC, single-spaced, without
    the invisible characters of `dvht_core.text_hygiene`), not empty, not a novel.

    A right-to-left override or zero-width spaces would otherwise be stored and printed in the
    signed report, where they can make a name read differently from what was typed.
    `nothing` is the refusal when nothing visible is left (a step's own wording, e.g. for the
    unit's name); by default it says whether the text was empty or only invisible characters.
    """
    if REPLACEMENT in text or has_lone_surrogate(text):  # bytes a terminal could not decode
        return Refused(say.BROKEN_CHARACTERS)
    cleaned = visible_text(text)
    if not cleaned:
        if nothing is not None:
            return Refused(nothing)
        return Refused(say.INVISIBLE_ONLY if text.strip() else say.EMPTY_TEXT)
    if len(cleaned) > MAX_FREE_TEXT:
        return Refused(say.too_long(len(cleaned), MAX_FREE_TEXT))
    if not any(ch.isalnum() for ch in cleaned):
        return Refused(say.NO_LETTERS)
    return cleaned
