"""The dashboard in a real browser (Debian's chromium through Playwright) against a real
`dvht serve` process whose Telegram bot talks to the fake Bot API server.

A reviewer of office 1 signs in through a one-time link (the confirm page's button), filters
the units by status, searches without diacritics, opens a unit (downloads an evidence file)
and returns its dossier with a reason (the unit's members receive the notice on Telegram: the
fake server's sendMessage), recognises another unit, downloads the XLSX and reads it back,
looks at the charts and logs out; the list and a unit's page are also checked at 390×844 (no
sideways scrolling of the page, buttons a finger can hit). Screenshots of each step are saved
under test-output/screenshots/ for people to look at.

The tests run in file order on one served process (module scope): a decision made by one is
seen by the next. Each opens its own browser context, so each signs in for itself.
"""

from __future__ import annotations

import io
import re
import time
import unicodedata
from collections.abc import Callable

import openpyxl  # type: ignore[import-untyped]
import pytest
from playwright.async_api import Browser, Dialog, Page

from tests.browser.conftest import Served, finish, new_page, screenshot
from tests.dashboard_matrix.world import World
from tests.telegram.fake_bot_api import Call
from web.dashboard import text

pytestmark = pytest.mark.asyncio(loop_scope="module")
NOTICE_S = 30.0
"""The dispatcher delivers a notice at once (the dashboard's decision nudges it: about 2 s
here); unnudged it would wait for its next look, up to 60 s later."""
REASON = "Thiếu biên bản họp đánh giá của đơn vị; đề nghị bổ sung minh chứng chỉ tiêu 1.2."


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def reviewer1(world: World) -> int:
    assert world.reviewer1 is not None
    return world.reviewer1.person_id


async def accept_dialogs(page: Page) -> None:
    """Decisions ask “are you sure?” (`data-confirm`, a window.confirm): say yes, as the
    reviewer would (Playwright dismisses dialogs unless told)."""

    async def accept(dialog: Dialog) -> None:
        await dialog.accept()

    page.on("dialog", accept)


async def sign_in(
    page: Page, served: Served, person_id: int, shot: str | None = None, link: str | None = None
) -> str:
    """Open a one-time link (a fresh one unless given), press the confirm page's one button,
    land on /donvi; the link."""
    link = link or await served.login_link(person_id)
    await page.goto(link)
    button = page.get_by_role("button", name=text.LOGIN_BUTTON)
    await button.wait_for()
    if shot:
        await screenshot(page, shot)
    await button.click()
    await page.wait_for_url(re.compile(r"/donvi$"))
    return link


async def listed(page: Page, world: World) -> set[str]:
    """The seeded units whose names the page shows as links."""
    body = nfc(await page.inner_text("main"))
    return {name for name in world.units if name in body}


# --- signing in and the list ------------------------------------------------------------------


async def test_sign_in_through_a_link_and_log_out(browser: Browser, served: Served) -> None:
    page = await new_page(browser, served.base_url)
    world = served.world
    link = await sign_in(page, served, reviewer1(world), shot="01-login-confirm-desktop")
    cookies = await page.context.cookies()
    session = [c for c in cookies if c["name"] == "dvht_session"]
    assert len(session) == 1
    assert session[0]["httpOnly"]
    assert session[0]["sameSite"] == "Lax"
    await screenshot(page, "02-units-desktop")
    shown = await listed(page, world)
    assert shown == {world.named(u) for u in world.in_office(world.office1)}
    await page.get_by_role("button", name=text.NAV_LOGOUT).click()
    await page.wait_for_load_state()
    assert text.LOGGED_OUT in await page.inner_text("main")
    await page.goto("/donvi")
    assert page.url.endswith("/dangnhap")

    await page.goto(link)  # the same link again: used, so it signs nobody in
    async with page.expect_navigation():
        await page.get_by_role("button", name=text.LOGIN_BUTTON).click()
    assert text.LOGIN_USED in nfc(await page.inner_text("main"))
    assert not [c for c in await page.context.cookies() if c["name"] == "dvht_session"]
    await finish(page, expected=("status of 410",))


