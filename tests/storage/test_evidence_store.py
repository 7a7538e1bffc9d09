"""Evidence store: type by content, one copy per content, early refusal, nothing left behind."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import io
import os
import shutil
import stat
import struct
import subprocess
import sys
import threading
import time
import unicodedata
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import docx
import openpyxl  # type: ignore[import-untyped]
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.evidence_store import (
    DEFAULT_ALLOWED,
    NO_SPACE,
    EvidenceRejected,
    EvidenceStore,
    LocalEvidenceStore,
    StoredFile,
    detect_kind,
    format_size,
    is_storage_key,
    safe_file_name,
)
from storage.evidence_structure import structure_problem
from tests import evidence_samples as samples

# --- Real minimal files ----------------------------------------------------------------------


def make_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_png() -> bytes:
    return samples.png()


def make_jpeg() -> bytes:
    return samples.jpeg()


def make_heic() -> bytes:
    return samples.heic()


def make_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Biên bản họp chi bộ")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "Danh sách đoàn viên"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def make_ole(*streams: str, body: bytes = b"") -> bytes:
    """A compound file: 512-byte header, one directory sector, then ``body`` as data."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 44, 1, 0, 0, 0x1000)

    def entry(name: str, kind: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return raw.ljust(64, b"\x00") + struct.pack("<HB", len(raw), kind) + bytes(61)

    directory = entry("Root Entry", 5) + b"".join(entry(s, 2) for s in streams)
    return bytes(header) + directory.ljust(512, b"\x00") + body.ljust(512, b"\x00")


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00"

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ACCEPTED: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("bao-cao.pdf", make_pdf, "pdf", "application/pdf"),
    ("anh-chup.jpg", make_jpeg, "jpeg", "image/jpeg"),
    ("ANH.JPEG", make_jpeg, "jpeg", "image/jpeg"),
    ("IMG_0001.png", make_png, "png", "image/png"),
    ("IMG_0002.HEIC", make_heic, "heic", "image/heic"),
    ("bien-ban.doc", lambda: make_ole("WordDocument", "1Table"), "doc", "application/msword"),
    ("bien-ban.docx", make_docx, "docx", DOCX_MIME),
    ("danh-sach.xls", lambda: make_ole("Workbook"), "xls", "application/vnd.ms-excel"),
    ("danh-sach-cu.xls", lambda: make_ole("Book"), "xls", "application/vnd.ms-excel"),
    ("danh-sach.xlsx", make_xlsx, "xlsx", XLSX_MIME),
    ("khong-duoi", make_pdf, "pdf", "application/pdf"),
    ("Quyết định 12.UBND", make_pdf, "pdf", "application/pdf"),
]


@pytest.fixture
def store(tmp_path: Path) -> LocalEvidenceStore:
    return LocalEvidenceStore(tmp_path)


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "sha256").rglob("*") if p.is_file())


def temp_files(root: Path) -> list[Path]:
    tmp = root / "tmp"
    return sorted(tmp.iterdir()) if tmp.exists() else []


async def refused(store: LocalEvidenceStore, data: bytes, name: str) -> EvidenceRejected:
    """Put ``data``, expect a refusal, and check the store kept nothing of it."""
    with pytest.raises(EvidenceRejected) as info:
        await store.put(data, original_name=name)
    assert temp_files(store.root) == []
    assert stored_files(store.root) == []
    return info.value


# --- Acceptance ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "factory", "kind", "mime"), ACCEPTED)
async def test_accepts_each_allowed_kind(
    store: LocalEvidenceStore, name: str, factory: Callable[[], bytes], kind: str, mime: str
) -> None:
    data = factory()
    stored = await store.put(data, original_name=name)
    digest = hashlib.sha256(data).hexdigest()
    assert stored == StoredFile(
        sha256=digest,
        size=len(data),
        mime_type=mime,
        kind=kind,
        storage_key=f"sha256/{digest[:2]}/{digest[2:4]}/{digest}",
        original_name=name,
        deduplicated=False,
    )
    assert (store.root / stored.storage_key).read_bytes() == data
    assert temp_files(store.root) == []


def test_local_store_satisfies_protocol(store: LocalEvidenceStore) -> None:
    typed: EvidenceStore = store  # mypy checks the structural match
    assert typed is store


