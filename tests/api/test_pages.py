"""The units pages as an official uses them: the list with its filters, search, sorting and
pages; a unit's page with the office's decisions; evidence downloads; the charts."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import text
from sqlmodel import Session

from conversations.records import Actor
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.schemas import EvidenceInput
from storage.uow import transaction
from tests import evidence_samples
from tests.api.conftest import Site, sign_in


def _rows(page: str) -> list[str]:
    return re.findall(r'<td data-label="Đơn vị"><a href="/donvi/\d+\?year=2026">([^<]+)</a>', page)


async def test_anonymous_is_sent_to_the_login_page(http: httpx.AsyncClient, site: Site) -> None:
    for path in ("/donvi", f"/donvi/{site.done}", "/bieudo", "/xuat/donvi.csv"):
        answer = await http.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/dangnhap"


async def test_the_list_filters_searches_sorts_and_pages(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.reviewer)
    page = (await http.get("/donvi")).text
    assert _rows(page) == [
        "=HYPERLINK(&#34;http://x&#34;,&#34;bấm&#34;)",  # escaped, sorted by folded name
        "UBND xã Đồng Thanh",
        "UBND xã Hùng An",
    ]
    assert "UBND xã Phú Vang" not in page  # the other office's unit
    assert "đang làm 23%" in page
    assert "đã nộp" in page
    assert "trước 15/01/2027" in page
    assert "còn 39 ngày" in page
    assert "Đã nộp (1)" in page
    assert _rows((await http.get("/donvi", params={"q": "dong thanh"})).text) == [
        "UBND xã Đồng Thanh"
    ]
    assert _rows((await http.get("/donvi", params={"status": "in_progress"})).text) == [
        "UBND xã Hùng An"
    ]
    by_percent = await http.get("/donvi", params={"sort": "percent", "order": "desc"})
    assert _rows(by_percent.text)[0] == "UBND xã Đồng Thanh"
    assert 'aria-sort="descending"' in by_percent.text
    second = await http.get("/donvi", params={"per_page": 2, "page": 2})
    assert _rows(second.text) == ["UBND xã Hùng An"]
    assert "Trang 2/2" in second.text
    odd = await http.get("/donvi", params={"status": "bogus", "level": "9", "page": "x"})
    assert odd.status_code == 200
    assert "Một số điều kiện lọc không hợp lệ nên đã được bỏ qua." in odd.text
    assert len(_rows(odd.text)) == 3


async def test_a_unit_admin_sees_their_unit_only(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.admin)
    assert _rows((await http.get("/donvi")).text) == ["UBND xã Đồng Thanh"]
    mine = await http.get(f"/donvi/{site.done}")
    assert mine.status_code == 200
    assert "Thẩm định hồ sơ" not in mine.text  # no decisions for an admin
    assert (await http.get(f"/donvi/{site.partial}")).status_code == 404
    assert (await http.get("/donvi/987654")).status_code == 404


async def test_return_with_a_reason_then_the_member_sees_it(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    csrf = await sign_in(http, database, site.reviewer)
    page = await http.get(f"/donvi/{site.done}")
    assert "Thẩm định hồ sơ" in page.text
    assert 'name="csrf_token"' in page.text
    empty = await http.post(
        f"/donvi/{site.done}/tra-lai", data={"csrf_token": csrf, "reason": "  "}
    )
    assert empty.status_code == 400
    assert "Hãy ghi lý do trả lại hồ sơ." in empty.text
    forged = await http.post(f"/donvi/{site.done}/tra-lai", data={"reason": "Thiếu"})
    assert forged.status_code == 403
    reason = "Thiếu minh chứng chỉ tiêu 2.1: danh sách thành viên có xác nhận."
    done = await http.post(
        f"/donvi/{site.done}/tra-lai", data={"csrf_token": csrf, "reason": reason}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/donvi/{site.done}?year=2026&xong=tra-lai"
    after = await http.get(done.headers["location"])
    assert "Đã trả lại hồ sơ" in after.text
    assert "trả lại" in after.text
    assert reason in after.text
    # Returned: no decision applies any more, and the list says so.
    assert "Thẩm định hồ sơ" not in after.text
    assert "UBND xã Đồng Thanh" in (await http.get("/donvi", params={"status": "returned"})).text


async def test_recognition_refused_keeps_the_form_then_succeeds(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    csrf = await sign_in(http, database, site.reviewer)
    form = {
        "csrf_token": csrf,
        "decision_number": "125/QĐ-UBND",
        "decision_date": "01/01/2030",
        "level": "1",
    }
    future = await http.post(f"/donvi/{site.done}/cong-nhan", data=form)
    assert future.status_code == 409
    assert 'role="alert"' in future.text
    assert 'value="125/QĐ-UBND"' in future.text  # the form comes back as sent
    assert 'value="01/01/2030"' in future.text
    bad_date = await http.post(
        f"/donvi/{site.done}/cong-nhan", data={**form, "decision_date": "hôm qua"}
    )
    assert bad_date.status_code == 400
    assert "Ngày quyết định phải có dạng ngày/tháng/năm" in bad_date.text
    level2 = await http.post(
        f"/donvi/{site.done}/cong-nhan", data={**form, "decision_date": "05/12/2026", "level": "2"}
    )
    assert level2.status_code == 409  # submitted at level 1: cannot recognise level 2
    ok = await http.post(
        f"/donvi/{site.done}/cong-nhan", data={**form, "decision_date": "05/12/2026"}
    )
    assert ok.status_code == 303
    page = (await http.get(ok.headers["location"])).text
    assert "Đã công nhận hồ sơ" in page
    assert "Đã công nhận mức 1 theo quyết định số 125/QĐ-UBND ngày 05/12/2026" in page


async def test_only_the_office_may_decide(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    csrf = await sign_in(http, database, site.admin)
    answer = await http.post(
        f"/donvi/{site.done}/tra-lai", data={"csrf_token": csrf, "reason": "Tự trả lại"}
    )
    assert answer.status_code == 403


async def test_evidence_downloads_as_an_attachment(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    from storage.evidence_store import LocalEvidenceStore

    stored = await LocalEvidenceStore(site.evidence_root).put(
        evidence_samples.pdf(), original_name="Kế hoạch học tập.pdf"
    )

    def add(session: Session) -> int:
        # Added while the dossier is a draft (evidence is only added to editable ones).
        session.connection().execute(
            text("UPDATE assessments SET status = 'draft' WHERE id = :a"),
            {"a": site.done_assessment},
        )
        record = AssessmentRepository().add_evidence(
            session,
            actor=Actor.operator(),
            assessment_id=site.done_assessment,
            evidence=EvidenceInput(
                kind="file",
                title="Kế hoạch số 12/KH-UBND",
                indicator_ids=("1.1",),
                original_name=stored.original_name,
                mime_type=stored.mime_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_key=stored.storage_key,
            ),
        )
        return record.id

    evidence_id = await transaction(database, add)
    await sign_in(http, database, site.reviewer)
    page = (await http.get(f"/donvi/{site.done}")).text
    link = f"/donvi/{site.done}/minhchung/{evidence_id}"
    assert link in page
    answer = await http.get(link)
    assert answer.status_code == 200
    assert answer.content == evidence_samples.pdf()
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''K%E1%BA%BF" in answer.headers["content-disposition"]
    # Another unit's path, or an id that is not an evidence of this unit: 404 alike.
    assert (await http.get(f"/donvi/{site.partial}/minhchung/{evidence_id}")).status_code == 404
    assert (await http.get(f"/donvi/{site.done}/minhchung/999999")).status_code == 404


async def test_charts_are_accessible_svg(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.reviewer)
    page = await http.get("/bieudo")
    assert page.status_code == 200
    assert page.text.count('<svg class="chart" role="img"') == 2  # no failed indicator yet
    assert '<title id="levels-t">Mức tự đánh giá của các đơn vị, năm 2026</title>' in page.text
    assert "Mức 2: 1; Mức 1: 0; Không đạt: 0; Chưa trả lời đủ: 2" in page.text
    assert "Chưa có chỉ tiêu nào được đánh giá chưa đạt." in page.text


async def test_a_past_year_is_its_own_page(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.reviewer)
    past = await http.get(f"/donvi/{site.done}", params={"year": 2025})
    assert past.status_code == 200
    assert "năm 2025" in past.text
    assert "Đơn vị chưa bắt đầu tự đánh giá năm này." in past.text
    assert "Thẩm định hồ sơ" not in past.text  # the 2025 dossier was never submitted
    now = await http.get(f"/donvi/{site.done}")
    assert '<input type="hidden" name="year" value="2026">' in now.text
    listed = await http.get("/donvi", params={"year": 2025})
    assert "Các đơn vị năm 2025" in listed.text
    assert "Chưa bắt đầu (3)" in listed.text
