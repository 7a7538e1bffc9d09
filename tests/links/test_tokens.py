"""The token: what a valid one opens, and that every other one (forged, damaged, expired,
signed with another secret) is refused the same way, as None and as one 403 page."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import struct
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.messages import Attachment
from tests.links.conftest import SECRET, TTL, FakeClock, asgi_client, make_links
from web.links import MAX_NAME_BYTES, MAX_TOKEN_CHARS, PDF, SignedLinks

DATA = b"%PDF-1.7 a report"
NAME = "Báo cáo – Quảng Phú.pdf"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _token(url: str) -> str:
    return url.rsplit("/r/", 1)[1]


def _decode(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


async def _linked(links: SignedLinks) -> str:
    return _token((await links.link(Attachment(NAME, PDF, DATA))).url)


async def test_a_valid_token_opens_its_file_until_it_expires(
    links: SignedLinks, clock: FakeClock
) -> None:
    token = await _linked(links)
    assert len(token) < MAX_TOKEN_CHARS
    served = links.open(token)
    assert served is not None
    assert served.path.read_bytes() == DATA
    assert served.path.name == hashlib.sha256(DATA).hexdigest()
    assert served.mime_type == PDF
    assert served.file_name == NAME
    assert served.size == len(DATA)
    assert served.expires_at == clock.now + TTL

    clock.advance(TTL - dt.timedelta(seconds=1))
    assert links.open(token) is not None
    clock.advance(dt.timedelta(seconds=1))
    assert links.open(token) is None  # at the expiry itself: expired


async def test_another_secret_or_another_worker(
    links: SignedLinks, clock: FakeClock, tmp_path: Path
) -> None:
    """A worker with the same secret and directory opens a link it never made; one with
    another secret opens nothing, though the file is right there."""
    token = await _linked(links)
    same = make_links(links.directory, clock)
    assert same.open(token) is not None
    other = make_links(links.directory, clock, secret=b"another-secret-of-enough-length!")
    assert other.open(token) is None


async def test_flipping_any_bit_of_the_payload_or_the_mac_is_refused(
    links: SignedLinks,
) -> None:
    raw = _decode(await _linked(links))
    for index in range(len(raw)):
        for bit in (0x01, 0x80):
            changed = bytearray(raw)
            changed[index] ^= bit
            assert links.open(_encode(bytes(changed))) is None, (index, bit)


async def test_a_token_forged_with_the_right_layout_but_not_the_key(
    links: SignedLinks, clock: FakeClock
) -> None:
    """Someone who read this code and knows the file's hash still cannot make a link: a MAC
    with the raw secret (not the derived key), or with a guessed key, is refused."""
    await _linked(links)
    digest = hashlib.sha256(DATA).digest()
    expiry = int((clock.now + dt.timedelta(days=365)).timestamp())
    payload = struct.pack(">B32sBI", 1, digest, 1, expiry) + b"x.pdf"
    for key in (SECRET, b"", hashlib.sha256(SECRET).digest()):
        mac = hmac.new(key, payload, hashlib.sha256).digest()
        assert links.open(_encode(payload + mac)) is None
    # A longer validity spliced onto a genuine token's MAC.
    raw = _decode(await _linked(links))
    spliced = raw[:34] + struct.pack(">I", expiry) + raw[38:]
    assert links.open(_encode(spliced)) is None


async def test_truncated_empty_garbage_and_long_tokens(links: SignedLinks) -> None:
    token = await _linked(links)
    candidates = [
        "",
        token[:-1],
        token[:-4],
        token[: len(token) // 2],
        token[:10],
        token + "A",
        token + "AAAA",
        token + "=",
        token.replace("-", "+").replace("_", "/"),
        "!" * 40,
        "é" * 200,
        "\x00" * 60,
        "A" * (MAX_TOKEN_CHARS + 1),
        token + "A" * MAX_TOKEN_CHARS,
        "../../etc/passwd",
    ]
    for candidate in candidates:
        assert links.open(candidate) is None, candidate[:40]


async def test_a_link_whose_file_is_gone(links: SignedLinks) -> None:
    token = await _linked(links)
    opened = links.open(token)
    assert opened is not None
    opened.path.unlink()
    assert links.open(token) is None


async def test_every_refusal_is_the_same_403(links: SignedLinks, clock: FakeClock) -> None:
    token = await _linked(links)
    raw = _decode(token)
    gone = _token((await links.link(Attachment("b.pdf", PDF, b"other bytes"))).url)
    opened = links.open(gone)
    assert opened is not None
    opened.path.unlink()
    other = make_links(links.directory, clock, secret=b"another-secret-of-enough-length!")
    from_other = _token((await other.link(Attachment(NAME, PDF, DATA))).url)
    refused = [
        _encode(raw[:-1] + bytes([raw[-1] ^ 1])),  # the MAC
        _encode(bytes([raw[0] ^ 1]) + raw[1:]),  # the payload
        token[:-2],
        "",
        "garbage",
        "A" * 20_000,
        gone,
        from_other,
    ]
    async with asgi_client(links) as client:
        answers = [await client.get(f"/r/{candidate}") for candidate in refused]
        clock.advance(TTL)
        answers.append(await client.get(f"/r/{token}"))
        answers.append(await client.head(f"/r/{token}"))
    assert {answer.status_code for answer in answers} == {403}
    assert len({answer.content for answer in answers[:-1]}) == 1
    headers = {_stable(answer.headers) for answer in answers}
    assert len(headers) == 1


def _stable(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    """The headers that could tell one refusal from another (the date aside)."""
    return tuple(sorted((k, v) for k, v in headers.items() if k not in ("date", "content-length")))


def test_links_refuse_types_a_browser_would_run(links: SignedLinks) -> None:
    import asyncio

    for mime in ("text/html", "image/svg+xml", "application/octet-stream", ""):
        with pytest.raises(ValueError, match="report links serve no files"):
            asyncio.run(links.link(Attachment("x", mime, b"<script>")))


def test_the_secret_never_shows(links: SignedLinks) -> None:
    assert SECRET.decode() not in repr(links)
    assert SECRET.decode() not in str(vars(links))


@pytest.fixture(scope="module")
def one_token(tmp_path_factory: pytest.TempPathFactory) -> tuple[SignedLinks, str]:
    import asyncio

    links = make_links(tmp_path_factory.mktemp("links"), FakeClock())
    return links, asyncio.run(_linked(links))


_mutation = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 10_000), st.sampled_from(ALPHABET + "=+/.~é")),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from(ALPHABET + "=")),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.just("")),
    st.tuples(st.just("cut"), st.integers(0, 10_000), st.just("")),
    st.tuples(st.just("append"), st.integers(0, 10_000), st.text(ALPHABET, min_size=1)),
    st.tuples(st.just("swap"), st.integers(0, 10_000), st.just("")),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(_mutation, min_size=1, max_size=3))
def test_any_mutation_of_a_valid_token_is_refused(
    one_token: tuple[SignedLinks, str], mutations: list[tuple[str, int, str]]
) -> None:
    links, token = one_token
    mutated = token
    for kind, position, text in mutations:
        at = position % (len(mutated) + 1)
        if kind == "replace" and mutated:
            at = position % len(mutated)
            mutated = mutated[:at] + text + mutated[at + 1 :]
        elif kind == "insert":
            mutated = mutated[:at] + text + mutated[at:]
        elif kind == "delete" and mutated:
            at = position % len(mutated)
            mutated = mutated[:at] + mutated[at + 1 :]
        elif kind == "cut":
            mutated = mutated[:at]
        elif kind == "append":
            mutated += text
        elif kind == "swap" and len(mutated) > 1:
            at = position % (len(mutated) - 1)
            mutated = mutated[:at] + mutated[at + 1] + mutated[at] + mutated[at + 2 :]
    if mutated != token:
        assert links.open(mutated) is None
    else:
        assert links.open(mutated) is not None


async def test_a_long_or_odd_name_is_shortened_not_refused(links: SignedLinks) -> None:
    long_name = "Báo cáo tự đánh giá của " + "Ủy ban nhân dân xã Quảng Phú " * 12 + ".pdf"
    odd = "a/b\\c\r\n\u202e.pdf"
    for name in (long_name, odd, ""):
        token = _token((await links.link(Attachment(name, PDF, DATA))).url)
        assert len(token) < MAX_TOKEN_CHARS
        served = links.open(token)
        assert served is not None
        assert len(served.file_name.encode("utf-8")) <= MAX_NAME_BYTES
        assert served.file_name.isprintable()
        assert "/" not in served.file_name
        assert "\\" not in served.file_name
    shown = links.open(_token((await links.link(Attachment(long_name, PDF, DATA))).url))
    assert shown is not None
    assert shown.file_name.startswith("Báo cáo tự đánh giá của Ủy ban")
    assert shown.file_name.endswith(".pdf")
    decomposed = links.open(
        _token((await links.link(Attachment("Qua\u0309ng.pdf", PDF, DATA))).url)
    )
    assert decomposed is not None
    assert decomposed.file_name == "Quảng.pdf"  # NFC
