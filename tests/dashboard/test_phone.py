"""The shell's pages in a real browser (Debian's chromium through Playwright) on a 390×844
phone screen: signing in by tapping the confirm button, every admin page without sideways
scrolling and with tap targets at least 44 px high, no request or script refused by the
Content-Security-Policy (our own CSS and script load), the confirm dialog of a removal
(dismissed: nothing sent; accepted: done), and logging out."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog, async_playwright

from storage.db import Database
from tests.dashboard.conftest import Clock, make_deps, seed
from tests.system_tools import require
from tests.web.conftest import served
from web.dashboard import dashboard_app, text

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PAGES = ("/quantri", "/quantri/nhap-donvi", "/quantri/ma-moi", "/quantri/co-quan", "/quantri/han")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = require("chromium", "chromium")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable)
        try:
            yield launched
        finally:
            await launched.close()


async def _ok() -> bool:
    return True


async def test_the_admin_pages_on_a_phone(browser: Browser, database: Database) -> None:
    clock = Clock(moment=dt.datetime.now(dt.UTC))
    world = await seed(database, clock)
    app = dashboard_app(make_deps(database, clock, "http://127.0.0.1"), database_ok=_ok)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with served(app) as url:
        context = await browser.new_context(viewport={"width": 390, "height": 844})
        page = await context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        token = await world.link(world.reviewer_id)
        await page.goto(f"{url}/dangnhap/{token}")
        await page.get_by_role("button", name=text.LOGIN_BUTTON).click()
        await page.wait_for_url(f"{url}/donvi")
        for path in PAGES:
            await page.goto(url + path)
            width = await page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 390, (path, width)
            heights = await page.eval_on_selector_all(
                "button, select, input:not([type=hidden]), textarea",
                "els => els.map(e => e.getBoundingClientRect().height)",
            )
            assert heights, path
            assert min(heights) >= 44, (path, heights)
            assert await page.evaluate("getComputedStyle(document.body).marginTop") == "0px"
            name = path.strip("/").replace("/", "-")
            await page.screenshot(path=str(SCREENSHOTS / f"shell-{name}-390.png"), full_page=True)
        # an invite issued, then its revocation asked for and refused, then accepted
        await page.goto(url + "/quantri/ma-moi")
        await page.get_by_role("button", name="Cấp mã").click()
        await page.wait_for_load_state()
        assert await page.locator(".secret").count() == 1
        answers = iter([False, True])

        async def decide(dialog: Dialog) -> None:
            assert "Thu hồi mã mời của UBND xã Đông Anh?" in dialog.message
            await (dialog.accept() if next(answers) else dialog.dismiss())

        page.on("dialog", decide)
        revoke = page.get_by_role("button", name="Thu hồi")
        await revoke.click()
        assert await page.get_by_text("Còn dùng được").count() == 1  # dismissed: nothing sent
        await revoke.click()
        await page.wait_for_load_state()
        assert await page.get_by_text("Đã thu hồi mã mời của UBND xã Đông Anh.").count() == 1
        await page.get_by_role("button", name=text.NAV_LOGOUT).click()
        await page.wait_for_load_state()
        assert await page.get_by_text(text.LOGGED_OUT).count() == 1
        await page.goto(url + "/quantri")
        assert page.url == f"{url}/dangnhap"
        await context.close()
    assert problems == []
