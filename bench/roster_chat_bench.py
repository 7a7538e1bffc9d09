"""Issue 16 benchmark, the chat's side: a roster of 5,000 members sent in the chat, against
reading the same file alone (`RosterXlsx.read`), in the same run.

The message is the whole of what an official waits for: the file fetched, kept in the evidence
store, the sender's unit looked up (its own short transaction), the file read outside the
message's transaction, the roster staged in it, and the counts with “Ghi các số này?” back.
“Có” (totals, six answers, one evidence item, the short result) is timed on its own. The ratio
says what the chat adds to the reading itself: the reading dominates, so the goal is 1.5×.

With the roster adapter wired, every document sent looks up the sender's step first (its own
short transaction) to know whether it may be the roster: an evidence PDF at the evidence
question is timed with and without the adapter, in the same run, to show what that costs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import statistics
import tempfile
import time
from pathlib import Path

from pypdf import PdfWriter

from bench.roster_bench import roster_file
from conversations.messages import FileInfo, Inbound
from conversations.service import ConversationService
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from reports.roster_xlsx import RosterXlsx
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.evidence_files import EvidenceFilesAdapter
from storage.evidence_store import LocalEvidenceStore
from storage.migrate import upgrade

MEMBERS = 5_000
RUNS = 5
PDFS = 60
GOAL = 1.5
CLOCK = dt.datetime(2025, 11, 20, 2, 0, tzinfo=dt.UTC)


class _OneFile:
    """`FileSource` handing back the roster's bytes (channel I/O excluded)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def fetch(self, file: FileInfo) -> bytes:
        return self.data


class _Pdfs:
    """`FileSource` of small one-page PDFs, a different one for each file id."""

    async def fetch(self, file: FileInfo) -> bytes:
        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        writer.add_metadata({"/Title": f"Kế hoạch {file.file_id}"})
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()


async def _evidence_upload(*, with_rosters: bool) -> float:
    """The median evidence PDF message at 1.1's evidence question."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:
            await upgrade(database)
            service = ConversationService(
                SqlDialogueStore(database),
                files=_Pdfs(),
                evidence=EvidenceFilesAdapter(LocalEvidenceStore(Path(folder) / "ev")),
                clock=lambda: CLOCK,
                rosters=RosterXlsx() if with_rosters else None,
            )
            update = 0

            async def send(**fields: object) -> float:
                nonlocal update
                update += 1
                message = Inbound("console", "bench", "bench", str(update), **fields)  # type: ignore[arg-type]
                started = time.perf_counter()
                await service.handle(message)
                return time.perf_counter() - started

            for step in ({"text": "/start"}, {"button": "ob:new"}, {"text": "UBND xã A"}):
                await send(**step)
            for step in ({"text": "Huế"}, {"button": "ut:xa"}, {"text": "30"}, {"button": "v:y"}):
                await send(**step)
            times = []
            for n in range(PDFS):
                file = FileInfo(f"pdf-{n}", "document", f"kh-{n}.pdf", None, 1000)
                times.append(await send(file=file))
            return statistics.median(times)
        finally:
            await database.close()


async def _chat(data: bytes) -> tuple[float, float]:
    """Best upload message and best “Có”, each over RUNS rosters sent."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:
            await upgrade(database)
            service = ConversationService(
                SqlDialogueStore(database),
                files=_OneFile(data),
                evidence=EvidenceFilesAdapter(LocalEvidenceStore(Path(folder) / "ev")),
                clock=lambda: CLOCK,
                rosters=RosterXlsx(),
            )
            update = 0

            async def send(**fields: object) -> tuple[float, str]:
                nonlocal update
                update += 1
                message = Inbound("console", "bench", "bench", str(update), **fields)  # type: ignore[arg-type]
                started = time.perf_counter()
                replies = await service.handle(message)
                return time.perf_counter() - started, "\n".join(r.text for r in replies)

            for step in ({"text": "/start"}, {"button": "ob:new"}, {"text": "UBND xã A"}):
                await send(**step)
            for step in ({"text": "Huế"}, {"button": "ut:xa"}, {"text": "30"}):
                await send(**step)
            upload, confirm = float("inf"), float("inf")
            for _ in range(RUNS):
                file = FileInfo("f", "document", "ds.xlsx", None, len(data))
                took, said = await send(file=file)
                assert f"Theo danh sách: {MEMBERS} thành viên" in said, said
                upload = min(upload, took)
                took, said = await send(text="có")
                assert "Đã ghi theo danh sách" in said, said
                confirm = min(confirm, took)
            return upload, confirm
        finally:
            await database.close()


def main() -> None:
    rulebook = load_rulebook(TT24_BY_TIER["huyen"])
    data = roster_file(rulebook, "ubnd_xa", MEMBERS)
    reader = RosterXlsx()
    print(
        f"== roster in the chat: {MEMBERS:,} members, {len(data) / 1024:.0f} KB, best of {RUNS} =="
    )
    baseline = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        reader.read(data, rulebook, unit_type="ubnd_xa")
        baseline = min(baseline, time.perf_counter() - started)
    upload, confirm = asyncio.run(_chat(data))
    ratio = upload / baseline
    verdict = "OK" if ratio <= GOAL else "OVER"
    print(f"read alone (RosterXlsx.read):      {baseline * 1000:8.1f} ms")
    print(
        f"the file sent in the chat:         {upload * 1000:8.1f} ms "
        f"({ratio:.2f}× the read alone; goal ≤ {GOAL}×: {verdict})"
    )
    print(f"“Có” (recorded, short result):     {confirm * 1000:8.1f} ms")
    without = asyncio.run(_evidence_upload(with_rosters=False))
    wired = asyncio.run(_evidence_upload(with_rosters=True))
    print(f"an evidence PDF, no roster adapter: {without * 1000:7.1f} ms (median of {PDFS})")
    print(
        f"an evidence PDF, adapter wired:     {wired * 1000:7.1f} ms "
        f"({wired / without:.2f}×: the step looked up first)"
    )


if __name__ == "__main__":
    main()
