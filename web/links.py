"""Signed, expiring links to rendered report files (the `ReportLinks` port).

Zalo cannot carry a document, so a report reaches its reader as a link to our own backend. The
link must work without a login and only for the one file, for a few days: its token is a
compact payload (which file, how to serve it, until when) with an HMAC-SHA256 over it. Nothing
about the link is kept in a database: the token carries everything, and a worker process that
never saw the link being made can serve it, given the same secret and the same directory.

The file itself is stored content-addressed (its SHA-256 is its name), so the same report
linked twice is stored once and a link never renders anything again. A stored file's mtime is
the expiry of the latest link to it (in the future, refreshed when it is linked again), so
`cleanup` deletes exactly the files whose every link has expired, whatever the ttl was then.
Linking and cleaning take a lock file in the directory (shared and exclusive `flock`), so a
cleanup in one worker cannot delete a file another worker has just linked again.

Every way a token can be wrong (forged, truncated, tampered, malformed, expired, its file gone)
gives the same answer, None: the client learns nothing about which it was.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import fcntl
import hashlib
import hmac
import logging
import os
import shutil
import struct
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conversations.messages import Attachment
from conversations.ports import ReportLink

log = logging.getLogger("dvht.links")

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
ZIP = "application/zip"
_TYPE_CODES: dict[str, int] = {PDF: 1, DOCX: 2, XLSX: 3, PNG: 4, ZIP: 5}
"""Only these types are ever served: a file linked under a type a browser would run (HTML,
SVG…) would put script on our origin, so anything else is refused when the link is made."""
_TYPES_BY_CODE = {code: mime for mime, code in _TYPE_CODES.items()}

VERSION = 1
_KEY_CONTEXT = b"dvht report links v1"
"""The key for links is derived from the secret key (which also signs other things, such as
sessions), so that a MAC made for one purpose can never pass as one made for another."""
_HEAD = struct.Struct(">B32sBI")
"""Version, the file's SHA-256, its type code, the expiry in Unix seconds (UTC; enough until
2106); the file name to show follows, in UTF-8, then the MAC."""
_MAC_SIZE = 32
MAX_NAME_BYTES = 180
"""A longer file name is shortened (its extension kept) so that a link stays short enough for
any chat client to show whole."""
MAX_TOKEN_CHARS = 512
"""No token we make is longer (about 330 characters with the longest name); a longer one is
refused before any decoding."""
_MIN_TOKEN_BYTES = _HEAD.size + _MAC_SIZE
_LOCK_NAME = ".lock"
_COPY_CHUNK = 1024 * 1024
_TEMP_PREFIX = ".tmp-"
TEMP_MAX_AGE = dt.timedelta(hours=1)
"""A temporary file this old was left by a process that died while writing it."""
CLEANUP_GRACE = dt.timedelta(hours=1)
"""A file is deleted this long after its last link expired, never at the very moment: a
download that began just before the expiry still finds its file."""


@dataclass(frozen=True)
class ServedFile:
    """What a valid token points to: a stored file and how to serve it."""

    path: Path
    mime_type: str
    file_name: str
    """The name to offer the reader (Vietnamese allowed; NFC)."""
    expires_at: dt.datetime
    size: int


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    """A naive datetime from a clock is taken as UTC, as everywhere in the project."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(token: str) -> bytes | None:
    """The bytes of a URL-safe base64 token without padding; None for anything else (another
    alphabet, padding, a length no encoder makes)."""
    if len(token) % 4 == 1 or not token.isascii():
        return None
    try:
        data = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    # Only the canonical spelling is accepted: the unused low bits of the last character must
    # be zero, so that one token has exactly one spelling (no mutation of it is still valid).
    return data if _b64encode(data) == token else None


