"""Recognise quick questions and navigation words in what an official typed.

Officials type on phones: often without diacritics ("muc 2 can gi"), with typos, sometimes in
English, and at any point of the dialogue. Everything is compared on a normalised form (no
diacritics, lower case), so "hủy", "huỷ" and "huy" are one word. Precision matters more than
recall: a real answer ("27", "27/30", "90%", "đạt", an evidence title, a unit name) taken for a
command would derail the dialogue, while a missed question only costs the official a retype.

How a message is read:

* Slash commands map directly (``/start`` is not an intent: the engine handles onboarding).
* Indicator ids ("chỉ tiêu 2.4", "2.4"), criteria ("tiêu chí 2") and levels ("mức 2",
  "level 2") are lifted out first, so they never look like answers or typos.
* Known phrases are looked up exactly on token n-grams; filler words ("tôi", "xem", "cho",
  "please", ...) are ignored. A message is an intent when its phrases explain it: at most one
  unexplained word (none in ``strict`` mode), or any number when the message clearly asks.
* Typos are corrected only in words typed without diacritics that are not real Vietnamese
  syllables (one edit, rapidfuzz OSA distance; a real syllable is only unscrambled): "Tam Dương"
  and "tam duong" are a place, not "tạm dừng", while "tam dugn" is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal, cast, get_args

from rapidfuzz import process
from rapidfuzz.distance import OSA
from unidecode import unidecode

from conversations.commands import BY_NAME, QUESTION_COMMAND

PublicKind = Literal[
    "need_level", "criterion_info", "indicator_info", "deadline", "days_left", "office"
]
"""Questions answered from the rulebook alone, never from a unit's figures: safe in a group."""
QuestionKind = Literal[
    PublicKind, "missing_evidence", "progress", "result", "report", "dossier", "help"
]
"""Quick questions: answered at any step without moving the dialogue."""
NavigationKind = Literal["back", "skip", "later_evidence", "pause", "resume", "cancel", "edit"]
"""Commands that move the dialogue."""
SettingKind = Literal["reminders_off", "reminders_on"]
"""The person's own settings (/tatnhacnho, /batnhacnho): answered at any step, which stays."""
IntentKind = Literal[QuestionKind, NavigationKind, SettingKind]

PUBLIC_KINDS: frozenset[str] = frozenset(get_args(PublicKind))
QUESTION_KINDS: frozenset[str] = frozenset(get_args(QuestionKind))
NAVIGATION_KINDS: frozenset[str] = frozenset(get_args(NavigationKind))
SETTING_KINDS: frozenset[str] = frozenset(get_args(SettingKind))
INTENT_KINDS: frozenset[str] = QUESTION_KINDS | NAVIGATION_KINDS | SETTING_KINDS

#: The TT24 indicator ids (both tiers; the district rulebook simply has no 3.6).
DEFAULT_IDS: frozenset[str] = frozenset(
    [f"1.{i}" for i in range(1, 6)]
    + [f"2.{i}" for i in range(1, 6)]
    + [f"3.{i}" for i in range(1, 7)]
)
#: TT24 recognises two levels; "mức 3" is read as a level that does not exist (level=None).
LEVELS = (1, 2)
#: Longer messages are pasted documents or descriptions, never commands.
MAX_CHARS = 400
#: A message without a question that has more words than this is never typo-corrected: no
#: command is that long, and the check keeps long evidence titles cheap.
MAX_COMMAND_WORDS = 8


@dataclass(frozen=True, slots=True)
class Intent:
    """What the official asked for.

    ``level``, ``criterion`` and ``indicator`` are set only for the kinds that use them
    (need_level; criterion_info and indicator_info, which also carry a level when one was said;
    edit) and only to ids that exist: "chỉ tiêu 9.9 là gì" gives indicator_info with
    indicator=None, so the bot can say there is no such indicator and list the real ones.
    """

    kind: IntentKind
    level: int | None = None
    criterion: str | None = None
    indicator: str | None = None


