"""The `dvht` command line: output, exit statuses and one-line Vietnamese errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
BAD_INPUTS = sorted((Path(__file__).parent / "bad_inputs").glob("*.yaml"))
DVHT = Path(sys.executable).parent / "dvht"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_evaluate_prints_a_vietnamese_table(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "evaluate", str(EXAMPLE))
    assert status == 0, err
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 1" in out
    assert "UBND xã Quảng Phú" in out
    assert "2.4  Mức độ 1" in out
    assert "3.4  Không áp dụng" in out
    assert "cần thêm 5 thành viên" in out


def test_evaluate_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "evaluate", str(EXAMPLE), "--json")
    assert status == 0
    document = json.loads(out)
    assert document["level"] == 1
    assert document["criteria"] == {"1": 2, "2": 1, "3": 1}
    assert document["indicators"]["3.4"]["level"] is None
    assert document["indicators"]["2.4"] == {
        "level": 1,
        "status": "dat",
        "reason": document["indicators"]["2.4"]["reason"],
        "uncertain": False,
        "note": None,
    }
    assert "16/30 thành viên (53,3%)" in document["indicators"]["2.4"]["reason"]
    assert isinstance(document["missing_evidence"], list)
    assert [g["indicator"] for g in document["gaps"]["2"]] == ["2.2", "2.4", "2.5", "3.1"]


def test_evaluate_accepts_json_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    source = tmp_path / "unit.json"
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    status, out, _ = run(capsys, "evaluate", str(source), "--json")
    assert status == 0
    assert json.loads(out)["level"] == 1


def test_ignored_answer_warns_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text += '  "3.4": {dt_level: tot, evidence: ["x"]}\n'
    source = tmp_path / "unit.yaml"
    source.write_text(text, encoding="utf-8")
    status, _, err = run(capsys, "evaluate", str(source))
    assert status == 0
    assert "cảnh báo" in err
    assert "3.4" in err


@pytest.mark.parametrize("path", BAD_INPUTS, ids=lambda p: p.stem)
def test_bad_input_is_one_line_naming_the_field_with_status_2(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").strip()
    status, out, err = run(capsys, "evaluate", str(path))
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("dvht: "), err
    assert expected in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["evaluate", "/no/such/file.yaml"], "không tìm thấy tệp"),
        (["evaluate"], "lệnh không hợp lệ"),
        ([], "lệnh không hợp lệ"),
        (["frobnicate"], "lệnh không hợp lệ"),
        (["rules", "--level", "3"], "lệnh không hợp lệ"),
        (["rules", "--unit-type", "truong_hoc"], "truong_hoc"),
        (["rules", "--tier", "tinh", "--unit-type", "mam_non"], "mam_non"),
    ],
)
def test_usage_errors_are_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert err.count("\n") == 1
    assert fragment in err


def test_binary_file_is_refused_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "photo.yaml"
    source.write_bytes(b"\xff\xd8\xff\xe0garbage")
    status, _, err = run(capsys, "evaluate", str(source))
    assert status == 2
    assert "UTF-8" in err


def test_rules_lists_what_level_two_needs(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "rules", "--tier", "huyen", "--unit-type", "ubnd_xa")
    assert status == 0
    assert "MỨC ĐỘ 2" in out
    assert "≥ 70% thành viên có chứng nhận" in out
    assert "3.4" not in out  # schools only
    assert "Tiêu chí 3." in out


def test_rules_for_a_tinh_school_include_the_learner_quota(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys, "rules", "--tier", "tinh", "--unit-type", "pho_thong", "--level", "1"
    )
    assert status == 0
    assert "≥ 95% người học" in out
    assert "mức đáp ứng cơ bản" in out


def test_rules_infers_the_tier_of_single_tier_unit_types(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "rules", "--unit-type", "dai_hoc")
    assert status == 0
    assert "CẤP TỈNH" in out
    assert "4740" in out


def test_installed_script_exits_2_without_traceback(tmp_path: Path) -> None:
    """The real console script, as a user runs it."""
    source = tmp_path / "bad.yaml"
    source.write_text(
        "tier: huyen\nunit_type: ubnd_xa\nyear: 2025\nmembers: 10\n"
        "answers:\n  '2.1': {count: 11, evidence: [x]}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [str(DVHT), "evaluate", str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("dvht: ")
    assert done.stderr.count("\n") == 1
    assert "2.1" in done.stderr


def test_installed_script_evaluates_the_example() -> None:
    done = subprocess.run(
        [str(DVHT), "evaluate", str(EXAMPLE), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["level"] == 1


TT22_EXAMPLE = ROOT / "examples" / "tt22-ha-noi-2023.yaml"


def test_tt22_file_is_scored_on_100_points(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "evaluate", str(TT22_EXAMPLE))
    assert status == 0
    assert "TỔNG ĐIỂM: 74/100 — XẾP LOẠI: KHÁ" in out
    status, out, _ = run(capsys, "evaluate", str(TT22_EXAMPLE), "--json")
    document = json.loads(out)
    assert (document["total"], document["grade"]) == (74, "kha")
    assert document["criteria"] == {"1": 25, "2": 26, "3": 23}


def test_tt22_band_gap_is_scored_zero_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "gap.yaml"
    text = TT22_EXAMPLE.read_text(encoding="utf-8").replace(
        '"2.1": {count: 16', '"2.1": {count: 155'
    )
    source.write_text(text.replace("members: 20", "members: 200"), encoding="utf-8")
    status, out, err = run(capsys, "evaluate", str(source), "--json")
    assert status == 0
    assert json.loads(out)["indicators"]["2.1"]["points"] == 0
    assert "75–80%" in err


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (('"2.2": {count: 20', '"2.2": {count: 21'), "2.2"),
        (("choice: co_quy_dinh_kha_thi", "choice: tuyet_voi"), "1.2"),
        (("members: 20", "members: 0"), "members"),
        (("ruleset: tt22-hanoi", "ruleset: tt21"), "ruleset"),
    ],
)
def test_tt22_bad_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], fragment: str
) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text(TT22_EXAMPLE.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    status, out, err = run(capsys, "evaluate", str(source))
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert fragment in err