def shortened_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """`name` in NFC, without control characters, at most `limit` UTF-8 bytes (the stem is cut,
    on a character boundary, and the extension kept)."""
    clean = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable()).strip()
    clean = clean.replace("/", "_").replace("\\", "_") or "bao-cao"
    if len(clean.encode("utf-8")) <= limit:
        return clean
    stem, dot, extension = clean.rpartition(".")
    if not dot or len(extension) > 8:
        stem, dot, extension = clean, "", ""
    room = limit - len((dot + extension).encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip()
    return f"{cut}{dot}{extension}"


class SignedLinks:
    """Stores rendered files under `directory` and signs links to them that expire `ttl` after
    they are made; `open` checks a link, `cleanup` deletes what no valid link points to."""

    def __init__(
        self,
        *,
        secret: bytes,
        base_url: str,
        directory: Path,
        ttl: dt.timedelta,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the secret for report links is too short")
        if ttl <= dt.timedelta(0):
            raise ValueError("a report link must live for some time")
        self._key = hmac.new(secret, _KEY_CONTEXT, hashlib.sha256).digest()
        self._base_url = base_url.rstrip("/")
        self.directory = directory
        self.ttl = ttl
        self._clock = clock or _utc_now

    def now(self) -> dt.datetime:
        """The links' clock (UTC), which the routes use for how long a file may be cached."""
        return _aware(self._clock())

    def __repr__(self) -> str:  # the key never appears, even in a debugger or a traceback
        return f"SignedLinks(base_url={self._base_url!r}, directory={str(self.directory)!r})"

    # --- making a link ---------------------------------------------------------------------

    async def link(self, file: Attachment) -> ReportLink:
        """Store `file` (once per content) and sign a link to it that expires after `ttl`."""
        code = _TYPE_CODES.get(file.mime_type)
        if code is None:
            raise ValueError(f"report links serve no files of type {file.mime_type!r}")
        now = self.now()
        expires_at = (now + self.ttl).replace(microsecond=0)
        if file.path is not None:  # the dossier's ZIP: hashed and copied from disk in chunks
            digest = await asyncio.to_thread(self._store_path, file.path, expires_at)
        else:
            digest = await asyncio.to_thread(self._store, file.data, expires_at)
        token = self._sign(digest, code, shortened_name(file.file_name), expires_at)
        return ReportLink(url=f"{self._base_url}/r/{token}", expires_at=expires_at)

    def _sign(self, digest: bytes, code: int, name: str, expires_at: dt.datetime) -> str:
        payload = _HEAD.pack(VERSION, digest, code, int(expires_at.timestamp()))
        payload += name.encode("utf-8")
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()
        return _b64encode(payload + mac)

    def _store(self, data: bytes, expires_at: dt.datetime) -> bytes:
        """Write `data` under its SHA-256 (atomically, mode 0600) unless it is there already;
        either way its mtime becomes the new link's expiry, unless an earlier link outlives
        it, which keeps the file from cleanups until then."""
        digest = hashlib.sha256(data).digest()
        path = self.directory / digest.hex()
        stamp = expires_at.timestamp()
        with self._locked(fcntl.LOCK_SH):
            try:
                kept = path.stat()
                if kept.st_size == len(data):
                    stamp = max(stamp, kept.st_mtime)
                    os.utime(path, (stamp, stamp))
                    return digest
            except FileNotFoundError:
                pass
            fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.directory)  # mode 0600
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.utime(temp, (stamp, stamp))
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        return digest

    def _store_path(self, source: Path, expires_at: dt.datetime) -> bytes:
        """`_store` for a file on disk (the dossier's ZIP, up to hundreds of MB): hashed, then
        copied in 1 MiB chunks, never read into memory whole."""
        hasher = hashlib.sha256()
        with source.open("rb") as reading:
            while chunk := reading.read(_COPY_CHUNK):
                hasher.update(chunk)
        digest = hasher.digest()
        path = self.directory / digest.hex()
        stamp = expires_at.timestamp()
        size = source.stat().st_size
        with self._locked(fcntl.LOCK_SH):
            try:
                kept = path.stat()
                if kept.st_size == size:
                    stamp = max(stamp, kept.st_mtime)
                    os.utime(path, (stamp, stamp))
                    return digest
            except FileNotFoundError:
                pass
            fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.directory)  # mode 0600
            try:
                with os.fdopen(fd, "wb") as out, source.open("rb") as reading:
                    shutil.copyfileobj(reading, out, _COPY_CHUNK)
                    out.flush()
                    os.fsync(out.fileno())
                os.utime(temp, (stamp, stamp))
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        return digest

    @contextmanager
    def _locked(self, operation: int) -> Iterator[None]:
        """The directory's lock file: shared while linking, exclusive while cleaning. `flock`
        locks belong to the open file, so threads of one process exclude each other too."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.directory / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, operation)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    # --- serving a link --------------------------------------------------------------------

    def open(self, token: str) -> ServedFile | None:
        """The file a valid, unexpired token points to; None for any other token, whatever
        is wrong with it, and when its file is gone."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        raw = _b64decode(token)
        if raw is None or len(raw) < _MIN_TOKEN_BYTES:
            return None
        payload, mac = raw[:-_MAC_SIZE], raw[-_MAC_SIZE:]
        expected = hmac.new(self._key, payload, hashlib.sha256).digest()
        if not hmac.compare_digest(mac, expected):
            return None
        # Signed by us from here on: what follows can only fail for a file or a clock.
        version, digest, code, expiry = _HEAD.unpack_from(payload)
        mime = _TYPES_BY_CODE.get(code)
        if version != VERSION or mime is None:
            return None
        expires_at = dt.datetime.fromtimestamp(expiry, dt.UTC)
        if self.now() >= expires_at:
            return None
        path = self.directory / digest.hex()
        try:
            size = path.stat().st_size
        except OSError:
            return None
        name = payload[_HEAD.size :].decode("utf-8", "replace")
        return ServedFile(
            path=path, mime_type=mime, file_name=name, expires_at=expires_at, size=size
        )

    # --- cleaning up -----------------------------------------------------------------------

    def cleanup(self, now: dt.datetime | None = None) -> int:
        """Delete the stored files whose last link expired (more than `CLEANUP_GRACE` ago) and
        temporary files a dead writer left; how many files were deleted."""
        moment = _aware(now) if now is not None else self.now()
        stored_before = (moment - CLEANUP_GRACE).timestamp()
        temp_before = (moment - TEMP_MAX_AGE).timestamp()
        if not self.directory.is_dir():
            return 0
        deleted = 0
        with self._locked(fcntl.LOCK_EX):
            for entry in os.scandir(self.directory):
                if entry.name == _LOCK_NAME or not entry.is_file(follow_symlinks=False):
                    continue
                before = temp_before if entry.name.startswith(_TEMP_PREFIX) else stored_before
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < before:
                        os.unlink(entry.path)
                        deleted += 1
                except FileNotFoundError:
                    continue
        if deleted:
            log.info("report links: %d expired file(s) deleted", deleted)
        return deleted

    async def run_cleanup(self, stop: asyncio.Event, every_s: float = 3600.0) -> None:
        """Clean up now and then every `every_s` seconds until `stop` is set (the server runs
        this as a task; a failed round is logged and the next one tried)."""
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.cleanup)
            except OSError:
                log.exception("report links: cleanup failed; trying again later")
            try:
                await asyncio.wait_for(stop.wait(), timeout=every_s)
            except TimeoutError:
                continue