# --------------------------------------------------------------------------- normalisation

_NOT_KEPT = re.compile(r"[^a-z0-9./%?]+")


def normalise(text: str) -> str:
    """NFC, lower case, diacritics removed (unidecode; đ->d), ``. / % ?`` kept, other
    punctuation turned into spaces, whitespace collapsed: the one form every comparison uses."""
    text = unicodedata.normalize("NFC", text).lower()
    if not text.isascii():
        text = unidecode(text).lower()
    return _NOT_KEPT.sub(" ", text).strip()


def _words(table: str) -> frozenset[str]:
    """A "|"-separated list of phrases, normalised."""
    return frozenset(normalise(p) for p in table.split("|") if p.strip())


# --------------------------------------------------------------------------- phrase tables

# kind priority: phrases. The best match wins on priority, then on length: a navigation word
# ("tạm dừng đánh giá") beats a query, a query ("kết quả đánh giá") beats the weak "đánh giá",
# and need/help words defer to an indicator or criterion said alongside. Pseudo-kinds: "_info"
# words ("là gì") only turn an id or level said alongside into a question about it; "_filler"
# words are ignored. Written with diacritics, compared normalised.
_TABLE = """
reminders_off 90: tắt nhắc nhở | tắt nhắc | tắt nhắc hạn | tắt nhắc hạn nộp | ngừng nhắc nhở
reminders_off 90: dừng nhắc nhở | không nhắc nữa | đừng nhắc nữa | tắt thông báo nhắc hạn
reminders_off 90: stop reminders | turn off reminders | reminders off
reminders_on 90: bật nhắc nhở | bật nhắc | bật nhắc hạn | bật lại nhắc nhở | mở nhắc nhở
reminders_on 90: nhắc lại hạn nộp | turn on reminders | reminders on
edit 85: sửa | sửa lại | chỉnh sửa | sửa câu trả lời | thay đổi | edit | change | modify
later_evidence 82: bổ sung sau | bổ sung để sau | bổ sung minh chứng sau | minh chứng sau
later_evidence 82: gửi sau | gửi minh chứng sau | nộp sau | nộp minh chứng sau | cập nhật sau
later_evidence 82: tải lên sau | later | add later | send later | upload later | evidence later
back 80: quay lại | trở lại | quay về | trở về | lùi lại | câu trước | quay lại câu trước
back 80: back | go back | previous | prev
skip 80: bỏ qua | để sau | bỏ qua câu này | skip
pause 80: tạm dừng | dừng lại | dừng | tạm ngưng | ngưng | tạm nghỉ | pause | stop | hold
resume 80: tiếp tục | làm tiếp | tiếp tục đánh giá | đánh giá tiếp | bắt đầu đánh giá
resume 80: continue | resume | go on
resume 30: đánh giá | assessment | assess
cancel 80: hủy | huỷ | hủy bỏ | hủy đánh giá | thoát | cancel | exit | quit | abort
deadline 70: hạn nộp | hạn chót | hạn cuối | thời hạn | hạn nộp hồ sơ | thời gian nộp | lịch nộp
deadline 70: khi nào phải nộp | khi nào nộp | bao giờ phải nộp | bao giờ nộp | nộp ở đâu
deadline 70: nộp hồ sơ ở đâu | nơi nộp | nộp cho ai | deadline | due date | due
deadline 70: when to submit | where to submit | submission deadline
days_left 74: còn bao nhiêu ngày | còn mấy ngày | bao nhiêu ngày nữa | mấy ngày nữa
days_left 74: còn bao lâu | còn bao lâu nữa | còn bao nhiêu ngày nữa | còn mấy ngày nữa
days_left 74: bao lâu nữa | đếm ngược | hết hạn | how many days | days left
office 76: nộp cho ai | gửi cho ai | nộp hồ sơ cho ai | gửi hồ sơ cho ai | nơi nhận hồ sơ
office 76: ai nhận hồ sơ | ai nhận | nơi nhận | cơ quan nhận hồ sơ | cơ quan tiếp nhận
office 76: ai công nhận | ai quyết định công nhận | ai ký quyết định | người công nhận
office 76: cơ quan nào công nhận | cấp nào công nhận | thẩm quyền công nhận | ai xét công nhận
office 76: who recognises | who recognizes | who receives | submit to whom
missing_evidence 70: thiếu minh chứng | còn thiếu | thiếu gì | minh chứng còn thiếu
missing_evidence 70: minh chứng thiếu | thiếu minh chứng gì | cần bổ sung | cần bổ sung gì
missing_evidence 70: cần bổ sung minh chứng | missing evidence | missing | evidence missing
missing_evidence 70: what is missing
progress 70: tiến độ | đã làm đến đâu | làm đến đâu | đến đâu rồi | còn bao nhiêu | tình hình
progress 70: còn lại bao nhiêu | trạng thái | báo cáo tiến độ | xong chưa | progress | status
progress 70: how far
result 70: kết quả | kết quả đánh giá | đạt mức mấy | đạt mức nào | mức mấy | xếp loại
result 70: tổng điểm | được mấy điểm | bao nhiêu điểm | result | results | score | outcome
result 70: what level
report 70: báo cáo | xuất báo cáo | báo cáo kết quả | in báo cáo | tải báo cáo | file báo cáo
report 70: xuất file | file pdf | file word | report | pdf | docx | export
dossier 72: hồ sơ | tải hồ sơ | tải cả hồ sơ | hồ sơ zip | file zip | tệp zip | zip
dossier 72: tải hồ sơ minh chứng | đóng gói hồ sơ | dossier | download dossier
help 50: hướng dẫn | trợ giúp | giúp đỡ | giúp tôi | giúp với | menu | các lệnh | lệnh | hdsd
help 50: dùng thế nào | sử dụng thế nào | dùng như thế nào | help | how to use | commands
need_level 40: cần gì | cần những gì | cần làm gì | phải làm gì | phải làm sao | làm sao để đạt
need_level 40: làm thế nào để đạt | để đạt | muốn đạt | điều kiện | điều kiện đạt | yêu cầu
need_level 40: tiêu chuẩn | need | needed | needs | requirement | requirements | require
need_level 40: required | what do we need | how to reach | how to get | how to achieve
need_level 40: conditions | criteria for | reach | achieve | qualify
indicator_info 20: chỉ tiêu | các chỉ tiêu | indicator | indicators
criterion_info 20: tiêu chí | các tiêu chí | criterion | criteria
_info 10: là gì | gồm những gì | gồm gì | bao gồm | gồm | nội dung | quy định | giải thích
_info 10: nghĩa là gì | như thế nào | thế nào | chi tiết | what is | whats | explain | mean
_info 10: means | details
_filler -1: tôi | tui | mình | em | anh | chị | bạn | ta | chúng | ạ | à | nhé | nha | nhỉ | với
_filler -1: đi | giúp | cho | xem | xin | hãy | muốn | được | rồi | thế | vậy | hả | ơi | bot
_filler -1: hi | hello | chào | xuất | in | lấy | tải | mở | của | này | để | đạt | đã | phải
_filler -1: làm | gì | về | hỏi | các | những | chưa | đơn vị | cơ quan | hiện tại | bây giờ
_filler -1: lúc này | thông tin | kiểm tra | vui lòng | làm ơn | hiển thị
_filler -1: please | pls | plz | show | me | my | the | our | i | want | to | a | an | get | see
_filler -1: view | let | lets | us | we | for | of | now | current | check | give | display | open
_filler -1: download | on | it | this | any | have | has | still | you | is | are
_filler -1: đơn vị học tập | thì | sẽ
"""


