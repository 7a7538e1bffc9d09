"""Words officials type are understood: the unit type, đạt / chưa đạt, the emulation title and
the digital level in plain words and without diacritics; “Ý bạn là …?” when unsure.

The tables run the matcher on the options the questions really offer (fast, many variants);
the dialogues then send the words through the real service, as an official would.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conversations import buttons, matching, questions
from conversations import catalogue as say
from conversations.choosing import options_of
from conversations.messages import Button
from conversations.vocabulary import PHRASES
from dvht_core.loader import load_rulebook
from storage.db import Database
from tests.conversations.driver import (
    BotClient,
    onboard,
    saved_state,
    stored,
    values,
    walk,
)

_INDICATORS = {i.kind: i for i in load_rulebook("tt24-tinh").indicators}
YES_NO = questions.value_buttons(_INDICATORS["yes_no"])
TITLES = questions.value_buttons(_INDICATORS["emulation_title"])
LEVELS = questions.value_buttons(_INDICATORS["digital_level"])


def _read(text: str, offered: tuple[Button, ...]) -> str | tuple[str, ...] | None:
    """The button id the words pick, the candidates when unsure (a tuple), or None."""
    said = matching.match(text, options_of(offered))
    return said.candidates if isinstance(said, matching.Unsure) else said


UNIT_TYPES = [
    # The words of the issue.
    ("UBND xã", "ut:xa"),
    ("xã", "ut:xa"),
    ("ubnd xa", "ut:xa"),
    ("phường", "ut:xa"),
    ("Trường mầm non", "ut:mn"),
    ("trường THCS", "ut:th"),
    # Close variants: marks, case, punctuation, other common names.
    ("Xã", "ut:xa"),
    ("XA", "ut:xa"),
    ("phuong", "ut:xa"),
    ("UBND phường", "ut:xa"),
    ("Ủy ban nhân dân xã", "ut:xa"),
    ("uỷ ban nhân dân phường", "ut:xa"),
    ("thị trấn", "ut:xa"),
    ("xã, phường", "ut:xa"),
    ("ubnd xa, phuong", "ut:xa"),
    ("đơn vị tôi là UBND xã ạ", "ut:xa"),
    ("mầm non", "ut:mn"),
    ("truong mau giao", "ut:mn"),
    ("truong mam nom", "ut:mn"),  # one letter off: still sure
    ("tiểu học", "ut:th"),
    ("thcs", "ut:th"),
    ("Trung học cơ sở", "ut:th"),
    ("tieu hocc", "ut:th"),
    ("THPT", "ut:thpt"),
    ("trường trung học phổ thông", "ut:thpt"),
    ("cấp 3", "ut:thpt"),
    ("trung tâm GDNN-GDTX", "ut:gdnnh"),
    ("cao đẳng", "ut:gdnnt"),
    ("trường trung cấp", "ut:gdnnt"),
    ("đại học", "ut:dh"),
    ("Học viện", "ut:dh"),
    ("hợp tác xã", "ut:dnh"),  # holds “xã”, but the longer phrase wins
    ("HTX", "ut:dnh"),
    ("doanh nghiệp tỉnh", "ut:dnt"),
    ("cơ quan cấp tỉnh", "ut:cqt"),
    ("sở ban ngành", "ut:cqt"),
    ("đoàn thể cấp xã", "ut:cqh"),
    # Unsure: asked, never guessed.
    ("cơ quan", ("ut:cqh", "ut:cqt")),
    ("doanh nghiệp", ("ut:dnh", "ut:dnt")),
    ("GDTX", ("ut:thpt", "ut:gdnnh")),
    ("UBND xã Hòa Bình", ("ut:xa",)),  # the name typed again: is it a commune?
    ("trường tiểu học và mầm non", ("ut:th", "ut:mn")),
    ("dai hox", ("ut:dh",)),
    # Nothing.
    ("xs", None),
    ("trường", None),  # every school: the list is asked again with examples, not two guesses
    ("không biết", None),
    ("có lẽ là xã", None),
    ("Báo cáo kết quả học tập của đơn vị năm nay rất tốt và đầy đủ", None),
]

YES_NO_WORDS = [
    ("đạt", "v:y"),
    ("Đạt.", "v:y"),
    ("dat", "v:y"),
    ("đạt rồi", "v:y"),
    ("dat roi", "v:y"),
    ("đã đạt", "v:y"),
    ("đã đạt rồi ạ", "v:y"),
    ("có", "v:y"),
    ("có ạ", "v:y"),
    ("rồi", "v:y"),
    ("vâng", "v:y"),
    ("đạt yêu cầu", "v:y"),
    ("đạt được", "v:y"),
    ("chưa", "v:n"),
    ("chưa đạt", "v:n"),  # holds “đạt”
    ("chua dat", "v:n"),
    ("chuadat", "v:n"),
    ("không đạt", "v:n"),
    ("khong dat", "v:n"),
    ("ko đạt", "v:n"),
    ("k dat", "v:n"),
    ("không", "v:n"),
    ("chưa có", "v:n"),  # holds “có”
    ("chưa đạt được", "v:n"),
    ("chưa đạt yêu cầu", "v:n"),  # holds “đạt yêu cầu”
    ("đạt chưa", ("v:y", "v:n")),  # both said: asked
    ("không biết", None),  # “không” beside a word of doubt is no answer
    ("có lẽ vậy", None),
    ("chắc là đạt", None),
    ("xong", None),  # short words are not corrected: “xong” is not “hông”
    ("27", None),
]

TITLE_WORDS = [
    ("lao động xuất sắc", "v:tap_the_lao_dong_xuat_sac"),
    ("lao dong xuat sac", "v:tap_the_lao_dong_xuat_sac"),
    ("Tập thể lao động xuất sắc", "v:tap_the_lao_dong_xuat_sac"),
    ("xuất sắc", "v:tap_the_lao_dong_xuat_sac"),
    ("LĐXS", "v:tap_the_lao_dong_xuat_sac"),
    ("lao dong xuat xac", "v:tap_the_lao_dong_xuat_sac"),
    ("lao động tiên tiến", "v:tap_the_lao_dong_tien_tien"),
    ("tien tien", "v:tap_the_lao_dong_tien_tien"),
    ("cờ tỉnh", "v:co_thi_dua_bo_nganh_tinh"),
    ("cờ thi đua cấp bộ", "v:co_thi_dua_bo_nganh_tinh"),
    ("cờ thi đua của Chính phủ", "v:co_thi_dua_chinh_phu"),
    ("co chinh phu", "v:co_thi_dua_chinh_phu"),
    ("chưa có", "v:khong_co"),
    ("không", "v:khong_co"),
    ("chưa có danh hiệu", "v:khong_co"),
    ("cờ thi đua", ("v:co_thi_dua_bo_nganh_tinh", "v:co_thi_dua_chinh_phu")),
    ("chưa đạt lao động xuất sắc", ("v:tap_the_lao_dong_xuat_sac", "v:khong_co")),
    ("có", None),  # “có” is not “cờ”
    ("không có kế hoạch", ("v:khong_co",)),
    ("xs", None),
    ("xã", None),
]

LEVEL_WORDS = [
    ("cơ bản", "v:co_ban"),
    ("co ban", "v:co_ban"),
    ("mức đáp ứng cơ bản", "v:co_ban"),
    ("tốt", "v:tot"),
    ("tot", "v:tot"),
    ("đáp ứng tốt", "v:tot"),
    ("chưa đáp ứng", "v:chua_dap_ung"),
    ("chưa đạt", "v:chua_dap_ung"),
    ("không đạt", "v:chua_dap_ung"),
    ("đạt", ("v:co_ban", "v:tot")),
    ("co bna", ("v:co_ban",)),
    ("mức 2", None),  # QĐ 4725's numbered levels are not ĐVHT levels: never read in
]


@pytest.mark.parametrize(
    ("offered", "typed", "expected"),
    [(questions.UNIT_BUTTONS, t, e) for t, e in UNIT_TYPES]
    + [(YES_NO, t, e) for t, e in YES_NO_WORDS]
    + [(TITLES, t, e) for t, e in TITLE_WORDS]
    + [(LEVELS, t, e) for t, e in LEVEL_WORDS],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_plain_words_name_the_option(
    offered: tuple[Button, ...], typed: str, expected: str | tuple[str, ...] | None
) -> None:
    assert _read(typed, offered) == expected


def test_every_label_names_its_own_option() -> None:
    offered_lists = (questions.UNIT_BUTTONS, questions.WELCOME_BUTTONS, YES_NO, TITLES, LEVELS)
    for offered in offered_lists:
        for button in offered:
            if not button.navigation:
                assert _read(button.label, offered) == button.id, button


def test_every_phrase_names_an_option_a_question_offers() -> None:
    offered = {
        buttons.parse(b.id)
        for b in (*questions.UNIT_BUTTONS, *questions.WELCOME_BUTTONS, *YES_NO, *TITLES, *LEVELS)
    }
    for kind, arg in PHRASES:
        assert buttons.Press(kind, arg) in offered, (kind, arg)


def test_a_phrase_shared_by_two_options_is_always_asked() -> None:
    """Every phrase either picks its option for sure or, when listed under several options on
    purpose, proposes exactly those: no phrase is silently read as another option."""
    for offered in (questions.UNIT_BUTTONS, YES_NO, TITLES, LEVELS):
        owners: dict[tuple[str, ...], set[str]] = {}
        for option in options_of(offered):
            for phrase in option.phrases:
                owners.setdefault(phrase, set()).add(option.key)
        for phrase, keys in owners.items():
            read = _read(" ".join(phrase), offered)
            expected = next(iter(keys)) if len(keys) == 1 else None
            if expected is not None:
                assert read == expected, (phrase, read)
            else:
                assert isinstance(read, tuple), (phrase, read)
                assert set(read) == keys, (phrase, read)


# --- through the dialogue -----------------------------------------------------------------------


async def _at_type(client: BotClient) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await client.send("UBND xã Hòa Bình")
    await client.send("Quảng Trị")
    assert client.step == "ask_type", client.text


async def _draft(database: Database, client: BotClient) -> dict[str, object]:
    state = await saved_state(database, client.user_id, client.channel)
    return dict(state["draft"])


@pytest.mark.parametrize(
    ("typed", "unit_type", "tier"),
    [
        ("UBND xã", "ubnd_xa", "huyen"),
        ("xã", "ubnd_xa", "huyen"),
        ("ubnd xa", "ubnd_xa", "huyen"),
        ("phường", "ubnd_xa", "huyen"),
        ("Trường mầm non", "mam_non", "huyen"),
        ("trường THCS", "pho_thong", "huyen"),
        ("trường THPT", "pho_thong", "tinh"),
    ],
)
async def test_the_unit_type_in_plain_words(
    client: BotClient, database: Database, typed: str, unit_type: str, tier: str
) -> None:
    await _at_type(client)
    await client.send(typed)
    assert client.errors == []
    assert client.step == "ask_members", client.text
    draft = await _draft(database, client)
    assert (draft["unit_type"], draft["tier"]) == (unit_type, tier)


async def test_unsure_words_ask_and_yes_picks_the_one_proposed(
    client: BotClient, database: Database
) -> None:
    await _at_type(client)
    await client.send("UBND xã Hòa Bình")
    question = client.asked_now()
    assert question is not None
    assert question.text == say.guess(["UBND xã, phường"], True)
    assert [b.id for b in question.buttons] == ["ut:xa"]
    assert (await _draft(database, client)).get("unit_type") is None  # nothing guessed
    await client.send("có")
    assert client.step == "ask_members"
    assert (await _draft(database, client))["unit_type"] == "ubnd_xa"


async def test_no_to_a_proposal_asks_the_question_again(
    client: BotClient, database: Database
) -> None:
    await _at_type(client)
    await client.send("trường tiểu học và mầm non")
    question = client.asked_now()
    assert question is not None
    assert question.text == say.guess(["Trường tiểu học, THCS", "Trường mầm non công lập"], True)
    # Under the numbers of the list they come from: a number keeps its meaning in the step.
    assert [(b.id, b.number) for b in question.buttons] == [("ut:th", 5), ("ut:mn", 4)]
    await client.send("không")
    assert client.step == "ask_type"
    assert client.errors == []
    await client.send("có")  # the proposal was answered: “có” now names nothing
    assert client.errors == [say.pick_a_type(True)]
    assert client.step == "ask_type"


async def test_a_proposal_is_answered_by_its_number_or_a_button(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    console = make_client("cs-1", "Hà", "console")
    await _at_type(console)
    await console.send("co quan")
    assert console.asked_now() is not None
    assert console.text == say.guess(
        ["Cơ quan, đoàn thể cấp xã/huyện", "Cơ quan, đoàn thể cấp tỉnh"], False
    )
    await console.send("3")  # number 3 of the type list, as before the proposal
    assert console.step == "ask_members"
    assert (await _draft(database, console))["unit_type"] == "co_quan"
    assert (await _draft(database, console))["tier"] == "tinh"

    telegram = make_client("tg-1", "Lan", "telegram")
    await _at_type(telegram)
    await telegram.send("doanh nghiep")
    await telegram.click("ut:dnh")
    assert telegram.step == "ask_members"


async def test_a_proposal_is_forgotten_after_one_message(
    client: BotClient, database: Database
) -> None:
    await _at_type(client)
    await client.send("UBND xã Hòa Bình")
    await client.send("tiến độ")  # a quick question in between
    assert (await _draft(database, client)).get("guess") is None
    await client.send("có")
    assert client.errors == [say.pick_a_type(True)]


async def test_yes_no_in_plain_words(client: BotClient, database: Database) -> None:
    await onboard(client)
    for typed, met in [
        ("đạt rồi", True),
        ("chưa", False),
        ("không đạt", False),
        ("dat roi", True),
        ("chua dat", False),
        ("đã đạt ạ", True),
        ("không đạt yêu cầu", False),
        ("đạt yêu cầu", True),  # an answer here, not “what is needed to reach a level”
    ]:
        await client.send("sửa 1.1")
        assert client.indicator == "1.1", client.text
        await client.send(typed)
        assert client.errors == [], (typed, client.text)
        assert values(await stored(database))["1.1"] == {"met": met}, typed
    await client.send("sửa 1.1")
    await client.send("đạt chưa nhỉ")  # a question about the result: answered, then asked again
    assert client.step == "value"
    assert client.indicator == "1.1"
    assert values(await stored(database))["1.1"] == {"met": True}  # as answered last


async def test_yes_no_proposal(client: BotClient, database: Database) -> None:
    await onboard(client)
    await client.send("đạt 100% rồi")
    assert client.text == say.guess(["Đạt"], True)
    assert "1.1" not in values(await stored(database))
    await client.send("đúng")
    assert values(await stored(database))["1.1"] == {"met": True}
    assert client.step == "evidence"


async def test_title_and_digital_level_in_plain_words(
    client: BotClient, database: Database
) -> None:
    await onboard(client, unit_type="ut:thpt", members=40)
    replies = {"3.1": "40"}
    await walk(client, "tinh", "pho_thong", 40, stop_before="3.1")
    await client.send(replies["3.1"])
    await client.send("900")  # learners total
    await client.send("900")  # learners who are “Công dân học tập”
    await client.click("ev:later")
    await client.click("ds:skip")
    await client.click(buttons.NO_STRENGTHS.id)
    await walk(client, "tinh", "pho_thong", 40, stop_before="3.3")
    assert client.indicator == "3.3"
    await client.send("lao động xuất sắc")
    assert client.last[0].text == "Đã lưu 3.3: Tập thể lao động xuất sắc."
    await client.send("sửa 3.3")
    await client.send("co thi dua")
    assert client.text == say.guess(
        ["Cờ thi đua cấp bộ, ban, ngành, tỉnh", "Cờ thi đua của Chính phủ"], True
    )
    await client.send("3")
    assert values(await stored(database))["3.3"] == {"title": "co_thi_dua_bo_nganh_tinh"}
    await client.click("ev:later")
    await client.click("ds:skip")
    await client.click(buttons.NO_STRENGTHS.id)
    assert client.indicator == "3.4"
    await client.send("đạt")
    assert client.text == say.guess(["Mức đáp ứng cơ bản", "Mức đáp ứng tốt"], True)
    await client.send("tốt")
    assert values(await stored(database))["3.4"] == {"dt_level": "tot"}
    await client.send("sửa 3.4")
    await client.send("chưa đạt")
    assert values(await stored(database))["3.4"] == {"dt_level": "chua_dap_ung"}


async def test_the_welcome_in_plain_words(client: BotClient) -> None:
    await client.send("/start")
    await client.send("tạo đơn vị mới")
    assert client.step == "ask_name"
    other = BotClient(client.service, "khoa", client.files, "Khoa")
    await other.send("/start")
    await other.send("có mã mời")
    assert other.step == "ask_code"
    await other.send("/start")
    await other.send("gì vậy")
    assert other.errors == [say.pick_a_start(True)]
    assert other.step == "welcome"
