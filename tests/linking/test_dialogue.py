"""One person, two channels (issue 14, item 5), through the real conversation service on a real
database: the console's user asks for a code, the same official types it on Zalo or Telegram,
and both accounts are one person who continues one assessment."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Callable

from conversations import catalogue as say
from conversations.commands import MENU
from dvht_core import vietnam_time
from storage.db import Database
from tests.conversations.driver import (
    BotClient,
    Reply,
    answer,
    default_reply,
    onboard,
    saved_state,
    stored,
    walk_of,
)
from tests.linking.conftest import MovingClock
from tests.linking.helpers import code_in, memberships, other_code, person_of, rows

Clients = Callable[..., BotClient]
UNIT = "UBND xã Quảng Phú"
WALK = {i.id: i for i in walk_of("huyen", "ubnd_xa")}


async def _lan_with_a_code(make_client: Clients) -> tuple[BotClient, str]:
    """Lan on the console, her unit created and 1.1 answered, holding a fresh code."""
    lan = make_client("lan", "Lan", "console")
    await onboard(lan)
    await answer(lan, "v:y")
    assert lan.indicator == "1.2"
    await lan.send("/lienket")
    return lan, code_in(lan.text)


async def test_the_code_is_shown_with_its_explanation_and_the_question_stays(
    make_client: Clients, clock: MovingClock
) -> None:
    lan, code = await _lan_with_a_code(make_client)

    expires = vietnam_time.local(clock() + dt.timedelta(minutes=10))
    assert lan.last[0].text == say.link_code(code, clock() + dt.timedelta(minutes=10))
    assert f"hết hạn lúc {expires:%H:%M}" in lan.last[0].text
    assert "Gõ /lienket" in lan.last[0].text
    assert "Zalo hoặc Telegram" in lan.last[0].text
    assert lan.step == "value"
    assert lan.indicator == "1.2"


async def test_the_other_app_continues_the_same_assessment_and_answers(
    make_client: Clients, database: Database
) -> None:
    lan, code = await _lan_with_a_code(make_client)
    zalo = make_client("z-lan", "Lan trên Zalo", "zalo")

    await zalo.send(f"/lienket {code[:3]} {code[3:]}")

    assert zalo.last[0].text == say.linked("Lan", "console", UNIT, left_behind=False)
    assert (zalo.step, zalo.indicator) == ("value", "1.2")  # where the console is
    person = await person_of(database, "console", "lan")
    assert await person_of(database, "zalo", "z-lan") == person
    assert (await saved_state(database, "z-lan", "zalo"))["unit_id"] == (
        await saved_state(database, "lan", "console")
    )["unit_id"]

    await answer(zalo, default_reply(WALK["1.2"], 30))
    assert zalo.indicator == "1.3"

    record = await stored(database)  # one unit, one assessment: both answers in it
    assert set(record.answers) == {"1.1", "1.2"}
    assert record.answers["1.2"].answered_by == person
    await lan.send("sửa 1.2")  # the console sees the Zalo answer, and who gave it
    assert lan.indicator == "1.2"
    assert "Đã trả lời: " in lan.question_text
    assert "— Lan, " in lan.question_text
    await lan.send("tiếp tục")
    assert lan.indicator == "1.2"  # the edit's question again; the walk goes on from here
    audit = await rows(
        database, "SELECT actor_person_id FROM audit_log WHERE action = 'link_identity'"
    )
    assert len(audit) == 1
    assert audit[0]["actor_person_id"] == person


async def test_answers_given_before_the_link_keep_who_gave_them(
    make_client: Clients, database: Database
) -> None:
    """Lan used Zalo on its own first (another person, “Lan Zalo”, a member of her unit) and
    answered 1.2 there; once linked the history still names that person, the unit lists her
    once, and she keeps the higher role."""
    lan = make_client("lan", "Lan", "console")
    invite = await onboard(lan)
    zalo = make_client("z-lan", "Lan Zalo", "zalo")
    await zalo.send(f"/start {invite}")
    await answer(zalo, "v:y")  # 1.1 by the Zalo person
    old_zalo_person = await person_of(database, "zalo", "z-lan")
    lan_person = await person_of(database, "console", "lan")
    unit_id = (await stored(database)).unit.id
    assert await memberships(database, old_zalo_person) == [(unit_id, "member")]

    await lan.send("/lienket")
    await zalo.send(f"/lienket {code_in(lan.text)}")

    assert zalo.last[0].text == say.linked("Lan", "console", UNIT, left_behind=False)
    assert await memberships(database, lan_person) == [(unit_id, "unit_admin")]
    assert await memberships(database, old_zalo_person) == []  # listed once in the unit
    record = await stored(database)
    assert record.answers["1.1"].answered_by == old_zalo_person
    assert record.answers["1.1"].answered_by_name == "Lan Zalo"
    await lan.send("sửa 1.1")
    assert "— Lan Zalo, " in lan.question_text


async def test_the_linked_account_brings_its_units_and_the_higher_role(
    make_client: Clients, database: Database
) -> None:
    """Lan created the unit on Zalo (its admin) and later joined it from the console as a
    member, a second person: linking keeps the console's person, with the higher role."""
    zalo = make_client("z-lan", "Lan Zalo", "zalo")
    invite = await onboard(zalo, name="Trường Tiểu học Quảng Phú")
    lan = make_client("lan", "Lan", "console")
    await lan.send(f"/start {invite}")  # Lan's console person: a member of the Zalo unit
    lan_person = await person_of(database, "console", "lan")
    zalo_person = await person_of(database, "zalo", "z-lan")
    ((shared, _),) = await memberships(database, lan_person)
    assert await memberships(database, lan_person) == [(shared, "member")]

    await lan.send("/lienket")
    await zalo.send(f"/lienket {code_in(lan.text)}")

    assert await person_of(database, "zalo", "z-lan") == lan_person
    assert await memberships(database, lan_person) == [(shared, "unit_admin")]
    assert await memberships(database, zalo_person) == []
    audit = await rows(database, "SELECT details FROM audit_log WHERE action = 'link_identity'")
    details = audit[0]["details"]
    details = details if isinstance(details, dict) else json.loads(details)  # SQLite: text
    assert details["roles_raised"] == [shared]
    assert details["from_person"] == zalo_person
    assert details["to_person"] == lan_person