def _load_table() -> dict[str, tuple[str, int]]:
    """Normalise the table once at import, so a lookup is one dict access."""
    phrases: dict[str, tuple[str, int]] = {}
    for line in _TABLE.strip().splitlines():
        head, _, listed = line.partition(":")
        kind, prio = head.split()
        if kind not in INTENT_KINDS and not kind.startswith("_"):
            raise ValueError(f"phrase table: unknown intent kind {kind!r}")
        phrases.update(dict.fromkeys(_words(listed), (kind, int(prio))))
    # Lifted-out ids (see _extract): a named indicator or criterion is a question by itself.
    phrases["#I"] = ("indicator_info", 60)
    phrases["#C"] = ("criterion_info", 58)
    return phrases


_PHRASES = _load_table()
# First word of every phrase -> the most words a phrase starting with it has.
_FIRST: dict[str, int] = {}
for _phrase in _PHRASES:
    _word = _phrase.partition(" ")[0]
    _FIRST[_word] = max(_FIRST.get(_word, 0), _phrase.count(" ") + 1)

_FILLER_WORDS = frozenset(p for p, (k, _) in _PHRASES.items() if k == "_filler" and " " not in p)

# Phrases that need more than word order: "nộp ... ở đâu", "khi nào ... nộp", "đạt ... chưa".
_RULES: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (
        re.compile(r"\bnop\b(?: \S+){0,4} (?:o dau|khi nao|bao gio|luc nao|han)\b"),
        "deadline",
        75,
    ),
    # “nộp … cho ai”, “ai … công nhận”: who receives, who recognises (issue 13).
    (re.compile(r"\b(?:nop|gui)\b(?: \S+){0,4} cho (?:ai|co quan nao|noi nao)\b"), "office", 77),
    (re.compile(r"\b(?:ai|co quan nao|cap nao)\b(?: \S+){0,3} cong nhan\b"), "office", 77),
    (re.compile(r"\b(?:khi nao|bao gio|luc nao|han)\b(?: \S+){0,4} nop\b"), "deadline", 75),
    (re.compile(r"\b(?:when|where)\b(?: \S+){0,4} submit"), "deadline", 75),
    (re.compile(r"\bdat\b(?: \S+){0,3} chua(?: a| vay| nhi)?$"), "result", 72),
)

