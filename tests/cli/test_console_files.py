"""The console's `/file PATH` (issue 11, item 5): only a regular file is read, its size is
checked before reading and the read is capped; a missing path, a directory, a device, a FIFO,
an unreadable file each get one sentence and the same question again, and nothing hangs.

The main test runs the real `dvht chat` (so the upload limit comes from DVHT_MAX_UPLOAD_MB
through `serve.run_chat`); the others run the console's `chat()` loop in this process on the
test database.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.console import LocalFiles, chat
from conversations import catalogue as say
from conversations.messages import FileInfo
from conversations.ports import EvidenceRefused
from conversations.service import ConversationService
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.evidence_files import EvidenceFilesAdapter
from storage.evidence_store import LocalEvidenceStore
from tests import evidence_samples

DVHT = Path(sys.executable).parent / "dvht"
ONBOARDING = ["/start", "1", "UBND xã Quảng Phú", "Thành phố Huế", "1", "30", "đạt"]
EVIDENCE_QUESTION = "Minh chứng cho 1.1: gửi tệp hoặc ảnh"
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _without_root_file_access() -> Callable[[], None] | None:
    """For a test run as root: a child that obeys file permissions like any other user.

    Root reads a mode-000 file (CAP_DAC_OVERRIDE), so "no permission" could not happen to it.
    Dropping the two file-access capabilities from the child's bounding set before exec
    leaves it root in every other way (it still owns and reads the venv and the test's
    directories) while a mode-000 file raises a real PermissionError. Not root: nothing to do,
    mode 000 is enough.
    """
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
            if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


def _after(output: str, sentence: str) -> str:
    """What the bot printed right after `sentence` (which must be there once)."""
    assert output.count(sentence) == 1, f"{sentence!r} not printed once:\n{output}"
    return output.split(sentence, 1)[1]


def test_every_path_that_is_not_a_readable_file_gets_one_sentence_and_the_question(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    files = tmp_path / "files"
    files.mkdir()
    fifo = files / "ong-dan.pdf"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer, for ever
    locked = files / "bi-khoa.pdf"
    locked.write_bytes(evidence_samples.pdf(b"locked"))
    locked.chmod(0o000)
    large = files / "qua-lon.pdf"
    with large.open("wb") as handle:  # sparse: 5 MB by its size, nothing written
        handle.truncate(5 * 1024 * 1024)
    to_zero = files / "tro-toi-dev-zero.pdf"
    to_zero.symlink_to("/dev/zero")
    good = files / "ke-hoach.pdf"
    good.write_bytes(evidence_samples.pdf(b"good"))
    missing = files / "khong-co.pdf"
    below_a_file = good / "con.pdf"  # a path through a file: ENOTDIR
    paths = [missing, below_a_file, files, Path("/dev/zero"), to_zero, fifo, locked, large]

    env = {**os.environ, "DVHT_DATA_DIR": str(data_dir), "DVHT_MAX_UPLOAD_MB": "1"}
    env.pop("DATABASE_URL", None)
    lines = [*ONBOARDING, *(f"/file {p}" for p in paths), "/file", f"/file {good}"]
    done = subprocess.run(
        [str(DVHT), "chat", "--user", "lan"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,  # a FIFO opened without O_NONBLOCK would hang here until the timeout
        check=False,
        preexec_fn=_without_root_file_access(),
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr == ""
    out = done.stdout
    refusals = [
        say.local_file_missing(str(missing)),
        say.local_file_missing(str(below_a_file)),
        say.local_file_is_directory(str(files)),
        say.local_file_is_device("/dev/zero"),
        say.local_file_is_device(str(to_zero)),
        say.local_file_is_fifo(str(fifo)),
        say.local_file_no_permission(str(locked)),
        say.local_file_too_large(str(large), 5 * 1024 * 1024, 1024 * 1024),
        say.LOCAL_FILE_NO_PATH,
    ]
    assert refusals[-2].endswith("qua-lon.pdf quá lớn (5 MB), giới hạn là 1 MB.")
    rest = out
    for sentence in refusals:
        rest = _after(rest, sentence)
        assert rest.startswith(f"\n\n{EVIDENCE_QUESTION}"), f"no question after {sentence!r}"
    assert "Đã nhận tệp ke-hoach.pdf" in rest  # and the same question still takes a real file
    stored = [p.read_bytes() for p in (data_dir / "evidence" / "sha256").rglob("*") if p.is_file()]
    assert stored == [good.read_bytes()]  # none of the refused paths left anything


async def test_a_file_whose_size_lies_is_read_only_to_the_limit(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/proc files say they are empty (st_size 0) and are not: the size check cannot catch
    them, the capped read does. Through the console loop, with a 100-byte limit."""
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    assert len(status.read_bytes()) > 101
    read_sizes: list[int] = []
    real_read = os.read

    def counting_read(fd: int, size: int) -> bytes:
        data = real_read(fd, size)
        read_sizes.append(len(data))
        return data

    service = ConversationService(
        SqlDialogueStore(database),
        files=LocalFiles(max_bytes=100),
        evidence=EvidenceFilesAdapter(LocalEvidenceStore(tmp_path / "ev", max_bytes=100)),
    )
    sink = io.StringIO()
    source = io.StringIO("\n".join([*ONBOARDING, f"/file {status}"]) + "\n")
    monkeypatch.setattr(os, "read", counting_read)
    await chat(service, user="lan", source=source, sink=sink)
    monkeypatch.undo()
    sentence = say.local_file_too_large(str(status), None, 100)
    assert sentence == "Tệp /proc/self/status quá lớn (hơn 100 byte), giới hạn là 100 byte."
    assert _after(sink.getvalue(), sentence).startswith(f"\n\n{EVIDENCE_QUESTION}")
    assert sum(read_sizes) == 101  # one byte past the limit, never the rest


