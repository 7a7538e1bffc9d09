"""Evidence (minh chứng) file store: content-checked, content-addressed, crash-safe.

Officials upload scans, photos and Office documents from their phones. The store must never
lose an accepted file, must keep one copy of a file uploaded twice, and must refuse oversized
or disguised files with a reason the official can act on — so the type is decided by the
bytes, never by the name the phone happened to give the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import io
import mmap
import os
import re
import struct
import tempfile
import threading
import unicodedata
import zipfile
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from storage.evidence_structure import structure_problem

__all__ = [
    "DEFAULT_ALLOWED",
    "MIME_TYPES",
    "EvidenceRejected",
    "EvidenceStore",
    "LocalEvidenceStore",
    "StoredFile",
    "detect_kind",
    "format_size",
    "is_storage_key",
    "safe_file_name",
]

DEFAULT_ALLOWED: frozenset[str] = frozenset(
    {"pdf", "jpeg", "png", "heic", "doc", "docx", "xls", "xlsx"}
)

MIME_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    # A legacy Office file whose directory names both Word and Excel streams (one embeds the
    # other) and whose name does not say which: libmagic's generic OLE Office type.
    "doc_or_xls": "application/vnd.ms-office",
}

# Aliases accepted in the ``allowed`` configuration.
_KIND_ALIASES = {"jpg": "jpeg", "heif": "heic"}

# Extensions that declare an evidence type; the content must then be of that type.
_EVIDENCE_EXTENSIONS: dict[str, str] = {
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "jpe": "jpeg",
    "jfif": "jpeg",
    "png": "png",
    "heic": "heic",
    "heif": "heic",
    "doc": "doc",
    "docx": "docx",
    "xls": "xls",
    "xlsx": "xlsx",
}

# Extensions of other well-known types. A suffix outside both tables (".UBND" in
# "Quyết định 12.UBND", ".2" in "Báo cáo v1.2") is part of the name, not a declared type.
# fmt: off
_OTHER_EXTENSIONS = frozenset(
    {
        "exe", "dll", "scr", "bat", "cmd", "com", "msi", "msp", "pif", "cpl", "sys", "lnk", "reg",
        "hta", "js", "jse", "vbs", "vbe", "wsf", "ps1", "psm1", "sh", "bash", "py", "pl", "rb",
        "php", "jar", "apk", "aab", "ipa", "app", "dmg", "iso", "img", "bin", "elf", "so", "dylib",
        "zip", "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "cab", "txt", "csv", "tsv", "rtf",
        "odt", "ods", "odp", "md", "json", "xml", "html", "htm", "xhtml", "mht", "mhtml", "svg",
        "eml", "msg", "ppt", "pptx", "pps", "ppsx", "pot", "potx", "docm", "dotx", "dotm", "dot",
        "xlsm", "xlsb", "xltx", "xltm", "xlt", "gif", "bmp", "tif", "tiff", "webp", "avif", "ico",
        "psd", "raw", "dng", "cr2", "nef", "mp3", "m4a", "aac", "wav", "ogg", "opus", "amr", "mp4",
        "m4v", "mov", "avi", "mkv", "webm", "3gp", "flv", "wmv",
    }
)
# fmt: on

_LABELS: dict[str, str] = {
    "pdf": "PDF",
    "jpeg": "ảnh JPG",
    "png": "ảnh PNG",
    "heic": "ảnh HEIC",
    "doc": "tài liệu Word (.doc)",
    "docx": "tài liệu Word (.docx)",
    "xls": "bảng tính Excel (.xls)",
    "xlsx": "bảng tính Excel (.xlsx)",
    "doc_or_xls": "tài liệu Word/Excel đời cũ",
    "zip": "tệp nén ZIP",
    "pptx": "bản trình chiếu PowerPoint",
    "ppt": "bản trình chiếu PowerPoint",
    "ole": "tệp Office đời cũ không rõ loại",
}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
_HEAD_BYTES = 64
_CHUNK_BYTES = 1024 * 1024  # a multiple of the 128-byte OLE directory entry
_MAX_NAME_CHARS = 255
_UNKNOWN = "không rõ loại"
# A full disk or quota while an upload is written: the official cannot fix it, the operator can.
NO_SPACE = "Máy chủ hết dung lượng lưu trữ; tệp chưa được lưu, hãy báo quản trị viên."
_NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_REDO = {
    "pdf": "hãy lưu hoặc xuất lại tệp PDF rồi gửi lại",
    "jpeg": "hãy lưu lại ảnh rồi gửi lại",
    "png": "hãy lưu lại ảnh rồi gửi lại",
    "heic": "hãy lưu lại ảnh rồi gửi lại",
}
_KEY_RE = re.compile(r"sha256/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")


class _Hasher(Protocol):
    def update(self, data: bytes | memoryview, /) -> None: ...


class EvidenceRejected(Exception):
    """An upload the store refuses; ``reason`` is shown to the official as is.

    ``code`` is one of ``too_large``, ``empty``, ``type_not_allowed``, ``content_mismatch``,
    ``invalid`` (the type's structure is broken), ``no_space`` (the server's disk or quota is
    full: nothing was kept), for the caller's logs and metrics.
    """

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class StoredFile:
    """What the database records about an accepted file; the bytes live under ``storage_key``."""

    sha256: str
    size: int
    mime_type: str
    kind: str
    storage_key: str
    original_name: str
    deduplicated: bool


class EvidenceStore(Protocol):
    """Where evidence bytes live; keys are opaque so an S3-compatible store can replace this."""

    async def put(self, data: bytes | AsyncIterator[bytes], *, original_name: str) -> StoredFile:
        """Check and keep ``data``; raise EvidenceRejected with a reason for the user."""
        ...

    async def open(self, storage_key: str) -> bytes:
        """Return the bytes stored under ``storage_key``."""
        ...

    async def exists(self, storage_key: str) -> bool:
        """Tell whether ``storage_key`` holds a file."""
        ...


# --- Sizes and names -------------------------------------------------------------------------


def format_size(size: int) -> str:
    """Vietnamese style, comma decimal and binary units: 26528973 → "25,3 MB"."""
    if size < 1024:
        return f"{size} byte"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if round(value, 1) < 1024 or unit == "GB":
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text.replace('.', ',')} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def safe_file_name(name: str) -> str:
    """The name to record and show: NFC, no directory part, no control characters, ≤ 255 chars.

    Phones send NFD names, some clients send full paths, and a right-to-left override can make
    "gpj.exe" look like "exe.jpg"; none of that may reach the database or be shown back as is.
    """
    name = unicodedata.normalize("NFC", name).replace("\\", "/")
    name = name.rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = name.strip()
    if name in (".", ".."):
        return ""
    if len(name) <= _MAX_NAME_CHARS:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) <= 10:
        return f"{stem[: _MAX_NAME_CHARS - len(ext) - 1].rstrip()}.{ext}"
    return name[:_MAX_NAME_CHARS]


def _declared_extension(name: str) -> str:
    """The lower-case extension if it is a known file type's, else "" (part of the name)."""
    _, dot, ext = name.rpartition(".")
    ext = ext.lower()
    if not dot or not ext or ext.strip() != ext:
        return ""
    if ext in _EVIDENCE_EXTENSIONS or ext in _OTHER_EXTENSIONS:
        return ext
    return ""