async def test_filter_by_status_and_search_without_diacritics(
    browser: Browser, served: Served
) -> None:
    page = await new_page(browser, served.base_url)
    world = served.world
    await sign_in(page, served, reviewer1(world))
    submitted = {
        world.named(u) for u in world.in_office(world.office1) if world.status_of[u] == "submitted"
    }
    status = page.locator("main select[name=status]")
    await status.select_option("submitted")
    if "status=submitted" not in page.url:  # unless the select sends its form on change
        async with page.expect_navigation():
            await page.locator("main form:has(select[name=status]) [type=submit]").click()
    await page.wait_for_url(re.compile(r"status=submitted"))
    assert await listed(page, world) == submitted
    await screenshot(page, "03-units-filtered-desktop")

    search = page.locator("main input[type=search], main input[name=q]").first
    await search.fill("quang dien")  # “Quảng Điền” typed without its diacritics
    async with page.expect_navigation():
        await search.press("Enter")
    assert await listed(page, world) == {"UBND xã Quảng Điền"}
    await screenshot(page, "04-units-search-desktop")
    await finish(page)


# --- the office's decisions ---------------------------------------------------------------------


async def open_unit(page: Page, world: World, unit_id: int) -> None:
    """From the list, the unit's link (by its name)."""
    await page.goto("/donvi")
    await page.get_by_role("link", name=world.named(unit_id), exact=True).first.click()
    await page.wait_for_url(re.compile(rf"/donvi/{unit_id}(\?.*)?$"))


def carries_reason(chat_id: int) -> Callable[[Call], bool]:
    """A delivered message to `chat_id` that carries the reason."""

    def match(call: Call) -> bool:
        return call.ok and call.chat_id == chat_id and REASON in nfc(call.text)

    return match


async def test_return_a_dossier_and_the_members_are_told(browser: Browser, served: Served) -> None:
    page = await new_page(browser, served.base_url)
    await accept_dialogs(page)
    world = served.world
    assert world.member is not None
    assert world.admin is not None
    await sign_in(page, served, reviewer1(world))
    await open_unit(page, world, world.unit_x)
    await screenshot(page, "05-unit-desktop")
    body = nfc(await page.inner_text("main"))
    assert world.named(world.unit_x) in body
    evidence = page.locator(f"a[href$='/minhchung/{world.evidence_of[world.unit_x]}']")
    async with page.expect_download() as info:
        await evidence.click()
    download = await info.value
    assert download.suggested_filename.endswith(".pdf")
    assert (await download.path()).read_bytes().startswith(b"%PDF")
    since = served.telegram.mark()

    form = page.locator("form[action$='/tra-lai']")
    await form.locator("textarea, input[name=reason]").first.fill(REASON)
    async with page.expect_navigation():
        await form.locator("button[type=submit]").click()
    await screenshot(page, "06-unit-returned-desktop")
    assert REASON in nfc(await page.inner_text("main"))

    deadline = time.monotonic() + NOTICE_S
    for person in (world.member, world.admin):  # every member of the unit, the admin too
        call = await served.telegram.wait_for(
            "sendMessage",
            carries_reason(person.chat_id),
            timeout=max(1.0, deadline - time.monotonic()),
            since=since,
        )
        assert world.named(world.unit_x) in nfc(call.text)
    assert world.reviewer2 is not None
    other_office = carries_reason(world.reviewer2.chat_id)
    assert not [c for c in served.telegram.calls_of("sendMessage", since=since) if other_office(c)]
    await finish(page)


async def test_recognise_another_unit(browser: Browser, served: Served) -> None:
    page = await new_page(browser, served.base_url)
    await accept_dialogs(page)
    world = served.world
    await sign_in(page, served, reviewer1(world))
    unit_id = min(
        u
        for u in world.in_office(world.office1)
        if world.status_of[u] == "submitted" and u != world.unit_x
    )
    await open_unit(page, world, unit_id)
    form = page.locator("form[action$='/cong-nhan']")
    await form.locator("[name=decision_number]").fill("37/QĐ-UBND")
    date = form.locator("[name=decision_date]")
    kind = await date.get_attribute("type")
    today = time.strftime("%Y-%m-%d") if kind == "date" else time.strftime("%d/%m/%Y")
    await date.fill(today)
    level = form.locator("[name=level]")
    if await level.evaluate("e => e.tagName") == "SELECT":
        await level.select_option("2")
    else:
        await form.locator("[name=level][value='2']").check()
    await screenshot(page, "07-recognise-form-desktop")
    async with page.expect_navigation():
        await form.locator("button[type=submit]").click()
    body = nfc(await page.inner_text("main"))
    assert "37/QĐ-UBND" in body
    assert "đã công nhận" in body.lower()
    await screenshot(page, "08-unit-recognised-desktop")
    await finish(page)


