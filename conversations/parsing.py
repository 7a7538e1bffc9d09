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


def has_letters(text: str) -> bool:
    """A name or a place is words: “12345” or “30” typed where the name was asked is an answer
    to another question, not the name to print at the head of the report."""
    return any(ch.isalpha() for ch in text)


# --- issue 12: evidence titles and commands, strengths and weaknesses, skipped indicators ----

MAX_TITLE = 500
"""An evidence title's limit (`dvht_core.limits`, the `evidence.title` column)."""

_ANSWER_WORDS = {fold(p) for code in ("y", "n") for p in vocabulary.phrases(("value", code))} | {
    "xong",
    "bo qua",
    "bo sung sau",
    "sau",
    "tiep tuc",
    "quay lai",
    "huy",
    "dat roi",
    "sai",
    "vang",
    "da",
    "u",
    "khong a",
    "co a",
    "done",
    "skip",
    "next",
}
"""What an official types when answering, never the name of a document: refused as a title."""
_NUMBER_LIKE = re.compile(r"[\d\s.,/%:+\-–()#]*")


def evidence_title(text: str, *, example: str) -> str | Refused:
    """An evidence title that looks like a document's name: not a command, not a number, not a
    word that answers a question (“đạt”, “bỏ qua”, “xong”), at least a few letters. These are
    what a slip of the thumb sends at the evidence step, and each would otherwise be printed
    in the signed report as a document's name."""
    if text.lstrip().startswith("/"):
        return Refused(say.unknown_command(text.split()[0]))
    title = free_text(text)
    if isinstance(title, Refused):
        return title
    if len(title) > MAX_TITLE:
        return Refused(say.too_long(len(title), MAX_TITLE))
    folded = fold(title).strip(" .!?")
    if _NUMBER_LIKE.fullmatch(folded):
        return Refused(say.title_is_a_number(title, example))
    if folded in _ANSWER_WORDS:
        return Refused(say.title_is_an_answer(title))
    if title.rstrip().endswith("?"):  # a question the strict reading left alone
        return Refused(say.title_is_a_question(title))
    if len(title) < 3 or sum(ch.isalpha() for ch in title) < 2:
        return Refused(say.title_too_short(title, example))
    return title


@dataclass(frozen=True, slots=True)
class RemoveItem:
    """“xóa minh chứng 2”: the second item listed."""

    number: int


@dataclass(frozen=True, slots=True)
class RenameItem:
    """“đổi tên minh chứng 2 thành …”: the new title as typed (checked as any title)."""

    number: int
    title: str


_REMOVE = re.compile(
    r"^(?:xoa|bo|xoa bo|go bo|loai bo|remove|delete)(?: (?:minh chung|mc))?"
    r"(?: so)? ?(\d{1,4})?$"
)
_ITEM = r"(?:minh chứng|minh chung|mc)"
_RENAME = re.compile(
    rf"^\s*(?:đổi tên|doi ten|sửa tên|sua ten|đặt tên|dat ten|rename)\s+{_ITEM}?\s*"
    r"(?:số|so)?\s*(\d{1,4})?\s*(?:(?:thành|thanh|là|la|:|=|→|->)\s*(.*))?$",
    re.IGNORECASE | re.DOTALL,
)


def evidence_command(text: str) -> RemoveItem | RenameItem | Refused | None:
    """Removing or renaming one of the evidence items listed (None: not such a command). The
    whole message must be the command, so a title such as “Kế hoạch xóa mù chữ” stays a title."""
    folded = fold(text).strip(" .!?")
    removal = _REMOVE.match(folded)
    if removal is not None:  # “xóa” alone too: never a document's name
        if removal.group(1) is None:
            return Refused(say.EVIDENCE_NUMBER_NEEDED)
        return RemoveItem(int(removal.group(1)))
    rename = _RENAME.match(text)
    if rename is None:
        return None
    number, title = rename.group(1), (rename.group(2) or "").strip()
    if number is None or not title:
        return Refused(say.RENAME_FORMAT)
    return RenameItem(int(number), title)


_STRENGTH_LABELS = r"điểm mạnh|diem manh|ưu điểm|uu diem|mặt mạnh|mat manh|mạnh|manh"
_WEAKNESS_LABELS = (
    r"tồn tại|ton tai|hạn chế|han che|điểm yếu|diem yeu|nhược điểm|nhuoc diem|"
    r"khuyết điểm|khuyet diem|yếu|yeu"
)
_LABEL = re.compile(
    rf"(?:^|(?<=[\s;,.]))(?:(?P<strong>{_STRENGTH_LABELS})|(?P<weak>{_WEAKNESS_LABELS}))"
    r"\s*[:：\-–]",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class StrengthsAndWeaknesses:
    strengths: str | None
    weaknesses: str | None


_DECLINED = frozenset(
    {"khong", "ko", "k", "khong co", "khong can", "khong mo ta", "khong co mo ta", "chua co"}
)


def declines(text: str) -> bool:
    """“không”, “không mô tả”: the official has nothing to add to an optional free text. Only
    these whole answers: a real description may well begin with “không”."""
    return fold(text).strip(" .!") in _DECLINED


def strengths_and_weaknesses(text: str) -> StrengthsAndWeaknesses | Refused | None:
    """“Điểm mạnh: …; Tồn tại: …” (either part alone, labels with or without diacritics);
    None for “không” (nothing to add). Text without a label is refused rather than guessed:
    a weakness printed as a strength in the signed report is worse than a retype."""
    if yes_no(text) is False:
        return None
    cleaned = free_text(text)
    if isinstance(cleaned, Refused):
        return cleaned
    labels = list(_LABEL.finditer(cleaned))
    if not labels or cleaned[: labels[0].start()].strip(" ;,.-"):
        return Refused(say.STRENGTHS_FORMAT)
    parts: dict[str, list[str]] = {"strong": [], "weak": []}
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(cleaned)
        part = cleaned[label.end() : end].strip(" ;,.-–\n")
        if part:
            parts["strong" if label.group("strong") else "weak"].append(part)
    strengths, weaknesses = ("; ".join(parts[k]) or None for k in ("strong", "weak"))
    if strengths is None and weaknesses is None:
        return Refused(say.STRENGTHS_FORMAT)
    for given in (strengths, weaknesses):
        if given is not None and len(given) > MAX_FREE_TEXT:
            return Refused(say.too_long(len(given), MAX_FREE_TEXT))
    return StrengthsAndWeaknesses(strengths, weaknesses)


_SKIPPED = re.compile(
    r"^(?:(?:tra loi|lam|lam tiep|quay lai|tiep tuc|danh gia)(?: lai)? )?(?:nhung |cac )?"
    r"(?:chi tieu )?(?:da )?bo qua$"
)


def asks_for_skipped(text: str) -> bool:
    """“trả lời các chỉ tiêu đã bỏ qua” (and close variants), but not a bare “bỏ qua”."""
    folded = fold(text).strip(" .!?")
    return folded != "bo qua" and _SKIPPED.match(folded) is not None