def is_storage_key(key: str) -> bool:
    """Whether ``key`` has the exact ``sha256/ab/cd/<abcd…64 hex>`` form, so it names no path."""
    match = _KEY_RE.fullmatch(key)
    return match is not None and match[3].startswith(match[1] + match[2])


# --- Content detection -----------------------------------------------------------------------


def _signature(head: bytes) -> str | None:
    """The family named by the magic bytes at the start; zip and ole need a closer look."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(_PNG_MAGIC):
        return "png"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "heic"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _zip_kind(source: BinaryIO) -> str:
    """docx or xlsx by the member names in the central directory; any other zip is "zip"."""
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
    except Exception:  # untrusted bytes: any parse failure just means "not a valid OOXML file"
        return "zip"
    if "[Content_Types].xml" not in names:
        return "zip"
    word = "word/document.xml" in names or any(n.startswith("word/") for n in names)
    excel = "xl/workbook.xml" in names
    if word and not excel:
        return "docx"
    if excel and not word:
        return "xlsx"
    if "ppt/presentation.xml" in names and not (word or excel):
        return "pptx"
    return "zip"


def _ole_entry_pattern(name: str) -> bytes:
    return name.encode("utf-16-le") + b"\x00\x00"


_OLE_STREAMS = {
    "doc": (_ole_entry_pattern("WordDocument"),),
    "xls": (_ole_entry_pattern("Workbook"), _ole_entry_pattern("Book")),
    "ppt": (_ole_entry_pattern("PowerPoint Document"),),
}


def _ole_kind(chunks: Iterable[bytes]) -> str:
    """doc, xls or doc_or_xls by the stream names in the OLE directory; else ppt or "ole".

    Directory entries are 128 bytes, 128-aligned after the 512-byte header, with the name's
    byte length (terminator included) at +64 and the object type (2 = stream) at +66. Checking
    all three keeps a Word document whose text says "Workbook" from passing as a spreadsheet.
    Chunks must start at multiples of 128 of the file offset.
    """
    found: set[str] = set()
    offset = 0
    for chunk in chunks:
        for kind, patterns in _OLE_STREAMS.items():
            if kind in found:
                continue
            for pattern in patterns:
                pos = chunk.find(pattern)
                while pos != -1:
                    if (offset + pos) % 128 == 0 and offset + pos >= 512:
                        meta = chunk[pos + 64 : pos + 67]
                        if len(meta) == 3 and meta == struct.pack("<HB", len(pattern), 2):
                            found.add(kind)
                            break
                    pos = chunk.find(pattern, pos + 1)
        offset += len(chunk)
    if "doc" in found and "xls" in found:
        return "doc_or_xls"
    for kind in ("doc", "xls", "ppt"):
        if kind in found:
            return kind
    return "ole"


def detect_kind(head: bytes) -> str | None:
    """The real type of ``head`` (the file's bytes, whole for zip and OLE), by content only.

    Returns one of pdf, jpeg, png, heic, doc, xls, doc_or_xls, docx, xlsx — the evidence
    kinds — or zip, pptx, ppt, ole for other containers, or None when nothing matches.
    """
    kind = _signature(head)
    if kind == "zip":
        return _zip_kind(io.BytesIO(head))
    if kind == "ole":
        return _ole_kind(_chunked(head))
    return kind


def _chunked(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(view), _CHUNK_BYTES):
        yield bytes(view[start : start + _CHUNK_BYTES])


def _describe(kind: str | None, head: bytes) -> str:
    """What the content really is, in words, for the refusal message."""
    if kind in _LABELS:
        return _LABELS[kind]
    if head.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return "tệp thực thi"
    if head.startswith(b"#!"):
        return "tệp lệnh (script)"
    if head.startswith(b"GIF8"):
        return "ảnh GIF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "ảnh WebP"
    if head.startswith(b"Rar!\x1a\x07"):
        return "tệp nén RAR"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "tệp nén 7z"
    if head.startswith(b"\x1f\x8b"):
        return "tệp nén GZIP"
    if head[4:8] == b"ftyp":
        return "tệp video hoặc ảnh định dạng khác"
    if head.startswith(b"{\\rtf"):
        return "tài liệu RTF"
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "trang web HTML"
    return _UNKNOWN


def _allowed_hint(allowed: frozenset[str]) -> str:
    """The configured kinds in words, e.g. "PDF, ảnh JPG/PNG/HEIC, Word hoặc Excel"."""
    parts: list[str] = []
    if "pdf" in allowed:
        parts.append("PDF")
    images = [
        label
        for kind, label in (("jpeg", "JPG"), ("png", "PNG"), ("heic", "HEIC"))
        if kind in allowed
    ]
    if images:
        parts.append("ảnh " + "/".join(images))
    if allowed & {"doc", "docx"}:
        parts.append("Word")
    if allowed & {"xls", "xlsx"}:
        parts.append("Excel")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " hoặc " + parts[-1]


def _normalise_allowed(allowed: Iterable[str]) -> frozenset[str]:
    kinds = frozenset(_KIND_ALIASES.get(kind.lower(), kind.lower()) for kind in allowed)
    unknown = kinds - DEFAULT_ALLOWED
    if not kinds:
        raise ValueError("at least one evidence kind must be allowed")
    if unknown:
        raise ValueError(f"unknown evidence kinds: {', '.join(sorted(unknown))}")
    return kinds


def _resolve_kind(kind: str | None, head: bytes, name: str, allowed: frozenset[str]) -> str:
    """The accepted kind, or EvidenceRejected when the content is not allowed or not as named."""
    quoted = f"“{name}”"
    what = _describe(kind, head)
    ext = _declared_extension(name)
    if ext in _EVIDENCE_EXTENSIONS:
        expected = _EVIDENCE_EXTENSIONS[ext]
        if kind == "doc_or_xls" and expected in ("doc", "xls"):
            kind = expected  # the name settles what the content could not
        if kind != expected:
            found = "không nhận ra nội dung" if what == _UNKNOWN else f"nội dung là {what}"
            raise EvidenceRejected(
                "content_mismatch", f"Tệp {quoted} không phải {_LABELS[expected]} thật: {found}."
            )
    if kind is None or not (
        kind in allowed or (kind == "doc_or_xls" and bool(allowed & {"doc", "xls"}))
    ):
        hint = _allowed_hint(allowed)
        if not name:
            reason = f"Loại tệp này không được nhận; hãy gửi {hint}."
        elif what == _UNKNOWN:
            reason = f"Tệp {quoted} không thuộc loại được nhận; hãy gửi {hint}."
        else:
            reason = f"Tệp {quoted} là {what}, loại này không được nhận; hãy gửi {hint}."
        raise EvidenceRejected("type_not_allowed", reason)
    if ext and ext not in _EVIDENCE_EXTENSIONS:
        raise EvidenceRejected(
            "content_mismatch",
            f"Tệp {quoted} có đuôi .{ext} nhưng nội dung là {what}; "
            "hãy đổi đuôi tệp cho đúng rồi gửi lại.",
        )
    return kind


# --- Local filesystem store ------------------------------------------------------------------


def _fsync_dir(path: Path) -> None:
    """Make a rename or new entry in ``path`` survive a power cut (where the OS allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def _make_dirs_durable(path: Path) -> None:
    """Create ``path`` and its missing parents, fsyncing each parent so they survive a crash."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir()
        _fsync_dir(directory.parent)


def _invalid(kind: str, problem: str, name: str) -> EvidenceRejected:
    """The refusal of a file whose signature names an allowed kind but whose structure is not."""
    subject = f"Tệp “{name}”" if name else "Tệp"
    return EvidenceRejected(
        "invalid", f"{subject} không phải là {_LABELS[kind]} hợp lệ: {problem}; {_REDO[kind]}."
    )


class _Upload:
    """The temp file an upload is written to, through its raw descriptor.

    Nothing is buffered in the process, so a full disk is reported by the very write that hit
    it, and closing never fails on a buffered remainder (which would skip the cleanup and leave
    a partial file behind). Writes run in a worker thread while a cancelled upload is discarded
    from the event loop: the lock makes the close wait for a write in flight (one chunk, at most
    1 MB), so the descriptor is never closed under it and then reused by another file.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd
        self._lock = threading.Lock()

    def write(self, hasher: _Hasher, chunk: bytes | memoryview) -> None:
        hasher.update(chunk)
        view = memoryview(chunk)
        with self._lock:
            if self.fd < 0:
                raise OSError(errno.EBADF, "the upload was discarded")
            while view:
                written = os.write(self.fd, view)
                view = view[written:]

    def finish(self) -> None:
        """The bytes on disk (fsync) before the rename that publishes them; then closed."""
        with self._lock:
            os.fsync(self.fd)
        self.close()

    def close(self) -> None:
        with self._lock:
            fd, self.fd = self.fd, -1
            if fd >= 0:
                os.close(fd)

    def discard(self) -> None:
        """Close and remove the temp file, whatever state the upload failed in."""
        with contextlib.suppress(OSError):
            self.close()
        self.path.unlink(missing_ok=True)


class LocalEvidenceStore:
    """EvidenceStore on a local directory: ``root/sha256/ab/cd/<hex>``, uploads via ``root/tmp``.

    Temporary files live under the same root so the final ``os.replace`` is an atomic rename on
    one filesystem; the bytes are fsynced first, so a power cut leaves either no file or a whole
    one under its hash.
    """

    def __init__(
        self,
        root: Path,
        *,
        max_bytes: int = 20 * 1024 * 1024,
        allowed: frozenset[str] = DEFAULT_ALLOWED,
    ) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.allowed = _normalise_allowed(allowed)
        self._tmp_dir = self.root / "tmp"
        # Check-then-rename must be one step for ``deduplicated`` to be exact within a process;
        # across processes the worst case is renaming identical bytes over each other.
        self._commit_lock = threading.Lock()

    async def put(self, data: bytes | AsyncIterator[bytes], *, original_name: str) -> StoredFile:
        """Stream ``data`` to a temp file while hashing, check it, then move it under its hash.

        A full disk or quota (ENOSPC, EDQUOT) anywhere on the way is EvidenceRejected
        ``no_space``; whatever fails, the temp file is removed, so nothing half-written stays.
        """
        try:
            return await self._put(data, original_name=original_name)
        except OSError as failed:
            if failed.errno in _NO_SPACE_ERRNOS:
                raise EvidenceRejected("no_space", NO_SPACE) from None
            raise

    async def _put(self, data: bytes | AsyncIterator[bytes], *, original_name: str) -> StoredFile:
        name = safe_file_name(original_name)
        if isinstance(data, bytes | bytearray | memoryview):
            size = len(data)
            if size > self.max_bytes:
                raise self._too_large(size)
            if size == 0:
                raise self._empty(name)
        upload = await asyncio.to_thread(self._open_temp)
        try:
            digest, size = await self._receive(data, upload, name)
            kind, head, problem = await asyncio.to_thread(self._inspect, upload.path)
            if problem is not None and kind in self.allowed:
                raise _invalid(kind, problem, name)
            kind = _resolve_kind(kind, head, name, self.allowed)
            key = f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
            deduplicated = await asyncio.to_thread(self._commit, upload.path, key, size)
        except BaseException:
            # Synchronous on purpose: it must also run while the task is being cancelled.
            upload.discard()
            raise
        return StoredFile(
            sha256=digest,
            size=size,
            mime_type=MIME_TYPES[kind],
            kind=kind,
            storage_key=key,
            original_name=name,
            deduplicated=deduplicated,
        )

    async def open(self, storage_key: str) -> bytes:
        """The stored bytes; ValueError for a malformed key, FileNotFoundError if absent."""
        return await asyncio.to_thread(self._path(storage_key).read_bytes)

    async def exists(self, storage_key: str) -> bool:
        """Whether a file is stored under ``storage_key``; ValueError for a malformed key."""
        return await asyncio.to_thread(self._path(storage_key).is_file)

    def _path(self, storage_key: str) -> Path:
        if not is_storage_key(storage_key):
            raise ValueError(f"not an evidence storage key: {storage_key!r}")
        return self.root / storage_key

    def _too_large(self, size: int | None) -> EvidenceRejected:
        limit = format_size(self.max_bytes)
        shown = format_size(size) if size is not None else limit
        if shown == limit:
            shown = f"hơn {limit}"
        return EvidenceRejected("too_large", f"Tệp quá lớn: {shown}, giới hạn là {limit}.")

    @staticmethod
    def _empty(name: str) -> EvidenceRejected:
        return EvidenceRejected("empty", f"Tệp “{name}” rỗng." if name else "Tệp rỗng.")

    async def _receive(
        self,
        data: bytes | bytearray | memoryview | AsyncIterator[bytes],
        upload: _Upload,
        name: str,
    ) -> tuple[str, int]:
        """Write and hash ``data``; stop at the first chunk past ``max_bytes``."""
        hasher = hashlib.sha256()
        size = 0
        if isinstance(data, bytes | bytearray | memoryview):
            view = memoryview(data)
            for start in range(0, len(view), _CHUNK_BYTES):
                piece = view[start : start + _CHUNK_BYTES]
                await asyncio.to_thread(upload.write, hasher, piece)
            size = len(view)
        else:
            try:
                async for chunk in data:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise self._too_large(None)
                    if chunk:
                        await asyncio.to_thread(upload.write, hasher, chunk)
            finally:
                # Stop the upstream download now rather than whenever the generator is collected.
                aclose = getattr(data, "aclose", None)
                if aclose is not None:
                    await aclose()
        if size == 0:
            raise self._empty(name)
        await asyncio.to_thread(upload.finish)
        return hasher.hexdigest(), size

    def _open_temp(self) -> _Upload:
        if not self._tmp_dir.is_dir():
            _make_dirs_durable(self._tmp_dir)
        fd, raw_path = tempfile.mkstemp(dir=self._tmp_dir, prefix="upload-", suffix=".part")
        return _Upload(Path(raw_path), fd)

    @staticmethod
    def _inspect(path: Path) -> tuple[str | None, bytes, str | None]:
        """The detected kind of the temp file, its first bytes, and what is wrong with its
        structure if anything (`storage.evidence_structure`), without loading it whole."""
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
            kind = _signature(head)
            problem = None
            if kind == "zip":
                handle.seek(0)
                kind = _zip_kind(handle)
            elif kind == "ole":
                handle.seek(0)
                kind = _ole_kind(iter(lambda: handle.read(_CHUNK_BYTES), b""))
            elif kind is not None:
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                    problem = structure_problem(kind, mapped)
        return kind, head, problem

    def _commit(self, tmp_path: Path, key: str, size: int) -> bool:
        """Move the temp file under ``key``; True when an intact copy was already there."""
        target = self.root / key
        _make_dirs_durable(target.parent)
        with self._commit_lock:
            try:
                present = target.stat().st_size == size
            except FileNotFoundError:
                present = False
            if present:
                tmp_path.unlink()
                return True
            # Absent, or a wrong-sized leftover from outside this store: the new copy wins.
            os.replace(tmp_path, target)
        _fsync_dir(target.parent)
        return False
