"""Which option an official's words name: sure, unsure (ask “Ý bạn là …?”), or none.

Pure and channel-neutral. The words are compared folded (no diacritics, lower case, punctuation
as spaces), with each option's label and its phrases (`conversations.vocabulary`):

1. Phrases found in the message, as whole words. A phrase inside a longer one found at the same
   place does not count (“chưa đạt” holds “đạt”; “hợp tác xã” holds “xã”). One option named,
   and nothing else said but polite words: that option. Several options named (“đạt chưa”,
   “tiểu học và mầm non”, a phrase shared on purpose such as “cơ quan”), or a few other words
   beside it (“UBND xã Hòa Bình”): unsure, the bot asks.
2. Otherwise typos: the whole message against each phrase (rapidfuzz's normalised Indel
   similarity, 0–100) of a length a slip explains (within two letters, or a fifth of the
   phrase). At least `SURE` with no other option within `MARGIN`: that option; from
   `UNSURE` up: unsure, with every option within `MARGIN` of the best (at most three). A phrase
   matched only by part of a longer message is never sure.

Words of doubt (“có lẽ”, “không biết”, “chắc là”) are no answer at all: the official does not
know yet, and the bot says what it expects instead of proposing an option.

Thresholds, measured on the tables' real variants (tests/conversations/test_plain_words.py):
a one-letter slip in a phrase of eight letters or more scores 89–94 (“truong mam nom” 93, “tieu
hocc” 94) and is taken; in a shorter one it scores 83–86 (“dai hox” 86, “co bna” 83) and is
asked; different options' phrases of similar shape score 50–63 (“thcs” against “thpt” 50, “lao
dong tien tien” against “lao dong xuat sac” 63) and are never proposed. Hence 88 is sure and
75 is worth a question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from unidecode import unidecode

SURE = 88
UNSURE = 75
MARGIN = 10
MAX_CANDIDATES = 3
MAX_WORDS = 10
"""A longer message is a sentence about something else (or a pasted document), not a choice."""
MAX_FUZZY_WORDS = 6
"""Typos are looked for only in short answers: in a sentence some word is always near some
phrase."""
MIN_LETTERS = 5
"""Shorter messages are not corrected: one letter is a quarter of “xong”, which then scores 75
against “hông” (no)."""
MAX_OTHER_WORDS = 2
"""More words than this beside the option named: the message says something else."""

_NOT_WORD = re.compile(r"[^a-z0-9]+")

# Polite and filler words that may surround an answer (“đạt rồi ạ”, “đơn vị tôi là xã”).
_FILLER = frozenset(
    {
        *("a", "ah", "ha", "da", "nhe", "nha", "nhi", "ne", "day", "do", "roi", "thi", "la"),
        *("cua", "o", "thuoc", "loai", "chung", "toi", "minh", "em", "anh", "chi", "don", "vi"),
        *("chon", "ban", "oi", "voi", "vay", "the", "duoc"),
    }
)
# Words of doubt: the official does not know yet, so no option is read into the message.
_DOUBT = frozenset({"le", "biet", "ro", "chac", "nghi", "hinh"})


def words(text: str) -> tuple[str, ...]:
    """Folded words: “Trường THCS, Hòa Bình!” → ("truong", "thcs", "hoa", "binh")."""
    folded = unidecode(text).lower() if not text.isascii() else text.lower()
    return tuple(_NOT_WORD.sub(" ", folded).split())


@dataclass(frozen=True, slots=True)
class Unsure:
    """Words close to one or a few options: ask which was meant, best first."""

    candidates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Option:
    key: str
    phrases: tuple[tuple[str, ...], ...]
    """The label and the phrases, as folded words."""


def options(choices: Sequence[tuple[str, Sequence[str]]]) -> tuple[Option, ...]:
    """(key, label and phrases) → options ready to match."""
    return tuple(
        Option(key, tuple(w for w in {words(p): None for p in listed} if w))
        for key, listed in choices
    )


def match(text: str, choices: Sequence[Option]) -> str | Unsure | None:
    """The option the text names (its key), an Unsure, or None."""
    said = words(text)
    if not said or len(said) > MAX_WORDS or any(word in _DOUBT for word in said):
        return None
    found = _found(said, choices)
    if found is not None:
        return found
    return _close(said, choices)


def _found(said: tuple[str, ...], choices: Sequence[Option]) -> str | Unsure | None:
    spans: list[tuple[int, int, str]] = []
    for option in choices:
        for phrase in option.phrases:
            size = len(phrase)
            for start in range(len(said) - size + 1):
                if said[start : start + size] == phrase:
                    spans.append((start, start + size, option.key))
    if not spans:
        return None
    kept = [
        (start, end, key)
        for start, end, key in spans
        if not any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)
    ]
    kept.sort(key=lambda span: span[0] - span[1])  # longest first
    keys = list(dict.fromkeys(key for _, _, key in kept))
    covered = {i for start, end, _ in kept for i in range(start, end)}
    other = [w for i, w in enumerate(said) if i not in covered and w not in _FILLER]
    if len(other) > MAX_OTHER_WORDS:
        return None
    if len(keys) == 1 and not other:
        return keys[0]
    return Unsure(tuple(keys[:MAX_CANDIDATES]))


def _close(said: tuple[str, ...], choices: Sequence[Option]) -> str | Unsure | None:
    whole = " ".join(said)
    if sum(len(w) for w in said) < MIN_LETTERS or len(said) > MAX_FUZZY_WORDS:
        return None
    scores: dict[str, float] = {}
    partial: set[str] = set()
    for option in choices:
        best, only_part = 0.0, False
        for phrase in option.phrases:
            written = " ".join(phrase)
            score = fuzz.ratio(whole, written) if _alike(whole, written) else 0.0
            if score > best:
                best, only_part = score, False
            size = len(phrase)
            if size < len(said):  # a phrase among other words: never sure
                for start in range(len(said) - size + 1):
                    window = " ".join(said[start : start + size])
                    part = fuzz.ratio(window, written) if _alike(window, written) else 0.0
                    if part > best:
                        best, only_part = part, True
        if best >= UNSURE:
            scores[option.key] = best
            if only_part:
                partial.add(option.key)
    if not scores:
        return None
    ranked = sorted(scores, key=lambda key: -scores[key])
    top = scores[ranked[0]]
    near = [key for key in ranked if scores[key] >= top - MARGIN]
    if top >= SURE and len(near) == 1 and ranked[0] not in partial:
        return ranked[0]
    return Unsure(tuple(near[:MAX_CANDIDATES]))


def _alike(typed: str, phrase: str) -> bool:
    """Of a length a slip can explain: a typo changes a letter or two, while a shorter message
    is a different, vaguer answer (“trường” is every school, not “trường TH”)."""
    return abs(len(typed) - len(phrase)) <= max(2, len(phrase) // 5)
