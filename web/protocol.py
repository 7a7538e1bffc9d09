"""uvicorn's httptools protocol with the header limits uvicorn lacks.

uvicorn arms its keep-alive timer only after a response and cancels it on any byte received, and
httptools sets no bound on the size of a request's headers; so a client that opens a connection
and sends nothing, or its headers a byte at a time (slowloris), or megabytes of headers, would
hold a connection for ever. Here a header timer runs from the connection's start, or from the
end of its previous response, until the next request's headers are complete, whatever bytes
arrive meanwhile; and headers over the size limit get 431 and the connection is closed.

Closing is lingering, as nginx does: a connection refused before its body was read (413, 408,
401) still has the client's bytes in flight, and closing a socket with unread data makes the
kernel answer with a reset, which can reach the client before it has read our response. So the
write side is shut down first (the response, then FIN), what still arrives is read and thrown
away for at most `LINGER_S` (or `LINGER_BYTES`), and then the socket is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from web.limits import RequestLimits

LINGER_S = 2.0
LINGER_BYTES = 4 * 1024 * 1024

TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 31\r\n"
    b"connection: close\r\n\r\nRequest Header Fields Too Large"
)


class GuardedHttpTools(HttpToolsProtocol):
    limits: RequestLimits = RequestLimits()
    """Set on the subclass `guarded_protocol` makes (uvicorn builds protocols itself)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._lingering = LingeringTransport(transport, self.loop)
        super().connection_made(self._lingering)  # type: ignore[arg-type]
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        self._lingering.lost()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering.closing:  # closing: what still arrives is thrown away
            self._lingering.discard(len(data))
            return
        super().data_received(data)

    def eof_received(self) -> None:
        if self._lingering.closing:
            self._lingering.close_now()

    def on_message_begin(self) -> None:
        self._header_bytes = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        if self._count(len(url)):
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._count(len(name) + len(value) + 4):
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        self._disarm_header_timer()
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()

    def on_response_complete(self) -> None:
        waiting = bool(self.pipeline)  # a pipelined request's headers are complete already
        super().on_response_complete()
        if not waiting and not self.transport.is_closing():
            self._arm_header_timer()

    def _count(self, size: int) -> bool:
        """False (and the connection refused) once the headers pass the limit."""
        if self._refused:
            return False
        self._header_bytes += size
        if self._header_bytes <= self.limits.max_header_bytes:
            return True
        self._refused = True
        self._disarm_header_timer()
        self.transport.write(TOO_LARGE)
        self.transport.close()
        return False

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(
            self.limits.header_timeout_s, self._headers_too_slow
        )

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


class LingeringTransport:
    """The connection's transport, whose `close` lingers (see the module's docstring);
    everything else is the real transport's."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self.closing = False
        self._discarded = 0
        self._timer: asyncio.TimerHandle | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def is_closing(self) -> bool:
        return self.closing or self._transport.is_closing()

    def close(self) -> None:
        if self.closing:
            return
        self.closing = True
        transport = self._transport
        if transport.is_closing() or not transport.can_write_eof():
            transport.close()
            return
        try:
            transport.write_eof()  # after what is buffered: the response, then FIN
            transport.resume_reading()
        except (OSError, RuntimeError):
            transport.close()
            return
        self._timer = self._loop.call_later(LINGER_S, self.close_now)

    def discard(self, size: int) -> None:
        self._discarded += size
        if self._discarded > LINGER_BYTES:
            self.close_now()

    def close_now(self) -> None:
        self.closing = True
        self.lost()
        self._transport.close()

    def lost(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def guarded_protocol(limits: RequestLimits) -> type[GuardedHttpTools]:
    """The protocol class for uvicorn's `Config(http=...)`, with these limits."""
    return type("GuardedHttpToolsProtocol", (GuardedHttpTools,), {"limits": limits})
