"""The JSON API /api/v1: answers, validation (422, never 500), refusals as one Vietnamese
sentence with the right status, and a schema that lists the API's routes only."""

from __future__ import annotations

import httpx

from storage.db import Database
from tests.api.conftest import Site, sign_in
from web.dashboard import text


async def test_anonymous_gets_401_json(http: httpx.AsyncClient, site: Site) -> None:
    for path in ("/api/v1/me", "/api/v1/units", f"/api/v1/units/{site.done}", "/api/v1/charts"):
        answer = await http.get(path)
        assert answer.status_code == 401, path
        assert answer.json() == {"detail": text.NOT_SIGNED_IN}


async def test_me_and_the_list(http: httpx.AsyncClient, site: Site, database: Database) -> None:
    await sign_in(http, database, site.reviewer)
    me = (await http.get("/api/v1/me")).json()
    assert me == {
        "person_id": site.reviewer,
        "name": "Nguyễn Thị Thẩm Định",
        "role": "reviewer",
        "office_ids": [site.office],
        "admin_unit_ids": [],
    }
    listed = (await http.get("/api/v1/units", params={"sort": "percent", "order": "desc"})).json()
    assert listed["year"] == 2026
    assert listed["total"] == 3
    assert listed["counts"]["submitted"] == 1
    first = listed["units"][0]
    assert first["name"] == "UBND xã Đồng Thanh"
    assert first["status"] == "submitted"
    assert first["percent"] == 100
    assert first["level"] == 2
    assert first["submitted_level"] == 1
    assert first["deadline"] == "2027-01-15"
    assert first["days_left"] == 39
    found = (await http.get("/api/v1/units", params={"q": "HUNG AN"})).json()
    assert [u["name"] for u in found["units"]] == ["UBND xã Hùng An"]
    assert found["units"][0]["status_text"] == "đang làm 23%"


async def test_bad_query_values_are_422(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.reviewer)
    for params in (
        {"status": "bogus"},
        {"per_page": "101"},
        {"per_page": "0"},
        {"page": "-1"},
        {"level": "3"},
        {"sort": "secret"},
        {"year": "1999"},
        {"unit_type": "x; drop table"},
        {"q": "x" * 101},
    ):
        answer = await http.get("/api/v1/units", params=params)
        assert answer.status_code == 422, params
    assert (await http.get("/api/v1/units/abc")).status_code == 404


async def test_out_of_scope_is_404_like_missing(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.outsider)
    for unit_id in (site.done, 987654):
        answer = await http.get(f"/api/v1/units/{unit_id}")
        assert answer.status_code == 404
        assert answer.json() == {"detail": text.NOT_FOUND}
    assert (await http.get("/api/v1/units")).json()["units"][0]["name"] == "UBND xã Phú Vang"


async def test_the_unit_detail(http: httpx.AsyncClient, site: Site, database: Database) -> None:
    await sign_in(http, database, site.reviewer)
    detail = (await http.get(f"/api/v1/units/{site.done}")).json()
    assert detail["unit"]["unit_id"] == site.done
    assert detail["can_review"] is True
    assert len(detail["answers"]) == 13
    assert detail["answers"][0]["answered_by"] == "Trần Văn Quản Trị"
    assert detail["result"].startswith("Đạt mức độ 2")
    assert detail["years"][0]["status"] == "submitted"
    assert detail["audit"][0]["what"]


async def test_decisions_need_csrf_and_follow_the_workflow(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    csrf = await sign_in(http, database, site.reviewer)
    body = {"decision_number": "9/QĐ-UBND", "decision_date": "2026-12-01", "level": 1}
    path = f"/api/v1/units/{site.done}/recognise"
    unsigned = await http.post(path, json=body)
    assert unsigned.status_code == 403
    assert unsigned.json() == {"detail": text.CSRF_FAILED}
    headers = {"X-CSRF-Token": csrf}
    too_high = await http.post(path, json={**body, "level": 2}, headers=headers)
    assert too_high.status_code == 409
    assert isinstance(too_high.json()["detail"], str)
    bad = await http.post(path, json={**body, "level": 3}, headers=headers)
    assert bad.status_code == 422
    done = await http.post(path, json=body, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "recognised"
    assert done.json()["level"] == 1
    again = await http.post(
        f"/api/v1/units/{site.done}/return", json={"reason": "Sai"}, headers=headers
    )
    assert again.status_code == 409  # already recognised
    listed = (await http.get("/api/v1/units", params={"status": "recognised"})).json()
    assert [(u["name"], u["recognised_level"]) for u in listed["units"]] == [
        ("UBND xã Đồng Thanh", 1)
    ]


async def test_a_unit_admin_may_not_decide(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    csrf = await sign_in(http, database, site.admin)
    answer = await http.post(
        f"/api/v1/units/{site.done}/return",
        json={"reason": "Tự trả lại"},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 403
    assert answer.json() == {"detail": text.FORBIDDEN}


async def test_charts_json(http: httpx.AsyncClient, site: Site, database: Database) -> None:
    await sign_in(http, database, site.reviewer)
    charts = (await http.get("/api/v1/charts")).json()
    assert {c["key"]: c["units"] for c in charts["levels"]} == {
        "level_2": 1,
        "level_1": 0,
        "level_0": 0,
        "incomplete": 2,
    }
    assert charts["failed"] == []
    assert charts["progress"][-1]["answered"] == 16


async def test_the_schema_lists_the_api_only(http: httpx.AsyncClient, site: Site) -> None:
    schema = (await http.get("/api/v1/openapi.json")).json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/units/{unit_id}/return",
        "/api/v1/units/{unit_id}/recognise",
        "/api/v1/charts",
    }
    assert (await http.get("/openapi.json")).status_code == 404  # the app publishes none