async def test_a_wrong_code_is_refused_in_one_sentence_and_the_question_comes_again(
    make_client: Clients, database: Database
) -> None:
    _lan, code = await _lan_with_a_code(make_client)
    telegram = make_client("777", "Lan", "telegram")
    await onboard(telegram, name="Thư viện xã")  # a question is waiting on Telegram
    await telegram.send("/lienket")
    assert telegram.indicator == "1.1"
    await telegram.send("hủy")  # nothing waiting: the question asked below is the idle hint

    await telegram.send(f"/lienket {other_code(code)}")

    assert telegram.errors == [say.link_wrong(4)]
    assert len(telegram.last) == 2  # the sentence, then the step's own prompt
    assert await person_of(database, "telegram", "777") != await person_of(
        database, "console", "lan"
    )


async def test_a_wrong_code_during_a_question_asks_that_question_again(
    make_client: Clients,
) -> None:
    _lan, code = await _lan_with_a_code(make_client)
    zalo = make_client("z-lan", "Lan", "zalo")
    await onboard(zalo, name="Thư viện xã")
    assert zalo.indicator == "1.1"

    await zalo.send(f"lien ket {other_code(code)}")

    assert zalo.errors == [say.link_wrong(4)]
    assert (zalo.step, zalo.indicator) == ("value", "1.1")