@pytest.mark.parametrize(("name", "factory", "kind", "mime"), ACCEPTED)
def test_detect_kind_by_content(
    name: str, factory: Callable[[], bytes], kind: str, mime: str
) -> None:
    assert detect_kind(factory()) == kind


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", None),
        (EXE, None),
        (b"GIF89a\x01\x00", None),
        (make_zip({"a.txt": b"x"}), "zip"),
        (make_zip({"[Content_Types].xml": b"", "ppt/presentation.xml": b""}), "pptx"),
        (
            make_zip(
                {"[Content_Types].xml": b"", "word/document.xml": b"", "xl/workbook.xml": b""}
            ),
            "zip",
        ),
        (make_zip({"word/document.xml": b""}), "zip"),  # no [Content_Types].xml
        (b"PK\x03\x04" + bytes(40), "zip"),  # corrupt zip
        (make_ole("PowerPoint Document"), "ppt"),
        (make_ole("Root2"), "ole"),
        (make_ole("WordDocument", "ObjectPool", "Workbook"), "doc_or_xls"),
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1miaf", None),  # AVIF is not HEIC
    ],
)
def test_detect_kind_other_content(data: bytes, kind: str | None) -> None:
    assert detect_kind(data) == kind


def test_ole_names_count_only_as_directory_entries() -> None:
    """A Word document whose text says "Workbook" is still a Word document."""
    text = b"\x00\x00" + "Workbook".encode("utf-16-le") + b"\x00\x00" + bytes(60) + b"\x12\x00\x02"
    data = make_ole("WordDocument", body=text)
    assert detect_kind(data) == "doc"


@pytest.mark.parametrize(
    ("name", "kind", "mime"),
    [
        ("bang-tinh.xls", "xls", "application/vnd.ms-excel"),
        ("van-ban.doc", "doc", "application/msword"),
        ("khong-duoi", "doc_or_xls", "application/vnd.ms-office"),
    ],
)
async def test_ambiguous_legacy_office_file_is_settled_by_its_name(
    store: LocalEvidenceStore, name: str, kind: str, mime: str
) -> None:
    data = make_ole("WordDocument", "Workbook")
    stored = await store.put(data, original_name=name)
    assert (stored.kind, stored.mime_type) == (kind, mime)


# --- One copy per content --------------------------------------------------------------------


async def test_same_bytes_twice_are_stored_once(store: LocalEvidenceStore) -> None:
    data = make_pdf()
    first = await store.put(data, original_name="bao-cao.pdf")
    second = await store.put(data, original_name="bao-cao.pdf")
    assert (first.deduplicated, second.deduplicated) == (False, True)
    assert first.storage_key == second.storage_key
    assert stored_files(store.root) == [store.root / first.storage_key]
    assert temp_files(store.root) == []


async def test_different_names_same_content_share_the_key(store: LocalEvidenceStore) -> None:
    data = make_png()
    first = await store.put(data, original_name="IMG_0001.png")
    second = await store.put(data, original_name="Ảnh minh chứng.PNG")
    assert first.storage_key == second.storage_key
    assert (first.original_name, second.original_name) == ("IMG_0001.png", "Ảnh minh chứng.PNG")
    assert second.deduplicated
    assert len(stored_files(store.root)) == 1


async def test_concurrent_puts_of_the_same_content_keep_one_file(
    store: LocalEvidenceStore,
) -> None:
    data = make_docx()
    results = await asyncio.gather(
        *(store.put(data, original_name=f"ban-{i}.docx") for i in range(5))
    )
    assert len({r.storage_key for r in results}) == 1
    assert sorted(r.deduplicated for r in results) == [False, True, True, True, True]
    assert len(stored_files(store.root)) == 1
    assert temp_files(store.root) == []
    assert await store.open(results[0].storage_key) == data


async def test_a_damaged_copy_is_replaced_not_trusted(store: LocalEvidenceStore) -> None:
    data = make_pdf()
    digest = hashlib.sha256(data).hexdigest()
    target = store.root / "sha256" / digest[:2] / digest[2:4] / digest
    target.parent.mkdir(parents=True)
    target.write_bytes(data[:10])
    stored = await store.put(data, original_name="bao-cao.pdf")
    assert not stored.deduplicated
    assert target.read_bytes() == data


async def test_streamed_upload_is_stored_whole(store: LocalEvidenceStore) -> None:
    data = make_xlsx()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 1000):
            yield data[start : start + 1000]

    stored = await store.put(chunks(), original_name="danh-sach.xlsx")
    assert stored.kind == "xlsx"
    assert stored.size == len(data)
    assert await store.open(stored.storage_key) == data


