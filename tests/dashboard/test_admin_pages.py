"""The other admin pages: invite codes (issue shown once, list, revoke), the office's
reviewers (add with a one-time login link that works, remove, never oneself), deadlines
(add, list, remove, errors keep the form) and broadcasts (queued for the office's chats)."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from sqlmodel import Session, col, select

from storage.invites import InviteRepository
from storage.tables import (
    AuditEntry,
    ChannelIdentity,
    Deadline,
    InviteCode,
    Person,
    Reminder,
    ReviewerScope,
)
from storage.uow import read, transaction
from tests.dashboard.conftest import World, sign_in
from web.dashboard import text


async def _audit(world: World, action: str) -> list[AuditEntry]:
    def load(session: Session) -> list[AuditEntry]:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))

    return await read(world.database, load)


# --- invite codes -------------------------------------------------------------------------------


async def test_issue_list_and_revoke_an_invite(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    page = await client.get("/quantri/ma-moi")
    assert page.status_code == 200
    assert "UBND xã Đông Anh" in page.text
    assert "UBND xã Phú Vang" not in page.text  # another office's unit
    form = {"csrf_token": csrf, "unit_id": str(world.unit_id), "role": "unit_admin", "days": "7"}
    issued = await client.post("/quantri/ma-moi", data=form)
    assert issued.status_code == 200
    code = re.search(r'class="secret">([A-Z0-9]{4}-[A-Z0-9]{4})<', issued.text)
    assert code is not None
    assert "Quản trị đơn vị" in issued.text

    # the code works in the chat's repository: a newcomer joins the unit as its admin
    def join(session: Session) -> tuple[int, str]:
        newcomer = Person(display_name="Người Mới")
        session.add(newcomer)
        session.flush()
        assert newcomer.id is not None
        joined = InviteRepository().redeem(
            session, code=code.group(1), person_id=newcomer.id, now=world.clock()
        )
        return joined.unit_id, joined.role

    assert await transaction(world.database, join) == (world.unit_id, "unit_admin")
    listed = await client.get("/quantri/ma-moi")
    assert code.group(1) not in listed.text  # shown once, never again
    assert "Còn dùng được" in listed.text

    def invite_id(session: Session) -> int:
        row = session.exec(select(InviteCode)).one()
        assert row.id is not None
        return row.id

    row_id = await read(world.database, invite_id)
    revoked = await client.post(f"/quantri/ma-moi/{row_id}/thu-hoi", data={"csrf_token": csrf})
    assert revoked.status_code == 200
    assert "Đã thu hồi mã mời của UBND xã Đông Anh." in revoked.text
    assert "Đã thu hồi" in revoked.text
    assert len(await _audit(world, "invite.create")) == 1
    assert len(await _audit(world, "invite.revoke")) == 1


async def test_invite_errors_keep_the_form(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    base = {"csrf_token": csrf, "unit_id": str(world.unit_id), "role": "member"}
    days = await client.post("/quantri/ma-moi", data={**base, "days": "365", "max_uses": "3"})
    assert days.status_code == 400
    assert "Số ngày hiệu lực phải từ 1 đến 90." in days.text
    assert 'value="365"' in days.text
    assert 'value="3"' in days.text
    far = await client.post(
        "/quantri/ma-moi", data={**base, "unit_id": str(world.other_unit_id), "days": "5"}
    )
    assert far.status_code == 400
    assert "không thuộc cơ quan của bạn" in far.text
    role = await client.post("/quantri/ma-moi", data={**base, "role": "boss", "days": "5"})
    assert role.status_code == 400
    assert await _audit(world, "invite.create") == []


async def test_revoking_another_offices_invite_is_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    def far_invite(session: Session) -> int:
        row = InviteCode(
            unit_id=world.other_unit_id,
            code_hash="f" * 64,
            expires_at=world.clock() + dt.timedelta(days=3),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id

    row_id = await transaction(world.database, far_invite)
    csrf = await sign_in(client, world, world.reviewer_id)
    answer = await client.post(f"/quantri/ma-moi/{row_id}/thu-hoi", data={"csrf_token": csrf})
    assert answer.status_code == 404
    assert text.NOT_FOUND in answer.text


# --- reviewers ----------------------------------------------------------------------------------


async def test_add_a_reviewer_whose_link_logs_them_in(
    client: httpx.AsyncClient, world: World
) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    page = await client.get("/quantri/co-quan")
    assert "Sở Giáo dục và Đào tạo Hà Nội" in page.text
    assert "Nguyễn Thị Thẩm Định (bạn)" in page.text
    added = await client.post(
        "/quantri/co-quan/can-bo", data={"csrf_token": csrf, "name": "  Phạm Văn Mới "}
    )
    assert added.status_code == 200
    link = re.search(r'class="secret">http://dashboard\.test(/dangnhap/[^<]+)<', added.text)
    assert link is not None
    assert "Phạm Văn Mới" in added.text
    client.cookies.clear()
    assert (await client.post(link.group(1))).status_code == 303
    assert "Phạm Văn Mới" in (await client.get("/quantri")).text
    assert len(await _audit(world, "office.reviewer")) == 1


async def test_remove_a_reviewer_but_never_oneself(
    client: httpx.AsyncClient, world: World
) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    await client.post("/quantri/co-quan/can-bo", data={"csrf_token": csrf, "name": "Cán bộ B"})

    def other(session: Session) -> int:
        query = select(ReviewerScope.person_id).where(ReviewerScope.person_id != world.reviewer_id)
        return int(session.exec(query).one())

    person_id = await read(world.database, other)
    office = world.office_id
    self_removal = await client.post(
        f"/quantri/co-quan/{office}/can-bo/{world.reviewer_id}/xoa", data={"csrf_token": csrf}
    )
    assert self_removal.status_code == 400
    assert "không thể tự xóa mình" in self_removal.text
    removed = await client.post(
        f"/quantri/co-quan/{office}/can-bo/{person_id}/xoa", data={"csrf_token": csrf}
    )
    assert removed.status_code == 200
    assert "Đã xóa Cán bộ B" in removed.text
    again = await client.post(
        f"/quantri/co-quan/{office}/can-bo/{person_id}/xoa", data={"csrf_token": csrf}
    )
    assert again.status_code == 404
    elsewhere = await client.post(
        f"/quantri/co-quan/{world.other_office_id}/can-bo/{person_id}/xoa",
        data={"csrf_token": csrf},
    )
    assert elsewhere.status_code == 404


async def test_adding_a_reviewer_needs_a_name(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    answer = await client.post("/quantri/co-quan/can-bo", data={"csrf_token": csrf, "name": " "})
    assert answer.status_code == 400
    assert "Hãy nhập họ và tên cán bộ." in answer.text
    foreign = await client.post(
        "/quantri/co-quan/can-bo",
        data={"csrf_token": csrf, "name": "X", "office_id": str(world.other_office_id)},
    )
    assert foreign.status_code == 400
    assert "không làm việc cho cơ quan này" in foreign.text


# --- deadlines and broadcasts ------------------------------------------------------------------


async def test_add_list_and_remove_a_deadline(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    form = {"csrf_token": csrf, "year": "2026", "due_on": "20/12/2026", "title": "Hạn nội bộ"}
    added = await client.post("/quantri/han", data=form)
    assert added.status_code == 200
    assert "Đã thêm hạn “Hạn nội bộ” ngày 20/12/2026." in added.text
    assert "20/12/2026" in (await client.get("/quantri/han")).text

    def stored(session: Session) -> list[Deadline]:
        return list(session.exec(select(Deadline).order_by(col(Deadline.id))))

    (row,) = await read(world.database, stored)
    assert row.office_id == world.office_id
    assert row.due_on == dt.date(2026, 12, 20)
    assert row.created_by == world.reviewer_id
    removed = await client.post(f"/quantri/han/{row.id}/xoa", data={"csrf_token": csrf})
    assert removed.status_code == 200
    assert "Đã bỏ hạn “Hạn nội bộ”" in removed.text
    gone = await client.post(f"/quantri/han/{row.id}/xoa", data={"csrf_token": csrf})
    assert gone.status_code == 404


async def test_deadline_errors_keep_the_form(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    form = {"csrf_token": csrf, "year": "2026", "due_on": "31/02/2026", "title": "Hạn sai"}
    wrong = await client.post("/quantri/han", data=form)
    assert wrong.status_code == 400
    assert "không đúng dạng ngày/tháng/năm" in wrong.text
    assert 'value="Hạn sai"' in wrong.text
    late = await client.post("/quantri/han", data={**form, "due_on": "01/06/2030"})
    assert late.status_code == 400
    assert "Ngày hạn phải nằm trong năm 2026" in late.text
    assert await _audit(world, "deadline.add") == []


async def test_a_broadcast_is_queued_for_the_offices_chats(
    client: httpx.AsyncClient, world: World
) -> None:
    def chats(session: Session) -> None:
        session.add(ChannelIdentity(person_id=world.admin_id, channel="telegram", external_id="1"))
        session.add(ChannelIdentity(person_id=world.member_id, channel="zalo", external_id="2"))

    await transaction(world.database, chats)
    csrf = await sign_in(client, world, world.reviewer_id)
    message = "Các đơn vị hoàn thành tự đánh giá trước 20/12."
    answer = await client.post("/quantri/thong-bao", data={"csrf_token": csrf, "text": message})
    assert answer.status_code == 200
    assert "Đã xếp 2 tin để gửi tới 2 tài khoản chat." in answer.text

    def queued(session: Session) -> list[Reminder]:
        return list(session.exec(select(Reminder).where(Reminder.kind == "broadcast")))

    rows = await read(world.database, queued)
    assert sorted(r.person_id for r in rows) == sorted([world.admin_id, world.member_id])
    again = await client.post("/quantri/thong-bao", data={"csrf_token": csrf, "text": message})
    assert "Đã xếp 0 tin" in again.text
    assert len(await read(world.database, queued)) == 2
    empty = await client.post("/quantri/thong-bao", data={"csrf_token": csrf, "text": "  "})
    assert empty.status_code == 400
    assert "Nội dung thông báo trống" in empty.text


async def test_a_reviewer_of_two_offices_chooses_one(
    client: httpx.AsyncClient, world: World
) -> None:
    await transaction(
        world.database,
        lambda s: s.add(
            ReviewerScope(person_id=world.reviewer_id, office_id=world.other_office_id)
        ),
    )
    csrf = await sign_in(client, world, world.reviewer_id)
    page = await client.get("/quantri/han")
    assert '<select id="office_id" name="office_id" required>' in page.text
    form = {"csrf_token": csrf, "year": "2026", "due_on": "2026-12-18", "title": "Hạn Huế"}
    unchosen = await client.post("/quantri/han", data=form)
    assert unchosen.status_code == 400
    assert "Hãy chọn cơ quan." in unchosen.text
    chosen = await client.post(
        "/quantri/han", data={**form, "office_id": str(world.other_office_id)}
    )
    assert chosen.status_code == 200
    assert "Đã thêm hạn “Hạn Huế” ngày 18/12/2026." in chosen.text
    # the second office's units are now in the invite form too
    assert "UBND xã Phú Vang" in (await client.get("/quantri/ma-moi")).text