# Whole messages that are answers, whatever else matches: the bot asked and this is the reply.
_ANSWERS = _words(
    "đạt | chưa đạt | không đạt | có | không | có ạ | không ạ | đã có | chưa có | rồi | chưa"
    "| đúng | sai | vâng | dạ | ừ | ừm | ok | oke | okay | xong | đồng ý | đủ | chưa đủ | yes"
    "| no | y | n | true | false"
    "| đạt yêu cầu | đã đạt yêu cầu | chưa đạt yêu cầu | không đạt yêu cầu"  # not “để đạt”
)

# --------------------------------------------------------------------------- typo tables

# Correction targets: words of real phrases, long enough that one edit is still telling.
_VOCAB = sorted(
    {
        word
        for phrase, (kind, _) in _PHRASES.items()
        if kind != "_filler" and not phrase.startswith("#")
        for word in phrase.split(" ")
        if len(word) >= 3
    }
)
_KNOWN_WORDS = frozenset(_VOCAB) | _FILLER_WORDS
# Every word of a phrase, however short: the halves a run-together word may split into.
_ALL_WORDS = frozenset(w for p in _PHRASES if not p.startswith("#") for w in p.split(" "))
# Phrase words by their letters, for swapped-letter typos ("qau" -> "qua", "lia" -> "lai").
_ANAGRAMS = {"".join(sorted(w)): w for w in _VOCAB}
# A toneless Vietnamese syllable: onset, vowel cluster, final consonant.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:oai|oay|oeo|uoi|uou|uay|uya|uye|uyu|ieu|yeu"
    r"|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ya|ye|[aeiouy])"
    r"(?:ch|ng|nh|[cmnpt])?"
)
# Whole-message typo targets ("ket qa" -> "ket qua"), by first letter: a cheap prefilter.
_FUZZY_TARGETS: dict[str, list[str]] = {}
for _phrase, (_phrase_kind, _) in _PHRASES.items():
    if _phrase_kind not in ("_filler", "_info") and len(_phrase) >= 6:
        _FUZZY_TARGETS.setdefault(_phrase[0], []).append(_phrase)

