"""Where linked files live: content-addressed, written once, private, and cleaned up when the
last link to them has expired (and not before)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import stat
import time
from pathlib import Path

from conversations.messages import Attachment
from tests.links.conftest import TTL, FakeClock, make_links
from web.links import CLEANUP_GRACE, PDF, PNG, TEMP_MAX_AGE, SignedLinks


def _stored(links: SignedLinks) -> list[str]:
    return sorted(p.name for p in links.directory.iterdir() if not p.name.startswith("."))


async def test_the_same_bytes_linked_twice_are_stored_once(links: SignedLinks) -> None:
    first = await links.link(Attachment("a.pdf", PDF, b"%PDF same"))
    second = await links.link(Attachment("b.pdf", PDF, b"%PDF same"))
    third = await links.link(Attachment("c.png", PNG, b"\x89PNG other"))
    assert len(_stored(links)) == 2
    assert first.url != second.url  # another name to show, the same file
    a = links.open(first.url.rsplit("/", 1)[1])
    b = links.open(second.url.rsplit("/", 1)[1])
    assert a is not None
    assert b is not None
    assert a.path == b.path
    assert (a.file_name, b.file_name) == ("a.pdf", "b.pdf")
    assert links.open(third.url.rsplit("/", 1)[1]) is not None


async def test_concurrent_links_of_one_file_store_it_once(links: SignedLinks) -> None:
    data = os.urandom(256 * 1024)
    made = await asyncio.gather(
        *(links.link(Attachment(f"{i}.pdf", PDF, data)) for i in range(12))
    )
    assert len(_stored(links)) == 1
    for link in made:
        opened = links.open(link.url.rsplit("/", 1)[1])
        assert opened is not None
        assert opened.path.read_bytes() == data
    assert not [p for p in links.directory.iterdir() if p.name.startswith(".tmp-")]


async def test_stored_files_are_private(links: SignedLinks) -> None:
    await links.link(Attachment("a.pdf", PDF, b"%PDF private"))
    (name,) = _stored(links)
    assert stat.S_IMODE((links.directory / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(links.directory.stat().st_mode) & 0o077 == 0


async def test_a_damaged_stored_file_is_written_again(links: SignedLinks) -> None:
    link = await links.link(Attachment("a.pdf", PDF, b"%PDF whole file"))
    opened = links.open(link.url.rsplit("/", 1)[1])
    assert opened is not None
    opened.path.write_bytes(b"%PDF wh")  # cut short, as by a full disk in another tool
    await links.link(Attachment("a.pdf", PDF, b"%PDF whole file"))
    assert opened.path.read_bytes() == b"%PDF whole file"


async def test_cleanup_deletes_what_expired_and_keeps_what_is_fresh(
    links: SignedLinks, clock: FakeClock
) -> None:
    old = await links.link(Attachment("old.pdf", PDF, b"%PDF old"))
    clock.advance(dt.timedelta(days=6))
    fresh = await links.link(Attachment("fresh.pdf", PDF, b"%PDF fresh"))
    assert links.cleanup() == 0

    clock.advance(dt.timedelta(days=1) + CLEANUP_GRACE)  # old expired an hour ago
    assert links.cleanup() == 0  # not yet more than the grace
    clock.advance(dt.timedelta(seconds=1))
    assert links.cleanup() == 1
    assert links.open(old.url.rsplit("/", 1)[1]) is None
    assert links.open(fresh.url.rsplit("/", 1)[1]) is not None
    assert len(_stored(links)) == 1

    clock.advance(dt.timedelta(days=7))
    assert links.cleanup() == 1
    assert _stored(links) == []


async def test_linking_again_keeps_the_file_for_the_new_link(
    links: SignedLinks, clock: FakeClock
) -> None:
    await links.link(Attachment("a.pdf", PDF, b"%PDF again"))
    clock.advance(dt.timedelta(days=5))
    again = await links.link(Attachment("a.pdf", PDF, b"%PDF again"))
    clock.advance(dt.timedelta(days=3) + CLEANUP_GRACE)  # the first link is long expired
    assert links.cleanup() == 0
    assert links.open(again.url.rsplit("/", 1)[1]) is not None


async def test_a_shorter_ttl_later_does_not_cut_older_links_short(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The stored file remembers its latest expiry, not the ttl of the day."""
    long_lived = SignedLinks(
        secret=b"s" * 32,
        base_url="http://t",
        directory=tmp_path / "d",
        ttl=dt.timedelta(days=30),
        clock=clock,
    )
    link = await long_lived.link(Attachment("a.pdf", PDF, b"%PDF 30 days"))
    short = SignedLinks(
        secret=b"s" * 32,
        base_url="http://t",
        directory=tmp_path / "d",
        ttl=dt.timedelta(days=1),
        clock=clock,
    )
    await short.link(Attachment("a.pdf", PDF, b"%PDF 30 days"))  # shorter: keeps the later one
    clock.advance(dt.timedelta(days=10))
    assert short.cleanup() == 0
    assert short.open(link.url.rsplit("/", 1)[1]) is not None


async def test_cleanup_removes_a_dead_writers_temporary_file(links: SignedLinks) -> None:
    await links.link(Attachment("a.pdf", PDF, b"%PDF x"))
    stale = links.directory / ".tmp-dead"
    stale.write_bytes(b"half")
    recent = links.directory / ".tmp-writing"
    recent.write_bytes(b"half")
    old = time.time() - TEMP_MAX_AGE.total_seconds() - 60
    os.utime(stale, (old, old))
    now = dt.datetime.now(dt.UTC)
    assert links.cleanup(now) == 1
    assert not stale.exists()
    assert recent.exists()
    assert len(_stored(links)) == 1  # its link expires in a week


async def test_cleanup_of_a_directory_not_made_yet(tmp_path: Path, clock: FakeClock) -> None:
    assert make_links(tmp_path / "never", clock).cleanup() == 0


async def test_run_cleanup_runs_at_once_and_stops_when_told(
    links: SignedLinks, clock: FakeClock
) -> None:
    await links.link(Attachment("a.pdf", PDF, b"%PDF periodic"))
    clock.advance(TTL + CLEANUP_GRACE + dt.timedelta(seconds=1))
    stop = asyncio.Event()
    task = asyncio.create_task(links.run_cleanup(stop, every_s=0.05))
    for _ in range(600):
        if not _stored(links):
            break
        await asyncio.sleep(0.05)
    assert _stored(links) == []
    await links.link(Attachment("b.pdf", PDF, b"%PDF later"))
    clock.advance(TTL + CLEANUP_GRACE + dt.timedelta(seconds=1))
    for _ in range(600):  # the next round deletes the later one too
        if not _stored(links):
            break
        await asyncio.sleep(0.05)
    assert _stored(links) == []
    stop.set()
    await asyncio.wait_for(task, timeout=30)
