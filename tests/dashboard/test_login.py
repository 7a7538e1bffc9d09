"""Signing in through a one-time link, the session cookie, idle expiry, logout and CSRF, on
the real app and a real database (SQLite; PostgreSQL with DVHT_TEST_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlmodel import Session, select

from storage.db import Database
from storage.tables import AuditEntry, WebSession
from storage.uow import read
from tests.dashboard.conftest import BASE, SECRET, Clock, World, make_deps, sign_in
from web.dashboard import dashboard_app, text
from web.dashboard.auth import COOKIE, csrf_token_for


def _set_cookie(answer: httpx.Response) -> str:
    cookies = answer.headers.get_list("set-cookie")
    assert len(cookies) == 1, cookies
    return cookies[0]


async def _sessions(database: Database) -> list[WebSession]:
    def load(session: Session) -> list[WebSession]:
        return list(session.exec(select(WebSession).order_by(WebSession.id)))  # type: ignore[arg-type]

    return await read(database, load)


async def test_get_shows_a_button_and_never_uses_the_link(
    client: httpx.AsyncClient, world: World
) -> None:
    token = await world.link(world.reviewer_id)
    for _ in range(3):  # a chat app's preview, then the person, then a reload
        page = await client.get(f"/dangnhap/{token}")
        assert page.status_code == 200
        assert text.LOGIN_BUTTON in page.text
        assert f'action="/dangnhap/{token}"' in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        assert COOKIE not in page.headers.get("set-cookie", "")
    answer = await client.post(f"/dangnhap/{token}")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/donvi"


async def test_a_link_logs_in_once(client: httpx.AsyncClient, world: World) -> None:
    token = await world.link(world.reviewer_id)
    first = await client.post(f"/dangnhap/{token}")
    assert first.status_code == 303
    admin = await client.get("/quantri")
    assert admin.status_code == 200
    assert "Nguyễn Thị Thẩm Định" in admin.text
    again = await client.post(f"/dangnhap/{token}")
    assert again.status_code == 410
    assert text.LOGIN_USED in again.text


async def test_expired_and_unknown_links_say_what_to_do(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    old = await world.link(world.reviewer_id, at=clock() - dt.timedelta(minutes=15, seconds=1))
    expired = await client.post(f"/dangnhap/{old}")
    assert expired.status_code == 410
    assert text.LOGIN_EXPIRED in expired.text
    unknown = await client.post("/dangnhap/not-a-real-token")
    assert unknown.status_code == 404
    assert text.LOGIN_UNKNOWN in unknown.text
    long = await client.post("/dangnhap/" + "x" * 300)
    assert long.status_code == 404
    assert COOKIE not in client.cookies


async def test_a_person_without_a_role_is_refused(client: httpx.AsyncClient, world: World) -> None:
    token = await world.link(world.member_id)
    answer = await client.post(f"/dangnhap/{token}")
    assert answer.status_code == 403
    assert text.LOGIN_NO_ROLE in answer.text
    assert COOKIE not in client.cookies
    assert await _sessions(world.database) == []


async def test_the_cookie_is_httponly_lax_and_not_secure_over_http(
    client: httpx.AsyncClient, world: World
) -> None:
    token = await world.link(world.admin_id)
    answer = await client.post(f"/dangnhap/{token}")
    cookie = _set_cookie(answer).lower()
    assert cookie.startswith(f"{COOKIE}=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie
    assert "secure" not in cookie.replace("samesite", "")
    assert "max-age" not in cookie  # idle time is counted on the server
    assert "expires" not in cookie


async def test_a_login_posted_from_another_site_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    token = await world.link(world.reviewer_id)
    forged = await client.post(f"/dangnhap/{token}", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    framed = await client.post(
        f"/dangnhap/{token}", headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"}
    )
    assert framed.status_code == 403
    assert COOKIE not in client.cookies
    ours = await client.post(f"/dangnhap/{token}", headers={"Origin": BASE})
    assert ours.status_code == 303  # the link was not spent by the refused attempt


async def test_the_cookie_is_secure_under_https(database: Database, world: World) -> None:
    app = dashboard_app(
        make_deps(database, world.clock, "https://dvht.example.vn"), database_ok=_ok
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://dvht.example.vn") as http:
        token = await world.link(world.reviewer_id)
        cookie = _set_cookie(await http.post(f"/dangnhap/{token}")).lower()
    assert "; secure" in cookie
    assert "httponly" in cookie


async def _ok() -> bool:
    return True


async def test_logging_in_again_rotates_the_session(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, world, world.reviewer_id)
    first = client.cookies[COOKIE]
    await sign_in(client, world, world.reviewer_id)
    second = client.cookies[COOKIE]
    assert second != first
    sessions = await _sessions(world.database)
    assert len(sessions) == 2
    assert sessions[0].ended_at is not None
    assert sessions[1].ended_at is None
    client.cookies.clear()
    client.cookies.set(COOKIE, first)
    replay = await client.get("/quantri")
    assert replay.status_code == 303


async def test_sessions_expire_after_eight_idle_hours(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    await sign_in(client, world, world.reviewer_id)
    clock.advance(dt.timedelta(hours=7, minutes=59))
    assert (await client.get("/quantri")).status_code == 200  # touched: idle from now again
    clock.advance(dt.timedelta(hours=7, minutes=59))
    assert (await client.get("/quantri")).status_code == 200
    clock.advance(dt.timedelta(hours=8))
    gone = await client.get("/quantri")
    assert gone.status_code == 303
    assert gone.headers["location"] == "/dangnhap"


async def test_touching_is_at_most_once_a_minute(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    await sign_in(client, world, world.reviewer_id)
    clock.advance(dt.timedelta(seconds=30))
    await client.get("/quantri")
    (kept,) = await _sessions(world.database)
    assert kept.last_seen_at == clock() - dt.timedelta(seconds=30)
    clock.advance(dt.timedelta(seconds=31))
    await client.get("/quantri")
    (kept,) = await _sessions(world.database)
    assert kept.last_seen_at == clock()


async def test_logout_ends_the_session(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    token = client.cookies[COOKIE]
    answer = await client.post("/dangxuat", data={"csrf_token": csrf})
    assert answer.status_code == 200
    assert text.LOGGED_OUT in answer.text
    assert "max-age=0" in _set_cookie(answer).lower()
    (ended,) = await _sessions(world.database)
    assert ended.ended_at is not None

    def audited(session: Session) -> list[tuple[str, int | None]]:
        rows = session.exec(select(AuditEntry).order_by(AuditEntry.id))  # type: ignore[arg-type]
        return [(row.action, row.actor_person_id) for row in rows]

    assert await read(world.database, audited) == [
        ("web.login", world.reviewer_id),
        ("web.logout", world.reviewer_id),
    ]
    client.cookies.set(COOKIE, token)
    again = await client.get("/quantri")
    assert again.status_code == 303


async def test_csrf_missing_or_wrong_is_refused(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    missing = await client.post("/dangxuat")
    assert missing.status_code == 403
    assert text.CSRF_FAILED in missing.text
    # One hex digit changed (to another digit: "…0" would leave a token ending in 0 right,
    # which failed one CI run in sixteen).
    flipped = csrf[:-1] + ("1" if csrf.endswith("0") else "0")
    wrong = await client.post("/dangxuat", data={"csrf_token": flipped})
    assert wrong.status_code == 403
    other = csrf_token_for(SECRET, "another session's token")
    assert (await client.post("/dangxuat", headers={"X-CSRF-Token": other})).status_code == 403
    (live,) = await _sessions(world.database)
    assert live.ended_at is None
    by_header = await client.post("/dangxuat", headers={"X-CSRF-Token": csrf})
    assert by_header.status_code == 200


async def test_anonymous_pages_go_to_the_login_page(client: httpx.AsyncClient) -> None:
    answer = await client.get("/quantri")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dangnhap"
    login = await client.get("/dangnhap")
    assert login.status_code == 200
    assert text.LOGIN_HOW in login.text
    assert '<html lang="vi">' in login.text
    home = await client.get("/")
    assert home.status_code == 303
    assert home.headers["location"] == "/donvi"


async def test_pages_carry_the_security_headers(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world, world.reviewer_id)
    page = await client.get("/quantri")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text
    assert " style=" not in page.text


async def test_static_files_are_served_and_nothing_else(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/app.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    js = await client.get("/static/app.js")
    assert js.headers["content-type"].startswith("text/javascript")
    assert "licensed" in js.text
    for name in ("../auth.py", "..%2Fauth.py", "nope.css"):
        assert (await client.get(f"/static/{name}")).status_code == 404