# --------------------------------------------------------------------------- questions

_Q_START = _words(
    "sao | tại sao | vì sao | làm sao | làm thế nào | thế nào | như thế nào | bao giờ | khi nào"
    "| lúc nào | là gì | ở đâu | bao nhiêu | cho hỏi | xin hỏi | cho tôi hỏi | cho em hỏi"
    "| cho mình hỏi | cần gì | cần những gì | phải làm gì | ai | what | whats | how | when | where"
    "| why | which | who | does | should | is | are"
)
_Q_END = _words(
    "gì | là gì | nào | khi nào | bao giờ | lúc nào | ở đâu | đến đâu | thế nào | sao | chưa"
    "| không | mấy | bao nhiêu"
)
# Polite particles after the question word: "… là gì ạ", "… đến đâu rồi".
_Q_TAIL = _words("ạ | à | vậy | nhỉ | nhé | thế | hả | rồi | với | ơi")
_QMARK_END = re.compile(r"[?？]\W*$")


def _asks(tokens: list[str]) -> bool:
    """A question word at the start, or (before polite particles) at the end of 2+ words."""
    if not tokens:
        return False
    if any(" ".join(tokens[:k]) in _Q_START for k in (3, 2, 1)):
        return True
    end = len(tokens)
    while end > 1 and tokens[end - 1] in _Q_TAIL:
        end -= 1
    return end >= 2 and any(" ".join(tokens[max(0, end - k) : end]) in _Q_END for k in (2, 1))


def is_question(text: str) -> bool:
    """True when the message ends with "?", starts with a question word (sao, tại sao, khi
    nào, what, how, ...) or ends with a Vietnamese question word (… là gì, … khi nào, … chưa):
    Vietnamese asks at the end of the sentence as often as at the start."""
    if _QMARK_END.search(text):
        return True
    return _asks(normalise(text).replace("?", " ").split())


# --------------------------------------------------------------------------- ids

_TAIL = r"(?![\d%/]|\.\d)"  # not a date, fraction, percentage or longer number
_IND_PREFIXED = re.compile(
    r"\b(?:chi ?tieu|tieu ?chi|indicator|ct|muc)\s?(?:so\s?)?(\d{1,2})\.(\d{1,2})" + _TAIL
)
_IND_PREFIXED_NO_DOT = re.compile(r"\b(?:chi ?tieu|indicator)\s?(?:so\s?)?(\d{1,2})" + _TAIL)
_IND_BARE = re.compile(r"(?<![\w./%])(\d)\.(\d{1,2})(?![\w%/]|\.\d)")
_CRITERION = re.compile(r"\b(?:tieu ?chi|criterion|criteria|tc)\s?(?:so\s?)?(\d{1,2})" + _TAIL)
_LEVEL = re.compile(r"\b(?:muc(?: ?do)?\s?(\d{1,2}|ii|i)|(?:level|lvl|lv)\s?(\d{1,2}))\b" + _TAIL)
_MAY_HOLD_ID = re.compile(r"\d|\bii?\b")  # digits, or "mức I" / "mức II"


@dataclass(slots=True)
class _Found:
    """Ids said in a message, first mention wins. ``indicator`` is "" when one was named but
    had no usable number ("chỉ tiêu 7"); ``level`` is None when the level said does not exist."""

    indicator: str | None = None
    criterion: str | None = None
    level: int | None = None
    said_level: bool = False


