"""Button ids are a wire format: stored states and messages already sent carry them, so the ids
this release builds are exactly the ones earlier releases sent, and every one of those reads
back to what it meant."""

from __future__ import annotations

import pytest

from conversations import buttons
from conversations.buttons import Press
from conversations.questions import UNIT_CHOICES

# Every id the dialogue has ever sent, with what it means.
SENT = {
    "nav:skip": Press("skip"),
    "nav:back": Press("back"),
    "q:report": Press("report"),
    "ob:new": Press("new_unit"),
    "ob:code": Press("have_code"),
    "pct:yes": Press("confirm"),
    "pct:no": Press("retype"),
    "ev:later": Press("evidence_later"),
    "ev:done": Press("evidence_done"),
    "ds:skip": Press("no_description"),
    "ut:xa": Press("unit_type", "xa"),
    "ut:thpt": Press("unit_type", "thpt"),
    "e:2.4": Press("edit", "2.4"),
    "e:": Press("edit", ""),
    "v:y": Press("value", "y"),
    "v:n": Press("value", "n"),
    "v:tap_the_lao_dong_xuat_sac": Press("value", "tap_the_lao_dong_xuat_sac"),
    "v:co_ban": Press("value", "co_ban"),
}


@pytest.mark.parametrize(("button_id", "meaning"), SENT.items())
def test_every_id_ever_sent_reads_back(button_id: str, meaning: Press) -> None:
    assert buttons.parse(button_id) == meaning


@pytest.mark.parametrize("button_id", ["", "nav:", "nav:skipx", "xx", "zz:1", "nav", "ev:soon"])
def test_an_id_never_sent_is_not_read(button_id: str) -> None:
    assert buttons.parse(button_id) is None


def test_the_builders_make_the_same_ids_as_before() -> None:
    fixed = [
        buttons.SKIP,
        buttons.BACK,
        buttons.REPORT,
        buttons.NEW_UNIT,
        buttons.HAVE_CODE,
        buttons.confirm(28),
        buttons.RETYPE,
        buttons.EVIDENCE_LATER,
        buttons.EVIDENCE_DONE,
        buttons.NO_DESCRIPTION,
    ]
    assert [b.id for b in fixed] == [
        "nav:skip",
        "nav:back",
        "q:report",
        "ob:new",
        "ob:code",
        "pct:yes",
        "pct:no",
        "ev:later",
        "ev:done",
        "ds:skip",
    ]
    assert (buttons.MET.id, buttons.NOT_MET.id) == ("v:y", "v:n")
    assert buttons.value("tot", "Tốt").id == "v:tot"
    assert buttons.edit("2.4", "2.4 Ngoại ngữ").id == "e:2.4"
    assert [buttons.unit_type(c, label).id for c, label, _, _ in UNIT_CHOICES][:3] == [
        "ut:xa",
        "ut:cqh",
        "ut:cqt",
    ]
    assert buttons.confirm(28).label == "Đúng, 28 người"


def test_only_skip_and_back_are_navigation() -> None:
    assert buttons.SKIP.navigation
    assert buttons.BACK.navigation
    others = [buttons.REPORT, buttons.NEW_UNIT, buttons.MET, buttons.EVIDENCE_LATER]
    assert not any(b.navigation for b in others)
    assert not buttons.edit("1.1", "1.1").navigation