async def test_file_is_fsynced_before_it_is_renamed_into_place(
    store: LocalEvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync-dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    await store.put(make_pdf(), original_name="bao-cao.pdf")
    assert "fsync-file" in events
    assert events.index("fsync-file") < events.index("replace")
    assert events[-1] == "fsync-dir"  # the rename itself is made durable too


# --- Refusals --------------------------------------------------------------------------------


async def test_oversized_stream_is_refused_without_reading_the_rest(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path, max_bytes=1000)
    yielded = 0
    closed = False

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal yielded, closed
        try:
            for _ in range(100):
                yielded += 1
                yield b"%PDF-" + bytes(95)
        finally:
            closed = True

    with pytest.raises(EvidenceRejected) as info:
        await store.put(chunks(), original_name="bao-cao.pdf")
    assert info.value.code == "too_large"
    assert info.value.reason == "Tệp quá lớn: hơn 1000 byte, giới hạn là 1000 byte."
    assert yielded == 11  # stopped at the first chunk past the limit
    assert closed  # and told the source to stop
    assert temp_files(tmp_path) == []
    assert stored_files(tmp_path) == []


async def test_oversized_bytes_report_their_size(store: LocalEvidenceStore) -> None:
    data = b"%PDF-" + bytes(26_528_973 - 5)
    error = await refused(store, data, "bao-cao.pdf")
    assert error.code == "too_large"
    assert error.reason == "Tệp quá lớn: 25,3 MB, giới hạn là 20 MB."


async def test_exactly_max_bytes_is_accepted(tmp_path: Path) -> None:
    data = make_png()
    store = LocalEvidenceStore(tmp_path, max_bytes=len(data))
    assert (await store.put(data, original_name="a.png")).size == len(data)


@pytest.mark.parametrize("name", ["", "trong.pdf"])
async def test_empty_file_is_refused(store: LocalEvidenceStore, name: str) -> None:
    error = await refused(store, b"", name)
    assert error.code == "empty"
    assert error.reason == (f"Tệp “{name}” rỗng." if name else "Tệp rỗng.")


async def test_empty_stream_is_refused(store: LocalEvidenceStore) -> None:
    async def nothing() -> AsyncIterator[bytes]:
        for chunk in (b"", b""):
            yield chunk

    with pytest.raises(EvidenceRejected) as info:
        await store.put(nothing(), original_name="trong.pdf")
    assert info.value.code == "empty"
    assert temp_files(store.root) == []


async def test_executable_named_pdf_is_refused_naming_the_file(store: LocalEvidenceStore) -> None:
    error = await refused(store, EXE, "bao-cao.pdf")
    assert error.code == "content_mismatch"
    assert error.reason == "Tệp “bao-cao.pdf” không phải PDF thật: nội dung là tệp thực thi."


async def test_png_named_pdf_is_a_mismatch(store: LocalEvidenceStore) -> None:
    error = await refused(store, make_png(), "bao-cao.pdf")
    assert error.code == "content_mismatch"
    assert error.reason == "Tệp “bao-cao.pdf” không phải PDF thật: nội dung là ảnh PNG."


@pytest.mark.parametrize(
    "data",
    [
        make_zip({"bao-cao.pdf": b"%PDF-1.4"}),
        make_zip({"[Content_Types].xml": b"", "ppt/presentation.xml": b"", "ppt/slides/": b""}),
        make_xlsx(),
    ],
    ids=["plain-zip", "pptx", "xlsx"],
)
async def test_zip_that_is_not_a_word_document_is_refused_as_docx(
    store: LocalEvidenceStore, data: bytes
) -> None:
    error = await refused(store, data, "bien-ban.docx")
    assert error.code == "content_mismatch"
    assert error.reason.startswith("Tệp “bien-ban.docx” không phải tài liệu Word (.docx) thật")


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (
            EXE,
            "",
            "Loại tệp này không được nhận; hãy gửi PDF, ảnh JPG/PNG/HEIC, Word hoặc Excel.",
        ),
        (
            EXE,
            "setup.exe",
            "Tệp “setup.exe” là tệp thực thi, loại này không được nhận; "
            "hãy gửi PDF, ảnh JPG/PNG/HEIC, Word hoặc Excel.",
        ),
        (
            make_zip({"a.pdf": b"%PDF-"}),
            "ho-so.zip",
            "Tệp “ho-so.zip” là tệp nén ZIP, loại này không được nhận; "
            "hãy gửi PDF, ảnh JPG/PNG/HEIC, Word hoặc Excel.",
        ),
        (
            "Xin chào".encode(),
            "ghi-chu",
            "Tệp “ghi-chu” không thuộc loại được nhận; "
            "hãy gửi PDF, ảnh JPG/PNG/HEIC, Word hoặc Excel.",
        ),
    ],
)
async def test_other_types_are_not_allowed(
    store: LocalEvidenceStore, data: bytes, name: str, reason: str
) -> None:
    error = await refused(store, data, name)
    assert (error.code, error.reason) == ("type_not_allowed", reason)