def _extract(norm: str) -> tuple[str, _Found]:
    """Replace ids by placeholder words: #I (named indicator), #i (bare "2.4"), #C, #L."""
    found = _Found()
    if not _MAY_HOLD_ID.search(norm):
        return norm, found

    def indicator(m: re.Match[str], tag: str) -> str:
        if found.indicator is None:
            found.indicator = f"{int(m[1])}.{int(m[2])}" if m.lastindex == 2 else ""
        return f" {tag} "

    def criterion(m: re.Match[str]) -> str:
        if found.criterion is None:
            found.criterion = str(int(m[1]))
        return " #C "

    def level(m: re.Match[str]) -> str:
        if not found.said_level:
            found.said_level = True
            said = m[1] or m[2]
            value = {"i": 1, "ii": 2}.get(said) or int(said)
            found.level = value if value in LEVELS else None
        return " #L "

    norm = _IND_PREFIXED.sub(lambda m: indicator(m, "#I"), norm)
    norm = _IND_PREFIXED_NO_DOT.sub(lambda m: indicator(m, "#I"), norm)
    norm = _IND_BARE.sub(lambda m: indicator(m, "#i"), norm)
    norm = _CRITERION.sub(criterion, norm)
    norm = _LEVEL.sub(level, norm)
    return norm, found


_DEFAULT_CRITERIA = frozenset(i.split(".")[0] for i in DEFAULT_IDS)


def _known(value: str | None, ids: Collection[str]) -> str | None:
    return value if value and value in ids else None


def _known_criterion(value: str | None, ids: Collection[str]) -> str | None:
    criteria = _DEFAULT_CRITERIA if ids is DEFAULT_IDS else {i.split(".")[0] for i in ids}
    return value if value in criteria else None


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class _Match:
    kind: str
    prio: int
    size: int
    start: int
    end: int


def _scan(tokens: list[str], ignored: frozenset[str]) -> list[_Match]:
    """Every known phrase found as a word n-gram, plus the word-order rules."""
    out: list[_Match] = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        longest = _FIRST.get(tok)
        if not longest:
            continue
        for m in range(min(longest, n - i), 0, -1):
            key = tok if m == 1 else " ".join(tokens[i : i + m])
            hit = _PHRASES.get(key)
            if hit is not None and key not in ignored:
                out.append(_Match(hit[0], hit[1], len(key), i, i + m))
    if n > 1:
        joined = " ".join(tokens)
        for pattern, kind, prio in _RULES:
            if found := pattern.search(joined):
                start = joined.count(" ", 0, found.start())
                end = start + found[0].count(" ") + 1
                out.append(_Match(kind, prio, len(found[0]), start, end))
    return out


def _leftovers(tokens: list[str], matches: list[_Match]) -> int:
    """How many words no phrase, filler or id explains."""
    covered = [False] * len(tokens)
    for m in matches:
        covered[m.start : m.end] = [True] * (m.end - m.start)
    return sum(1 for tok, c in zip(tokens, covered, strict=True) if not c and tok[0] != "#")


def _decide(
    tokens: list[str], matches: list[_Match], found: _Found, ids: Collection[str], asks: bool
) -> Intent | None:
    """The intent the matches point to: highest priority, then longest phrase."""
    real = [m for m in matches if m.kind != "_filler"]
    if not real:
        # "2.4?" and "mức 2?": an id alone is a question only when it is all the message says.
        if asks and not _leftovers(tokens, matches):
            if found.indicator is not None:
                indicator = _known(found.indicator, ids)
                return Intent("indicator_info", level=found.level, indicator=indicator)
            if found.said_level:
                return Intent("need_level", level=found.level)
        return None
    kind = max(real, key=lambda m: (m.prio, m.size)).kind
    if kind == "edit":
        return Intent("edit", indicator=_known(found.indicator, ids))
    if kind in ("need_level", "help", "_info", "indicator_info", "criterion_info"):
        if found.indicator is not None:
            indicator = _known(found.indicator, ids)
            return Intent("indicator_info", level=found.level, indicator=indicator)
        if found.criterion is not None or kind == "criterion_info":
            criterion = _known_criterion(found.criterion, ids)
            return Intent("criterion_info", level=found.level, criterion=criterion)
        if kind == "indicator_info":
            return Intent("indicator_info", level=found.level)
        if kind == "need_level" or found.said_level:
            return Intent("need_level", level=found.level)
        if kind == "_info":
            return None
    return Intent(cast(IntentKind, kind))  # the pseudo-kinds were all handled above