async def test_an_expired_code_says_so(make_client: Clients, clock: MovingClock) -> None:
    _lan, code = await _lan_with_a_code(make_client)
    zalo = make_client("z-lan", "Lan", "zalo")
    clock.advance(minutes=10)

    await zalo.send(f"/lienket {code}")

    assert zalo.errors == [say.LINK_EXPIRED]


async def test_five_wrong_codes_lock_linking_for_fifteen_minutes_then_it_works(
    make_client: Clients, clock: MovingClock, database: Database
) -> None:
    lan, code = await _lan_with_a_code(make_client)
    zalo = make_client("z-lan", "Lan", "zalo")
    wrong = other_code(code)
    for left in (4, 3, 2, 1):
        await zalo.send(f"/lienket {wrong}")
        assert zalo.errors == [say.link_wrong(left)]

    await zalo.send(f"/lienket {wrong}")  # the fifth
    until = clock() + dt.timedelta(minutes=15)
    assert zalo.errors == [say.link_locked(until, just_now=True)]
    assert "09:15 ngày 20/11/2025 (giờ Việt Nam)" in zalo.errors[0]

    clock.advance(minutes=9)
    await zalo.send(f"/lienket {code}")  # the right code, still locked
    assert zalo.errors == [say.link_locked(until, just_now=False)]
    assert await person_of(database, "zalo", "z-lan") != await person_of(
        database, "console", "lan"
    )

    clock.advance(minutes=6)  # the lock is over; the first code has expired meanwhile
    await lan.send("/lienket")
    await zalo.send(f"/lienket {code_in(lan.text)}")
    assert zalo.last[0].text == say.linked("Lan", "console", UNIT, left_behind=False)


async def test_the_lock_is_per_account(make_client: Clients) -> None:
    _lan, code = await _lan_with_a_code(make_client)
    zalo = make_client("z-lan", "Lan", "zalo")
    for _ in range(5):
        await zalo.send(f"/lienket {other_code(code)}")
    telegram = make_client("777", "Lan", "telegram")

    await telegram.send(f"/lienket {code}")

    assert telegram.last[0].text == say.linked("Lan", "console", UNIT, left_behind=False)


async def test_a_code_typed_in_the_account_that_asked_for_it_links_nothing(
    make_client: Clients, database: Database
) -> None:
    lan, code = await _lan_with_a_code(make_client)

    await lan.send(f"/lienket {code}")

    assert lan.errors == [say.LINK_OWN_CODE]
    assert lan.indicator == "1.2"
    zalo = make_client("z-lan", "Lan", "zalo")  # neither used up nor counted as a guess
    await zalo.send(f"/lienket {code}")
    assert zalo.last[0].text == say.linked("Lan", "console", UNIT, left_behind=False)


async def test_a_code_works_once(make_client: Clients, database: Database) -> None:
    _lan, code = await _lan_with_a_code(make_client)
    await make_client("z-lan", "Lan", "zalo").send(f"/lienket {code}")
    telegram = make_client("777", "Lan", "telegram")

    await telegram.send(f"/lienket {code}")

    assert telegram.errors == [say.LINK_USED]
    assert await person_of(database, "telegram", "777") != await person_of(
        database, "console", "lan"
    )


async def test_asking_again_retires_the_previous_code(make_client: Clients) -> None:
    lan, first = await _lan_with_a_code(make_client)
    await lan.send("liên kết")
    second = code_in(lan.text)
    zalo = make_client("z-lan", "Lan", "zalo")

    await zalo.send(f"/lienket {first}")
    assert zalo.errors == [say.LINK_EXPIRED]
    await zalo.send(f"/lienket {second}")
    assert zalo.last[0].text.startswith("Đã liên kết")


async def test_two_accounts_of_one_person_are_told_they_are_linked_already(
    make_client: Clients,
) -> None:
    lan, code = await _lan_with_a_code(make_client)
    zalo = make_client("z-lan", "Lan", "zalo")
    await zalo.send(f"/lienket {code}")
    await zalo.send("/lienket")

    await lan.send(f"/lienket {code_in(zalo.text)}")

    assert lan.last[0].text == say.LINK_SAME_PERSON
    assert lan.errors == []