async def test_allowed_content_under_another_types_extension_is_a_mismatch(
    store: LocalEvidenceStore,
) -> None:
    error = await refused(store, make_pdf(), "ghi-chu.txt")
    assert error.code == "content_mismatch"
    assert "“ghi-chu.txt”" in error.reason
    assert "PDF" in error.reason


async def test_allowed_kinds_are_configurable(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path, allowed=frozenset({"pdf", "jpg"}))
    assert (await store.put(make_jpeg(), original_name="a.jpg")).kind == "jpeg"
    error = await refused(
        LocalEvidenceStore(tmp_path / "b", allowed=frozenset({"pdf"})), make_png(), "a.png"
    )
    assert error.code == "type_not_allowed"
    assert error.reason == "Tệp “a.png” là ảnh PNG, loại này không được nhận; hãy gửi PDF."


def test_unknown_allowed_kind_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="exe"):
        LocalEvidenceStore(tmp_path, allowed=frozenset({"pdf", "exe"}))
    with pytest.raises(ValueError, match="at least one"):
        LocalEvidenceStore(tmp_path, allowed=frozenset())


async def test_failing_source_leaves_no_temp_file(store: LocalEvidenceStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"%PDF-1.4\n"
        raise ConnectionError("download interrupted")

    with pytest.raises(ConnectionError):
        await store.put(broken(), original_name="bao-cao.pdf")
    assert temp_files(store.root) == []


# --- Reading back ----------------------------------------------------------------------------


async def test_open_round_trips_and_exists(store: LocalEvidenceStore) -> None:
    data = make_heic()
    stored = await store.put(data, original_name="IMG_0003.heic")
    assert await store.open(stored.storage_key) == data
    assert await store.exists(stored.storage_key)
    missing = "sha256/00/00/" + "0" * 64
    assert not await store.exists(missing)
    with pytest.raises(FileNotFoundError):
        await store.open(missing)


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "sha256/ab/cd/../../../../etc/passwd",
        "sha256/ab/cd/" + "ab" * 32,  # directories disagree with the hash
        "sha256/AB/CD/" + "AB" * 32,
        "sha256/ab/ab/" + "ab" * 32 + "\n",
        "sha256/ab/ab/" + "ab" * 31,
        "tmp/upload-x.part",
        "",
    ],
)
async def test_malformed_keys_are_refused(store: LocalEvidenceStore, key: str) -> None:
    assert not is_storage_key(key)
    with pytest.raises(ValueError, match="storage key"):
        await store.open(key)
    with pytest.raises(ValueError, match="storage key"):
        await store.exists(key)


# --- Names and sizes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\fakepath\\Báo cáo.pdf", "Báo cáo.pdf"),
        (unicodedata.normalize("NFD", "Biên bản.pdf"), "Biên bản.pdf"),
        ("  a\x00b\u200b.pdf ", "ab.pdf"),
        ("bao-cao\u202egpj.exe", "bao-caogpj.exe"),
        ("..", ""),
        ("x" * 300 + ".docx", "x" * 250 + ".docx"),
        ("y" * 300, "y" * 255),
    ],
)
def test_safe_file_name(raw: str, clean: str) -> None:
    assert safe_file_name(raw) == clean


async def test_stored_name_is_normalised(store: LocalEvidenceStore) -> None:
    stored = await store.put(
        make_pdf(), original_name="../../" + unicodedata.normalize("NFD", "Kế hoạch.pdf")
    )
    assert stored.original_name == "Kế hoạch.pdf"
    assert unicodedata.is_normalized("NFC", stored.original_name)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 byte"),
        (1023, "1023 byte"),
        (1024, "1 KB"),
        (1536, "1,5 KB"),
        (20 * 1024 * 1024, "20 MB"),
        (26_528_973, "25,3 MB"),
        (1024 * 1024 - 1, "1 MB"),
        (3 * 1024**3, "3 GB"),
    ],
)
def test_format_size(size: int, text: str) -> None:
    assert format_size(size) == text