def _ignored(tokens: list[str], raw_low: str, strict: bool) -> frozenset[str]:
    """One-word phrases that mean something else when typed without diacritics: "dung" is more
    often "đúng" (correct) than "dừng" (stop); "huy" is also a given name ("Quang Huy"), so
    without its marks it cancels only on its own, and never in strict mode."""
    ignored = set()
    if "dung" in tokens and "dừng" not in raw_low:
        ignored.add("dung")
    marked = "hủy" in raw_low or "huỷ" in raw_low
    alone = all(t == "huy" or t in _FILLER_WORDS for t in tokens)
    if "huy" in tokens and not marked and (strict or not alone):
        ignored.add("huy")
    return frozenset(ignored)


def _judge(
    tokens: list[str], raw_low: str, found: _Found, ids: Collection[str], asks: bool, strict: bool
) -> Intent | None:
    """The intent, if the phrases explain the message well enough for the mode."""
    matches = _scan(tokens, _ignored(tokens, raw_low, strict))
    if not asks and _leftovers(tokens, matches) > (0 if strict else 1):
        return None
    return _decide(tokens, matches, found, ids, asks)


# --------------------------------------------------------------------------- typos


def _typed_with_marks(raw_low: str) -> set[str]:
    """Normalised words the official typed with diacritics: real words, never typos."""
    return {t for word in raw_low.split() if not word.isascii() for t in normalise(word).split()}


def _typo(tok: str, typed_with_marks: set[str]) -> bool:
    """Could this word be a typo? Not if known, typed with diacritics, or a real syllable."""
    return (
        tok.isalpha()
        and tok not in _KNOWN_WORDS
        and tok not in typed_with_marks
        and _SYLLABLE.fullmatch(tok) is None
    )


def _correct(tokens: list[str], typed_with_marks: set[str]) -> list[str]:
    """Fix one-edit typos ("chng" -> "chung", "qau" -> "qua") and run-together words
    ("quaylai"); a real syllable is only unscrambled ("lia" -> "lai")."""
    out: list[str] = []
    for tok in tokens:
        if tok[0] == "#" or tok in _KNOWN_WORDS or tok in typed_with_marks or not tok.isalpha():
            out.append(tok)
        elif len(tok) <= 3 or _SYLLABLE.fullmatch(tok):
            swapped = _ANAGRAMS.get("".join(sorted(tok)))
            out.append(swapped if swapped and OSA.distance(tok, swapped) == 1 else tok)
        elif best := process.extractOne(tok, _VOCAB, scorer=OSA.distance, score_cutoff=1):
            out.append(best[0])
        else:
            halves = ((tok[:k], tok[k:]) for k in range(2, len(tok) - 1))
            split = next((h for h in halves if h[0] in _ALL_WORDS and h[1] in _ALL_WORDS), None)
            out.extend(split or (tok,))
    return out


def _fuzzy_whole(tokens: list[str], typed_with_marks: set[str]) -> list[str] | None:
    """A short message one letter from a phrase ("ket qa"), fillers aside, when it holds a
    word that can only be a typo."""
    core = [t for t in tokens if t not in _FILLER_WORDS and t[0] != "#"]
    if not 1 <= len(core) <= 4 or not any(_typo(t, typed_with_marks) for t in core):
        return None
    text = " ".join(core)
    targets = _FUZZY_TARGETS.get(text[0])
    if len(text) < 5 or not targets:
        return None
    cutoff = 2 if len(text) >= 12 else 1
    best = process.extractOne(text, targets, scorer=OSA.distance, score_cutoff=cutoff)
    if best is None:
        return None
    return [*best[0].split(" "), *(t for t in tokens if t[0] == "#")]


# --------------------------------------------------------------------------- slash commands

# Every name typed after the slash, to its intent kind (None: /start, the engine's business).
_SLASH: dict[str, IntentKind | None] = {
    name: cast(IntentKind | None, command.intent) for name, command in BY_NAME.items()
}
if not {kind for kind in _SLASH.values() if kind} <= INTENT_KINDS:
    raise ValueError("conversations.commands: unknown intent kind")