async def test_a_linked_account_may_be_linked_to_another_person(
    make_client: Clients, database: Database
) -> None:
    """Zalo, linked to Lan's console, types a code from Minh's Telegram: the Zalo account moves
    to Minh's person (with the units it could reach), Lan's console keeps hers."""
    _lan, code = await _lan_with_a_code(make_client)
    zalo = make_client("z-lan", "Lan", "zalo")
    await zalo.send(f"/lienket {code}")
    lan_person = await person_of(database, "console", "lan")
    ((unit_id, _),) = await memberships(database, lan_person)
    minh = make_client("888", "Minh", "telegram")
    await minh.send("/lienket")

    await zalo.send(f"/lienket {code_in(minh.text)}")

    assert zalo.last[0].text == say.linked("Minh", "telegram", UNIT, left_behind=True)
    minh_person = await person_of(database, "telegram", "888")
    assert await person_of(database, "zalo", "z-lan") == minh_person
    assert await person_of(database, "console", "lan") == lan_person
    assert await memberships(database, lan_person) == [(unit_id, "unit_admin")]
    assert await memberships(database, minh_person) == [(unit_id, "unit_admin")]


async def test_a_malformed_code_is_explained_and_not_counted(make_client: Clients) -> None:
    _lan, code = await _lan_with_a_code(make_client)
    zalo = make_client("z-lan", "Lan", "zalo")
    for typed in ("/lienket 12345", "/lienket abc", "lien ket 1234567", "/lienket 12", "/link 1"):
        await zalo.send(typed)
        assert zalo.errors == [say.LINK_MALFORMED], typed

    await zalo.send(f"/lienket {code[:3]}-{code[3:]}")
    assert zalo.last[0].text.startswith("Đã liên kết")


async def test_the_words_typed_in_any_form_ask_for_a_code(make_client: Clients) -> None:
    lan = make_client("lan", "Lan", "console")
    await onboard(lan)
    for typed in (unicodedata.normalize("NFD", "Liên kết"), "lien ket", "/lienket", "LIÊN KẾT"):
        await lan.send(typed)
        assert code_in(lan.text), typed


async def test_a_title_that_mentions_linking_is_not_a_request(make_client: Clients) -> None:
    lan = make_client("lan", "Lan", "console")
    await onboard(lan)
    await lan.click("v:y")
    assert lan.step == "evidence"

    await lan.send("Liên kết với trường tiểu học")

    assert "Gõ /lienket" not in lan.text
    assert lan.step == "evidence"


async def test_in_a_group_the_bot_asks_for_a_private_chat_and_issues_nothing(
    make_client: Clients, database: Database
) -> None:
    lan = make_client("lan", "Lan", "telegram")
    await lan.deliver(lan.inbound(text="/lienket", is_group=True))

    assert [r.text for r in lan.last] == [say.GROUP_PRIVATE]
    assert await rows(database, "SELECT id FROM link_codes") == []


async def test_the_help_and_the_menu_name_lienket(make_client: Clients) -> None:
    assert "lienket" in dict(MENU)
    lan = make_client("lan", "Lan", "zalo")
    await lan.send("/huongdan")
    assert "/lienket" in lan.text


async def test_a_newcomer_who_links_goes_on_where_the_other_app_is(
    make_client: Clients,
) -> None:
    """A first message that is a code: the new Zalo account starts at Lan's indicator, not at
    the welcome."""
    lan, _code = await _lan_with_a_code(make_client)
    await answer(lan, Reply(default_reply(WALK["1.2"], 30).value))
    assert lan.indicator == "1.3"
    await lan.send("/lienket")
    zalo = make_client("z-new", None, "zalo")

    await zalo.send(f"/lienket {code_in(lan.text)}")

    assert (zalo.step, zalo.indicator) == ("value", "1.3")
