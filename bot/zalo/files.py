"""Evidence photos from Zalo: the event carries a photo URL whose lifetime is not documented,
so it is downloaded at once, while the message is handled.

The download streams and stops one byte past the upload limit (a huge body never fills the
memory), gives up after a timeout, and tries a server error or a broken connection again a
couple of times. The bytes are checked by their magic numbers, not by what the server says they
are: JPEG, PNG and HEIC, the photo types the evidence store keeps. Every refusal is one
Vietnamese sentence (`EvidenceRefused`), which the dialogue shows before asking again.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from conversations import catalogue as say
from conversations.messages import FileInfo
from conversations.ports import EvidenceRefused

log = logging.getLogger(__name__)
ATTEMPTS = 3
BACKOFF_S = 0.5
TIMEOUT_S = 30.0
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})


class _TooLarge(Exception):
    pass


def photo_kind(head: bytes) -> str | None:
    """jpeg, png, heic or webp by the first bytes; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "heic"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    return None


class ZaloFiles:
    """`FileSource` for Zalo: `FileInfo.file_id` is the photo's URL."""

    def __init__(
        self,
        *,
        max_bytes: int,
        timeout_s: float = TIMEOUT_S,
        attempts: int = ATTEMPTS,
        backoff_s: float = BACKOFF_S,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s
        self._http = http or httpx.AsyncClient(
            timeout=timeout_s, follow_redirects=True, max_redirects=3
        )
        self._own_http = http is None

    async def close(self) -> None:
        if self._own_http:
            await self._http.aclose()

    @staticmethod
    def owns(file: FileInfo) -> bool:
        """Zalo's photos come as URLs (Telegram's file ids never look like one): the app's file
        sources hand these to this one."""
        return file.file_id.startswith(("https://", "http://"))

    async def fetch(self, file: FileInfo) -> bytes:
        url = file.file_id
        if not url.startswith(("https://", "http://")):
            raise EvidenceRefused(say.ZALO_PHOTO_NOT_IMAGE)
        data = await self._download(url)
        kind = photo_kind(data[:16])
        if kind == "webp":
            raise EvidenceRefused(say.ZALO_PHOTO_WEBP)
        if kind is None:
            raise EvidenceRefused(say.ZALO_PHOTO_NOT_IMAGE)
        return data

    async def _download(self, url: str) -> bytes:
        for attempt in range(self.attempts):
            try:
                return await asyncio.wait_for(self._read(url), self.timeout_s)
            except _TooLarge:
                raise EvidenceRefused(
                    say.zalo_photo_too_large(self.max_bytes // (1024 * 1024) or 1)
                ) from None
            except httpx.HTTPStatusError as error:
                status = error.response.status_code
                if status < 500:  # gone or refused: asking again changes nothing
                    log.warning("Zalo photo download refused (%d)", status)
                    raise EvidenceRefused(say.ZALO_PHOTO_FAILED) from None
                reason = str(status)
            except (httpx.TransportError, TimeoutError) as error:
                reason = type(error).__name__
            log.warning("Zalo photo download failed (%s), attempt %d", reason, attempt + 1)
            if attempt + 1 < self.attempts:
                await asyncio.sleep(self.backoff_s * 2**attempt)
        raise EvidenceRefused(say.ZALO_PHOTO_FAILED)

    async def _read(self, url: str) -> bytes:
        async with self._http.stream("GET", url) as response:
            response.raise_for_status()
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise _TooLarge
            parts: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise _TooLarge
                parts.append(chunk)
            return b"".join(parts)
