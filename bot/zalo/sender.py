"""Showing the conversation's replies on Zalo, which has no buttons and no documents.

* Options become a numbered list, as on the console (`conversations.messages.numbered`); only
  the last message with options is numbered, because a typed number answers the last question.
* Consecutive texts go out as one message while they fit (fewer bubbles, fewer API calls), and
  a text over 2,000 characters is split by the client, in order.
* A report file (PDF, DOCX, XLSX) becomes a line with a signed link that expires
  (`ReportLinks`), under the message's own text; for the PDF, a PNG of page 1 follows as a
  photo (its URL a signed link too). A preview that fails is logged and left out: the links
  are sent all the same. A link that cannot be made is replaced by one sentence saying so.
* A picture (the result's chart) goes out as a photo whose URL is a signed link, its text the
  caption; one whose link cannot be made is left out (logged).
* The same sender pushes reminders (`Notifier`): a quota refusal (429) returns "retry_after"
  at once instead of waiting, any other failure "failed".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.zalo.client import (
    TEXT_LIMIT,
    ZaloClient,
    ZaloError,
    ZaloQuotaExceeded,
    ZaloUnauthorized,
)
from conversations import catalogue as say
from conversations.messages import Attachment, Outbound, numbered
from conversations.ports import Delivery, ReportLinks
from dvht_core import vietnam_time

log = logging.getLogger(__name__)
PDF = "application/pdf"
PNG = "image/png"
SENT = Delivery("sent")
FAILED = Delivery("failed")
Preview = Callable[[bytes], bytes]


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Photo:
    url: str
    caption: str


Item = Text | Photo


def _png_name(pdf_name: str) -> str:
    stem = pdf_name[:-4] if pdf_name.lower().endswith(".pdf") else pdf_name
    return f"{stem}-trang-1.png"


class ZaloSender:
    def __init__(
        self,
        client: ZaloClient,
        links: ReportLinks,
        preview: Preview | None = None,
        *,
        on_unauthorized: Callable[[ZaloUnauthorized], None] | None = None,
    ) -> None:
        self.client = client
        self.links = links
        self.preview = preview
        self.on_unauthorized = on_unauthorized

    # --- replies --------------------------------------------------------------------------------

    async def send(self, chat_id: str, replies: Sequence[Outbound]) -> bool:
        """The replies to one update, in order; False if any of them did not go out (logged;
        the rest of them is not sent, so nothing arrives out of order)."""
        return await self._deliver(chat_id, await self.items(replies), wait_quota=True) is SENT

    async def send_text(self, chat_id: str, text: str) -> bool:
        return await self._deliver(chat_id, [Text(text)], wait_quota=True) is SENT

    async def typing(self, chat_id: str) -> None:
        """“Typing…” while a report renders: only a hint, so no failure of it matters."""
        with contextlib.suppress(ZaloError):
            await self.client.send_chat_action(chat_id, "typing")

    # --- pushes (Notifier) ----------------------------------------------------------------------

    async def push(self, chat_id: str, messages: Sequence[Outbound]) -> Delivery:
        return await self._deliver(chat_id, await self.items(messages), wait_quota=False)

    # --- what is sent -------------------------------------------------------------------------

    async def items(self, replies: Sequence[Outbound]) -> list[Item]:
        """The messages to send: texts (merged while they fit) and preview photos, which follow
        the report's links."""
        last = max((i for i, r in enumerate(replies) if r.buttons), default=-1)
        items: list[Item] = []
        photos: list[Photo] = []
        for index, reply in enumerate(replies):
            shown = numbered(reply if index == last else replace(reply, buttons=()))
            text = shown.text
            if reply.document is not None and reply.document.mime_type == PNG:
                picture = await self._picture(reply.document, text)
                if picture is not None:
                    items.append(picture)
                continue
            if reply.document is not None:
                line, photo = await self._report_file(reply.document)
                text = f"{text}\n{line}" if text.strip() else line
                if photo is not None:
                    photos.append(photo)
            self._add_text(items, text)
            following = replies[index + 1] if index + 1 < len(replies) else None
            if photos and (following is None or following.document is None):
                items.extend(photos)
                photos = []
        return items

    @staticmethod
    def _add_text(items: list[Item], text: str) -> None:
        if not text.strip():
            return
        previous = items[-1] if items else None
        if isinstance(previous, Text) and len(previous.text) + 2 + len(text) <= TEXT_LIMIT:
            items[-1] = Text(f"{previous.text}\n\n{text}")
        else:
            items.append(Text(text))

    async def _report_file(self, document: Attachment) -> tuple[str, Photo | None]:
        """The link line for one report file, and for a PDF its page-1 preview photo."""
        try:
            link = await self.links.link(document)
        except Exception:  # the storage of links failed: say so, keep the rest of the replies
            log.exception("Zalo: no report link for %s", document.mime_type)
            return say.ZALO_REPORT_LINK_FAILED, None
        expires = vietnam_time.today(link.expires_at)
        line = say.zalo_file_link(document.file_name, document.mime_type, link.url, expires)
        if document.mime_type != PDF or self.preview is None:
            return line, None
        try:
            png = await asyncio.to_thread(self.preview, document.data)
            image = Attachment(_png_name(document.file_name), "image/png", png)
            shown = await self.links.link(image)
        except Exception:  # a preview is a courtesy: the links go out without it
            log.exception("Zalo: the report's preview could not be made")
            return line, None
        return line, Photo(shown.url, say.ZALO_PREVIEW_CAPTION)

    async def _picture(self, image: Attachment, caption: str) -> Photo | None:
        """A picture among the replies (the result's chart, issue 16) as a photo, its URL a
        signed link; a link that cannot be made leaves the picture out (logged), since the
        replies around it already say everything in words."""
        try:
            link = await self.links.link(image)
        except Exception:
            log.exception("Zalo: no link for a picture; sent without it")
            return None
        return Photo(link.url, caption)

    async def _deliver(self, chat_id: str, items: Sequence[Item], *, wait_quota: bool) -> Delivery:
        try:
            for item in items:
                if isinstance(item, Text):
                    await self.client.send_message(chat_id, item.text, wait_quota=wait_quota)
                else:
                    await self.client.send_photo(
                        chat_id, item.url, item.caption, wait_quota=wait_quota
                    )
        except ZaloQuotaExceeded as quota:
            if wait_quota:  # the client's own retries ran out
                log.error("Zalo: quota still exceeded after retries; reply dropped")
                return FAILED
            return Delivery("retry_after", quota.retry_after_s)
        except ZaloUnauthorized as revoked:
            if self.on_unauthorized is not None:
                self.on_unauthorized(revoked)
            return FAILED
        except ZaloError as error:
            log.warning("Zalo: a reply was not delivered (%s)", error)
            return FAILED
        return SENT