_SLASH_NAMES = sorted(_SLASH)
_RUN_ID = re.compile(r"(\d) (\d{1,2})$")  # "/sua_2_4": Telegram commands cannot hold a dot


def _slash(text: str, ids: Collection[str]) -> Intent | None:
    parts = text[1:].split(maxsplit=1)
    if not parts:
        return None
    words = normalise(parts[0].split("@", 1)[0]).split()
    rest = parts[1] if len(parts) > 1 else ""
    name = "".join(words)
    if name not in _SLASH and words:
        name, rest = words[0], " ".join([_RUN_ID.sub(r"\1.\2", " ".join(words[1:])), rest])
    if name not in _SLASH and len(name) >= 5:  # "/huongdn"
        close = process.extractOne(name, _SLASH_NAMES, scorer=OSA.distance, score_cutoff=1)
        name = close[0] if close else name
    kind = _SLASH.get(name)
    if kind is None:
        return None
    if name == QUESTION_COMMAND:
        # "/hoi <question>": the question itself; one the bot cannot read gets the help text.
        asked = parse_intent(rest, indicator_ids=ids) if rest.strip() else None
        return asked or Intent("help")
    if kind == "edit":
        _, found = _extract(normalise(rest))
        return Intent("edit", indicator=_known(found.indicator, ids))
    if kind == "need_level":
        _, found = _extract(normalise("muc " + rest))
        return Intent("need_level", level=found.level)
    return Intent(kind)


# --------------------------------------------------------------------------- entry point


def parse_intent(
    text: str, *, indicator_ids: Collection[str] = DEFAULT_IDS, strict: bool = False
) -> Intent | None:
    """The intent of a message, or None when it is not a recognised question or command.

    ``strict=True`` while the bot waits for free text (a unit name, an evidence reference, a
    description): then only slash commands, messages made of command words alone ("quay lại",
    "bỏ qua", "hủy", "kết quả", "xem báo cáo", "sửa 2.4"; no typo tolerance, and a bare "huy"
    needs its diacritics since it is also a given name) and messages that clearly ask (see
    :func:`is_question`) are intents. Otherwise one word besides the command words is tolerated
    ("báo cáo 2025") and typos typed without diacritics are corrected.
    """
    text = text.strip()
    if not text or len(text) > MAX_CHARS:
        return None
    if text[0] == "/":
        return _slash(text, indicator_ids)
    norm = normalise(text)
    if not any("a" <= ch <= "z" for ch in norm):
        # Numbers, fractions, percentages, dates, emoji: answers. A lone "?" asks for help;
        # "2.4?" asks about an indicator.
        if norm and set(norm) <= {"?", " "}:
            return Intent("help")
        if "?" not in norm:
            return None
    raw_low = unicodedata.normalize("NFC", text).lower()
    marked, found = _extract(norm)
    tokens = [t for t in (w.strip("./") for w in marked.replace("?", " ").split()) if t]
    if not tokens or (" ".join(tokens) in _ANSWERS and "dừng" not in raw_low):
        return None
    asks = _QMARK_END.search(text) is not None or _asks(tokens)
    intent = _judge(tokens, raw_low, found, indicator_ids, asks, strict)
    if (
        intent is not None
        or (strict and not asks)
        or (not asks and len(tokens) > MAX_COMMAND_WORDS)
    ):
        return intent
    # Typo tolerance: for questions, and in normal mode for messages short enough to be commands.
    marks = _typed_with_marks(raw_low)
    fixed = _correct(tokens, marks)
    if fixed != tokens:
        intent = _judge(fixed, raw_low, found, indicator_ids, asks, strict=False)
        if intent is not None:
            return intent
    whole = _fuzzy_whole(fixed, marks)
    if whole is None:
        return None
    return _judge(whole, raw_low, found, indicator_ids, asks, strict=False)