# --- Properties ------------------------------------------------------------------------------

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "doc_or_xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
}
PREFIXES = [
    b"%PDF-",
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"\x00\x00\x00\x18ftypheic",
    b"\x00\x00\x00\x18ftypavif",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"MZ",
]
contents = st.one_of(
    st.binary(max_size=600),
    st.builds(
        lambda prefix, tail: prefix + tail, st.sampled_from(PREFIXES), st.binary(max_size=600)
    ),
)
names = st.one_of(
    st.sampled_from(["tep", "a.pdf", "a.docx", "a.xls", "a.png", "a.exe", ""]),
    st.text(max_size=40),
)


def has_signature(data: bytes, kind: str) -> bool:
    if kind == "heic":
        return data[4:8] == b"ftyp" and data[8:12] in {b"heic", b"mif1"}
    return data.startswith(SIGNATURES[kind])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=contents, name=names)
async def test_random_bytes_are_accepted_only_with_an_allowed_signature(
    store: LocalEvidenceStore, data: bytes, name: str
) -> None:
    outcome: StoredFile | EvidenceRejected
    try:
        outcome = await store.put(data, original_name=name)
    except EvidenceRejected as error:  # the only exception allowed out of put()
        outcome = error
    if isinstance(outcome, EvidenceRejected):
        assert outcome.code in {
            "too_large",
            "empty",
            "type_not_allowed",
            "content_mismatch",
            "invalid",
        }
        assert outcome.reason.endswith(".")
    else:
        assert outcome.kind in DEFAULT_ALLOWED | {"doc_or_xls"}
        assert has_signature(data, outcome.kind)
        assert outcome.sha256 == hashlib.sha256(data).hexdigest()
        assert await store.open(outcome.storage_key) == data
    assert temp_files(store.root) == []


@given(st.binary(max_size=2000))
def test_detect_kind_never_raises(data: bytes) -> None:
    kind = detect_kind(data)
    assert kind is None or kind in DEFAULT_ALLOWED | {"doc_or_xls", "zip", "pptx", "ppt", "ole"}


# --- Structure: a file is what its signature claims (issue 11, item 6) -----------------------


def typst_pdf(tmp_path: Path) -> bytes:
    """A PDF from the report renderer's engine (typst), another real generator."""
    import typst

    source = tmp_path / "t.typ"
    source.write_text("= Biên bản\nXin chào", encoding="utf-8")
    return bytes(typst.compile(str(source)))