# --- exports and charts -------------------------------------------------------------------------


async def test_download_the_xlsx_and_read_it_back(browser: Browser, served: Served) -> None:
    page = await new_page(browser, served.base_url)
    world = served.world
    await sign_in(page, served, reviewer1(world))
    async with page.expect_download() as info:
        await page.locator("a[href*='/xuat/donvi.xlsx']").first.click()
    download = await info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = await download.path()
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes is not None  # the header stays in view
    names = {}
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and nfc(cell.value) in world.units:
                names[nfc(cell.value)] = cell
    assert set(names) == {world.named(u) for u in world.in_office(world.office1)}
    assert all(cell.data_type == "s" for cell in names.values())  # text, never a formula
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    await finish(page)


async def test_the_charts(browser: Browser, served: Served) -> None:
    page = await new_page(browser, served.base_url)
    await sign_in(page, served, reviewer1(served.world))
    await page.get_by_role("link", name=text.NAV_CHARTS).first.click()
    await page.wait_for_url(re.compile(r"/bieudo$"))
    charts = page.locator("main svg")
    assert await charts.count() >= 3  # levels, indicators failed, progress to the deadline
    for index in range(await charts.count()):
        chart = charts.nth(index)
        assert await chart.is_visible()
        title = await chart.evaluate(
            "svg => (svg.querySelector('title')?.textContent || svg.getAttribute('aria-label')"
            " || '').trim()"
        )
        assert title, f"chart {index} has no title"
    await screenshot(page, "09-charts-desktop")
    await finish(page)


async def test_a_unit_admin_sees_their_unit_alone_without_the_office_s_actions(
    browser: Browser, served: Served
) -> None:
    page = await new_page(browser, served.base_url)
    world = served.world
    assert world.admin is not None
    await sign_in(page, served, world.admin.person_id)
    assert await listed(page, world) == {world.named(world.unit_x)}
    await open_unit(page, world, world.unit_x)
    assert await page.locator("form[action$='/tra-lai'], form[action$='/cong-nhan']").count() == 0
    assert await page.get_by_role("link", name=text.NAV_ADMIN).count() == 0
    await screenshot(page, "15-unit-admin-desktop")
    await finish(page)


# --- on a phone ---------------------------------------------------------------------------------


async def fits_a_phone(page: Page, name: str) -> None:
    """No sideways scrolling of the page; every visible button at least 44 px tall."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name}: the page is {width} px wide on a 390 px screen"
    small = await page.evaluate(
        """() => [...document.querySelectorAll('button, .button, input[type=submit]')]
            .filter(b => b.offsetParent !== null)
            .map(b => [b.textContent.trim(), b.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert small == [], f"{name}: buttons too small to tap: {small}"
    await screenshot(page, f"{name}-phone")


async def test_on_a_390_px_phone(browser: Browser, served: Served) -> None:
    page = await new_page(browser, served.base_url, phone=True)
    world = served.world
    await sign_in(page, served, reviewer1(world), shot="10-login-confirm-phone")
    await fits_a_phone(page, "11-units")
    recognised = world.first(world.office1, "recognised")
    for unit_id, name in ((world.unit_x, "12-unit-returned"), (recognised, "13-unit")):
        await page.goto(f"/donvi/{unit_id}")
        await fits_a_phone(page, name)
    await page.goto("/bieudo")
    await fits_a_phone(page, "14-charts")
    await finish(page)


async def test_the_served_process_stayed_healthy(served: Served) -> None:
    """No handler raised along the way (a traceback in the process's output)."""
    served.server.healthy()
