"""A real `dvht serve` process with the dashboard mounted, and a real browser driving it.

The process (`tests.zalo_e2e.serve_process.ServeProcess`) runs Telegram by long polling against
the fake Bot API server (`tests.telegram.fake_bot_api`), with DVHT_PUBLIC_URL set to its own
address so the dashboard is mounted beside the channel, on an SQLite database migrated and
seeded (`tests.dashboard_matrix.world`) by the test process before it starts. The reminder
dispatcher runs in it as in production, so a decision's notice reaches the fake server.

The browser is Debian's chromium driven by Playwright through `executable_path` (never
`playwright install`): missing, the tests are skipped with the fix on a developer's machine and
fail in CI (`tests.system_tools.require`). One browser serves the module; each test opens its
own context (cookies of its own), so tests sign in as whom they need and share nothing.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    ViewportSize,
    async_playwright,
)

from storage.db import Database
from storage.evidence_store import LocalEvidenceStore
from storage.migrate import upgrade
from tests.dashboard_matrix.world import World, login_token, seed
from tests.system_tools import require
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.zalo_e2e.serve_process import STARTUP_S, ServeProcess

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
"""Where the screenshots go for people to look at (git-ignored)."""
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass(frozen=True, slots=True)
class Served:
    server: ServeProcess
    world: World
    telegram: FakeBotApi

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.server.database}"

    async def login_link(self, person_id: int) -> str:
        """A fresh one-time link for the person, as `dvht login-link` prints it."""
        database = Database(self.database_url)
        try:
            token = await login_token(database, person_id)
        finally:
            await database.close()
        return f"{self.base_url}/dangnhap/{token}"


async def _prepare(url: str, data_dir: Path) -> World:
    """Migrate and seed the process's database, its evidence files in the process's own
    evidence directory (DVHT_DATA_DIR/evidence, where `dvht serve` reads them)."""
    database = Database(url)
    try:
        await upgrade(database)
        return await seed(database, LocalEvidenceStore(data_dir / "evidence"))
    finally:
        await database.close()


@pytest.fixture(scope="module")
def telegram_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def served(telegram_api: FakeBotApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = ServeProcess(
        tmp_path_factory.mktemp("dashboard"),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=telegram_api.url,
    )
    server.extra_env["DVHT_PUBLIC_URL"] = server.base_url
    world = asyncio.run(_prepare(f"sqlite:///{server.database}", server.data_dir))
    server.start()
    try:
        server.wait_healthy()
        telegram_api.wait_for_sync("deleteWebhook", timeout=STARTUP_S, alive=server.alive)
        yield Served(server, world, telegram_api)
    finally:
        server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    chromium = require("chromium", "chromium")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            await launched.close()


PROBLEMS: dict[int, list[str]] = {}
"""Per page (by id): console errors, uncaught script errors and failed requests it saw."""
DOWNLOADS = re.compile(r"/(xuat/[^/?]+|donvi/\d+/minhchung/\d+)(\?.*)?$")
"""A download ends its request in the browser's view (net::ERR_ABORTED): not a failure."""


def _watch(page: Page) -> None:
    problems = PROBLEMS.setdefault(id(page), [])

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    def failed(request: Request) -> None:
        if not DOWNLOADS.search(request.url):
            problems.append(f"request failed: {request.url} {request.failure}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", failed)


async def finish(page: Page, *, expected: tuple[str, ...] = ()) -> None:
    """Close the page's context; it must have met no console error (a refused inline script
    or style, a missing file), no script error and no failed request, other than those
    containing one of `expected` (a refusal page the test asked for logs its status)."""
    problems = [
        problem
        for problem in PROBLEMS.pop(id(page), [])
        if not any(part in problem for part in expected)
    ]
    await page.context.close()
    assert problems == [], "\n".join(problems)


async def new_page(browser: Browser, base_url: str, *, phone: bool = False) -> Page:
    """A page in a fresh context (its own cookies), downloads accepted, its console watched
    (see `finish`)."""
    context: BrowserContext = await browser.new_context(
        base_url=base_url,
        viewport=PHONE if phone else DESKTOP,
        accept_downloads=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    _watch(page)
    return page


async def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot under test-output/screenshots/ (name: letters, digits, dashes)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    await page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000, path
    return path