def incremental_pdf() -> bytes:
    """A PDF saved again with an incremental update: a second table and trailer appended."""
    reader = pypdf.PdfReader(io.BytesIO(make_pdf()))
    writer = pypdf.PdfWriter(reader, incremental=True)
    writer.add_metadata({"/Title": "Kế hoạch"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def wrong_offset_pdf() -> bytes:
    """A sloppy generator's PDF: `startxref` misses its table by a few bytes (viewers repair
    that from the table itself)."""
    data = samples.pdf()
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    return data.replace(b"startxref\n%d\n" % start, b"startxref\n%d\n" % (start + 7))


MOTION_PHOTO = samples.jpeg() + b"\x00\x00\x00\x18ftypmp42" + bytes(200)  # video after EOI

VALID_STRUCTURES: list[tuple[str, Callable[[Path], bytes], str]] = [
    ("pypdf.pdf", lambda _: make_pdf(), "pdf"),
    ("typst.pdf", typst_pdf, "pdf"),
    ("classic-xref.pdf", lambda _: samples.pdf(), "pdf"),
    ("xref-stream.pdf", lambda _: samples.pdf(xref_stream=True), "pdf"),
    ("incremental.pdf", lambda _: incremental_pdf(), "pdf"),
    ("crlf.pdf", lambda _: samples.pdf().replace(b"\n", b"\r\n"), "pdf"),
    ("wrong-offset.pdf", lambda _: wrong_offset_pdf(), "pdf"),
    ("trailing-nulls.pdf", lambda _: samples.pdf() + bytes(500), "pdf"),
    ("baseline.jpg", lambda _: samples.jpeg(), "jpeg"),
    ("progressive.jpg", lambda _: samples.jpeg(progressive=True), "jpeg"),
    ("exif-thumbnail.jpg", lambda _: samples.jpeg(exif_thumbnail=True), "jpeg"),
    ("motion-photo.jpg", lambda _: MOTION_PHOTO, "jpeg"),
    ("fill-bytes.jpg", lambda _: samples.jpeg().replace(b"\xff\xdb", b"\xff\xff\xff\xdb"), "jpeg"),
    ("rgb.png", lambda _: samples.png(), "png"),
    ("palette.png", lambda _: samples.png(colour=3, depth=4), "png"),
    ("grey16.png", lambda _: samples.png(colour=0, depth=16), "png"),
    ("photo.heic", lambda _: samples.heic(), "heic"),
    ("idat.heic", lambda _: samples.heic(idat=True), "heic"),
]


@pytest.mark.parametrize(("name", "factory", "kind"), VALID_STRUCTURES, ids=lambda v: str(v))
async def test_real_files_of_every_structure_are_accepted(
    tmp_path: Path, name: str, factory: Callable[[Path], bytes], kind: str
) -> None:
    data = factory(tmp_path)
    store = LocalEvidenceStore(tmp_path / "store")
    stored = await store.put(data, original_name=name)
    assert stored.kind == kind
    if kind == "pdf":  # an independent reader opens what the store accepted
        assert len(pypdf.PdfReader(io.BytesIO(data), strict=False).pages) >= 1


def _pdf_refusal(name: str, problem: str) -> str:
    redo = "hãy lưu hoặc xuất lại tệp PDF rồi gửi lại"
    return f"Tệp “{name}” không phải là PDF hợp lệ: {problem}; {redo}."


def _image_refusal(name: str, label: str, problem: str) -> str:
    return f"Tệp “{name}” không phải là {label} hợp lệ: {problem}; hãy lưu lại ảnh rồi gửi lại."


TRUNCATED = "tệp bị thiếu phần cuối, có thể do chưa tải lên hết"
BROKEN = "cấu trúc bên trong bị hỏng"
HEADER = "phần đầu ảnh (kích thước, kiểu màu) bị hỏng"
NO_PICTURE = "tệp không chứa dữ liệu ảnh"


def _bad_crc_png() -> bytes:
    data = bytearray(samples.png())
    data[29] ^= 0xFF  # the IHDR chunk's CRC
    return bytes(data)


BROKEN_STRUCTURES: list[tuple[str, bytes, str]] = [
    (  # the case: a PDF signature in front of a web page
        "bao-cao.pdf",
        b"%PDF-1.4\n<!DOCTYPE html><html><body>Trang web</body></html>\n",
        _pdf_refusal("bao-cao.pdf", "sau phần đầu PDF là một trang web HTML"),
    ),
    (
        "bao-cao.pdf",
        b"%PDF-1.4\n<html><body>x</body></html>\n%%EOF\n",
        _pdf_refusal("bao-cao.pdf", "sau phần đầu PDF là một trang web HTML"),
    ),
    ("cut.pdf", samples.pdf()[:200], _pdf_refusal("cut.pdf", TRUNCATED)),
    (
        "no-xref.pdf",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n",
        _pdf_refusal("no-xref.pdf", BROKEN),
    ),
    (
        "zero-offset.pdf",
        b"%PDF-1.4\nhello\nstartxref\n0\n%%EOF\n",
        _pdf_refusal("zero-offset.pdf", BROKEN),
    ),
    (
        "version.pdf",
        b"%PDF-x" + samples.pdf()[8:],
        _pdf_refusal("version.pdf", "phần đầu tệp không đúng chuẩn PDF"),
    ),
    ("cut.jpg", samples.jpeg()[:-2], _image_refusal("cut.jpg", "ảnh JPG", TRUNCATED)),
    (
        "cut-in-header.jpg",
        samples.jpeg()[:30],
        _image_refusal("cut-in-header.jpg", "ảnh JPG", TRUNCATED),
    ),
    (  # signature, JFIF header and end of image only: no frame, no picture
        "empty.jpg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
        _image_refusal("empty.jpg", "ảnh JPG", NO_PICTURE),
    ),
    (
        "garbage.jpg",
        b"\xff\xd8\xff\xe0\x00\x04abgarbage" + bytes(64),  # no marker after the segment
        _image_refusal("garbage.jpg", "ảnh JPG", BROKEN),
    ),
    (
        "no-frame.jpg",
        samples.jpeg().replace(b"\xff\xc0", b"\xff\xe2"),  # the frame header made an APP2
        _image_refusal("no-frame.jpg", "ảnh JPG", HEADER),
    ),
    ("crc.png", _bad_crc_png(), _image_refusal("crc.png", "ảnh PNG", HEADER)),
    ("cut.png", samples.png()[:-6], _image_refusal("cut.png", "ảnh PNG", TRUNCATED)),
    (
        "depth.png",
        samples.png(colour=2, depth=4),  # RGB has no 4-bit depth
        _image_refusal("depth.png", "ảnh PNG", HEADER),
    ),
    ("cut.heic", samples.heic()[:-4], _image_refusal("cut.heic", "ảnh HEIC", TRUNCATED)),
    (
        "no-data.heic",
        samples.heic()[: len(samples.heic()) - 28],  # cut exactly where mdat begins
        _image_refusal("no-data.heic", "ảnh HEIC", NO_PICTURE),
    ),
    (
        "no-meta.heic",
        samples.heic().replace(b"meta", b"free"),
        _image_refusal("no-meta.heic", "ảnh HEIC", NO_PICTURE),
    ),
]


@pytest.mark.parametrize(("name", "data", "reason"), BROKEN_STRUCTURES, ids=lambda v: str(v)[:30])
async def test_a_broken_structure_is_refused_naming_the_problem(
    store: LocalEvidenceStore, name: str, data: bytes, reason: str
) -> None:
    error = await refused(store, data, name)
    assert (error.code, error.reason) == ("invalid", reason)


async def test_a_broken_pdf_without_a_name_is_refused_too(store: LocalEvidenceStore) -> None:
    error = await refused(store, samples.pdf()[:100], "")
    assert (
        error.reason
        == f"Tệp không phải là PDF hợp lệ: {TRUNCATED}; hãy lưu hoặc xuất lại tệp PDF rồi gửi lại."
    )


async def test_a_kind_that_is_not_allowed_is_refused_as_such_even_when_broken(
    tmp_path: Path,
) -> None:
    store = LocalEvidenceStore(tmp_path, allowed=frozenset({"pdf"}))
    error = await refused(store, samples.png()[:-6], "a.png")
    assert error.code == "type_not_allowed"


@pytest.mark.parametrize(
    ("factory", "slack"),
    [
        (samples.pdf, 1),  # "%%EOF" without its final line break is still a whole PDF
        (lambda: samples.pdf(xref_stream=True), 1),
        (samples.jpeg, 0),
        (lambda: samples.jpeg(exif_thumbnail=True), 0),
        (samples.png, 0),
        (samples.heic, 0),
    ],
    ids=["pdf", "pdf-xref-stream", "jpeg", "jpeg-exif-thumbnail", "png", "heic"],
)
def test_every_truncation_of_a_real_file_is_refused(
    factory: Callable[[], bytes], slack: int
) -> None:
    """An upload cut off anywhere (a dropped connection, a full phone) never passes as whole."""
    data = factory()
    kind = detect_kind(data)
    assert kind is not None
    assert structure_problem(kind, data) is None
    for cut in range(len(data) - slack - 1, 8, -1):
        prefix = data[:cut]
        found = detect_kind(prefix)
        assert found != kind or structure_problem(kind, prefix) is not None, cut


# --- A full disk (issue 11: "a full disk … an upload then gives a traceback") ----------------


def _full_after(limit: int, error: int, root: Path) -> Callable[[int, bytes], int]:
    """`os.write` as on a disk with `limit` bytes free: writes to files under `root` stop there
    with `error` (a short write first, as the kernel does, then the error)."""
    real_write = os.write
    written = 0

    def write(fd: int, data: bytes) -> int:
        nonlocal written
        if not os.readlink(f"/proc/self/fd/{fd}").startswith(str(root)):
            return real_write(fd, data)
        room = limit - written
        if room <= 0:
            raise OSError(error, os.strerror(error))
        done = real_write(fd, bytes(memoryview(data)[:room]))
        written += done
        return done

    return write


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EDQUOT], ids=["ENOSPC", "EDQUOT"])
@pytest.mark.parametrize("streamed", [False, True], ids=["bytes", "stream"])
async def test_a_full_disk_is_refused_with_one_sentence_and_nothing_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: int, streamed: bool
) -> None:
    store = LocalEvidenceStore(tmp_path)
    data = samples.pdf(b"x" * 3 * 1024 * 1024)  # more than one 1 MB write
    monkeypatch.setattr(os, "write", _full_after(1024 * 1024 + 100, error, tmp_path))

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 256 * 1024):
            yield data[start : start + 256 * 1024]

    with pytest.raises(EvidenceRejected) as info:
        await store.put(chunks() if streamed else data, original_name="bao-cao.pdf")
    assert (info.value.code, info.value.reason) == ("no_space", NO_SPACE)
    assert NO_SPACE == "Máy chủ hết dung lượng lưu trữ; tệp chưa được lưu, hãy báo quản trị viên."
    assert temp_files(tmp_path) == []  # the part already written is gone
    assert stored_files(tmp_path) == []