async def test_a_device_is_refused_without_being_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    real_open = os.open

    def recording_open(path: str, flags: int, mode: int = 0o777) -> int:
        opened.append(str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", recording_open)
    with pytest.raises(EvidenceRefused) as refused:
        await LocalFiles(max_bytes=1024).fetch(FileInfo("/dev/zero", "document"))
    assert refused.value.reason == say.local_file_is_device("/dev/zero")
    assert opened == []


def test_a_file_swapped_for_a_fifo_after_the_check_does_not_block(tmp_path: Path) -> None:
    """The type is checked again on what was opened, and opening never waits (O_NONBLOCK).

    Were the open to wait for a writer, the helper thread would release it after 5 s (so the
    test ends either way) and `released` would say so."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    released = threading.Event()

    def release_a_waiting_reader() -> None:
        time.sleep(5)
        with contextlib.suppress(OSError):  # ENXIO: no reader waits, as it should be
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            released.set()

    threading.Thread(target=release_a_waiting_reader, daemon=True).start()
    real_stat = os.stat

    def stat_of_a_regular_file(path: object, *args: object, **kwargs: object) -> os.stat_result:
        return real_stat(__file__)  # the path was a regular file when it was looked at

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "stat", stat_of_a_regular_file)
        with pytest.raises(EvidenceRefused) as refused:
            LocalFiles(max_bytes=1024 * 1024).read(str(fifo))
    assert refused.value.reason == say.local_file_is_fifo(str(fifo))
    assert not released.is_set()


@pytest.mark.parametrize(
    ("line", "path", "kind", "name"),
    [
        ("/file ~/scan.JPG\n", str(Path("~/scan.JPG").expanduser()), "photo", "scan.JPG"),
        ("/file  a b.pdf \n", "a b.pdf", "document", "a b.pdf"),
        ("/file\n", "", "document", None),
        ("/file   \n", "", "document", None),
    ],
)
def test_file_lines_become_uploads(line: str, path: str, kind: str, name: str | None) -> None:
    from bot.console import to_inbound

    inbound = to_inbound(line, user="lan", update=1)
    assert inbound.file is not None
    assert (inbound.file.file_id, inbound.file.kind, inbound.file.file_name) == (path, kind, name)
    assert inbound.text is None


def test_a_line_that_only_starts_like_the_command_is_text() -> None:
    from bot.console import to_inbound

    assert to_inbound("/filed\n", user="lan", update=1).text == "/filed"


async def test_bytes_that_are_not_utf8_are_refused_not_a_traceback(
    database: Database, tmp_path: Path
) -> None:
    """A terminal in another encoding: the name is refused in one sentence, then asked again."""
    service = ConversationService(SqlDialogueStore(database))
    raw = io.BytesIO(b"/start\n1\nUBND x\xe3 A\nUBND x\xc3\xa3 A\n")
    source = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
    sink = io.StringIO()
    await chat(service, user="lan", source=source, sink=sink)
    after = _after(sink.getvalue(), say.BROKEN_CHARACTERS)
    assert after.startswith(f"\n\n{say.ASK_NAME}")
    assert "Đơn vị thuộc tỉnh, thành phố nào?" in after  # the well-formed name was taken