async def test_a_full_disk_at_fsync_leaves_nothing_either(
    store: LocalEvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some filesystems (NFS, delayed allocation) report the full disk only when flushing."""

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(EvidenceRejected) as info:
        await store.put(samples.pdf(), original_name="bao-cao.pdf")
    assert info.value.code == "no_space"
    assert temp_files(store.root) == []
    assert stored_files(store.root) == []


async def test_other_write_errors_are_not_called_a_full_disk(
    store: LocalEvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "write", _full_after(0, errno.EIO, store.root))
    with pytest.raises(OSError, match="Input/output error") as info:
        await store.put(samples.pdf(), original_name="bao-cao.pdf")
    assert info.value.errno == errno.EIO
    assert temp_files(store.root) == []


async def test_a_cancelled_upload_never_closes_the_file_under_a_write(
    store: LocalEvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelling an upload (the user's update abandoned at shutdown) discards it from the
    event loop while a worker thread may be writing: the descriptor must stay that temp file's
    until the write returns (a closed and reused descriptor would write into another file)."""
    real_write = os.write
    writing = threading.Event()
    seen: list[str] = []

    def slow_write(fd: int, data: bytes) -> int:
        if not os.readlink(f"/proc/self/fd/{fd}").startswith(str(store.root)):
            return real_write(fd, data)
        writing.set()
        time.sleep(0.3)
        seen.append(os.readlink(f"/proc/self/fd/{fd}"))  # fails if it was closed meanwhile
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", slow_write)
    task = asyncio.create_task(store.put(samples.pdf(b"x" * 3_000_000), original_name="a.pdf"))
    assert await asyncio.to_thread(writing.wait, 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(seen) == 1
    assert seen[0].startswith(str(store.root / "tmp"))
    assert temp_files(store.root) == []
    assert stored_files(store.root) == []


_TMPFS_SCRIPT = """
import asyncio, os, sys
from pathlib import Path
from storage.evidence_store import EvidenceRejected, LocalEvidenceStore
from tests import evidence_samples as samples

root = Path(sys.argv[1])
os.makedirs(root, exist_ok=True)
if os.system(f"mount -t tmpfs -o size=256k tmpfs {root}") != 0:
    sys.exit("mount failed")
store = LocalEvidenceStore(root)
try:
    asyncio.run(store.put(samples.pdf(b"x" * 1024 * 1024), original_name="bao-cao.pdf"))
except EvidenceRejected as refused:
    left = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    print(refused.code, refused.reason, left, sep="|")
"""


def test_a_real_full_filesystem_is_answered_the_same(tmp_path: Path) -> None:
    """A 256 KB tmpfs mounted in a private mount namespace (it vanishes with the process): the
    kernel's own ENOSPC, through the same write path as the patched tests above."""
    assert os.geteuid() == 0 or shutil.which("unshare"), "needs unshare (util-linux)"
    command = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "-rm"]
    done = subprocess.run(
        [*command, sys.executable, "-c", _TMPFS_SCRIPT, str(tmp_path / "full")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"no_space|{NO_SPACE}|[]"


@settings(max_examples=300, deadline=None)
@given(
    sample=st.sampled_from(
        [
            samples.pdf(),
            samples.pdf(xref_stream=True),
            samples.jpeg(exif_thumbnail=True),
            samples.png(),
            samples.heic(),
            samples.heic(idat=True),
        ]
    ),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    cut=st.integers(0, 10_000),
)
def test_damaged_real_files_never_break_the_checks(
    sample: bytes, flips: list[tuple[int, int]], cut: int
) -> None:
    """Real files with bytes changed and cut anywhere: the checks answer, never raise."""
    data = bytearray(sample)
    for where, value in flips:
        data[where % len(data)] = value
    damaged = bytes(data[: max(1, len(data) - cut % len(data))])
    kind = detect_kind(sample)
    assert kind is not None
    problem = structure_problem(kind, damaged)
    assert problem is None or problem.strip()
