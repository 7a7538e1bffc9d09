"""Operator mistakes through the real `dvht` command: one Vietnamese line on stderr naming the
setting and what to do, exit status 2, never a traceback (issue 11).

Each case builds the mistake for real: a PostgreSQL server refusing a role or lacking a
database (the test server), a server demanding a password (a fake that speaks PostgreSQL's
wire protocol, because the test server trusts every local connection), a server that accepts
connections and never answers, read-only directories (a read-only bind mount when running as
root, whom permission bits do not stop; `chmod` otherwise), damaged and truncated SQLite
files, a schema stamped by a newer release, a full file system (a 2 MB tmpfs, as root) and a
database capped at its size, another process holding the write lock.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import socket
import socketserver
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import storage.db
import storage.uow
from cli import text as say
from cli.main import main
from tests.db_fixtures import PG_URL

DVHT = Path(sys.executable).parent / "dvht"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
UNIT_CREATE = ("unit", "create", "--name", "UBND xã A", "--tier", "huyen", "--type", "ubnd_xa",
               "--province", "Huế")  # fmt: skip
SECRET = "s3cret-Pw"


@dataclass
class Setup:
    """What a case builds: environment variables, and what to undo afterwards."""

    tmp: Path
    monkeypatch: pytest.MonkeyPatch
    stack: ExitStack
    template: Path
    env: dict[str, str] = field(default_factory=dict)

    def data_dir(self, name: str = "var", *, migrated: bool = True) -> Path:
        folder = self.tmp / name
        folder.mkdir(parents=True, exist_ok=True)
        if migrated:
            shutil.copy(self.template, folder / "dvht.sqlite3")
        self.env["DVHT_DATA_DIR"] = str(folder)
        return folder


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Setup], None]
    expected: str
    """A fragment of the one line: the sentence's key words, the setting it names."""
    argv: tuple[str, ...] = ("unit", "list")
    in_process: bool = False
    """Run through `cli.main.main` (for cases that patch a bound or the driver's connection);
    otherwise the installed `dvht` in a child process."""


# --- the builders ------------------------------------------------------------------------------


def _url(setup: Setup, url: str) -> None:
    setup.data_dir()
    setup.env["DATABASE_URL"] = url


def _pg(**parts: Any) -> str:
    return make_url(PG_URL).set(**parts).render_as_string(hide_password=False)


class _PasswordServer(socketserver.ThreadingTCPServer):
    """Speaks just enough of PostgreSQL's protocol to ask for a password and refuse it, as a
    server with `md5`/`scram` authentication answers a wrong one (SQLSTATE 28P01)."""

    daemon_threads = True
    allow_reuse_address = True


class _RefusePassword(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock = self.request
        while True:
            (length,) = struct.unpack("!I", _read(sock, 4))
            body = _read(sock, length - 4)
            if struct.unpack("!I", body[:4])[0] == 80877103:  # SSLRequest: no TLS here
                sock.sendall(b"N")
                continue
            break
        sock.sendall(b"R" + struct.pack("!II", 8, 3))  # AuthenticationCleartextPassword
        kind = _read(sock, 1)
        (length,) = struct.unpack("!I", _read(sock, 4))
        _read(sock, length - 4)
        assert kind == b"p"
        fields = b"".join(
            code + value.encode() + b"\0"
            for code, value in (
                (b"S", "FATAL"),
                (b"V", "FATAL"),
                (b"C", "28P01"),
                (b"M", 'password authentication failed for user "dvht"'),
            )
        )
        sock.sendall(b"E" + struct.pack("!I", len(fields) + 5) + fields + b"\0")


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("client went away")
        data += chunk
    return data


def wrong_password(setup: Setup) -> None:
    server = _PasswordServer(("127.0.0.1", 0), _RefusePassword)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    setup.stack.callback(server.server_close)
    setup.stack.callback(server.shutdown)
    port = server.server_address[1]
    _url(setup, f"postgresql+asyncpg://dvht:{SECRET}@127.0.0.1:{port}/dvht")


def blackholed(setup: Setup) -> None:
    """A server whose port accepts connections (the kernel's backlog) and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    setup.stack.callback(sock.close)
    _url(setup, f"postgresql+asyncpg://dvht:{SECRET}@127.0.0.1:{sock.getsockname()[1]}/dvht")


def closed_port(setup: Setup) -> None:
    _url(setup, "postgresql+asyncpg://dvht@127.0.0.1:1/dvht")


def data_dir_is_a_file(setup: Setup) -> None:
    path = setup.tmp / "var"
    path.write_text("not a directory\n", encoding="utf-8")
    setup.env["DVHT_DATA_DIR"] = str(path)


def data_dir_under_a_file(setup: Setup) -> None:
    (setup.tmp / "file").write_text("x", encoding="utf-8")
    setup.env["DVHT_DATA_DIR"] = str(setup.tmp / "file" / "var")


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` read-only for this process, whoever runs the tests."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
            yield
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def _read_only(setup: Setup, folder: Path) -> None:
    setup.stack.enter_context(read_only(folder))
    probe = folder / "probe"
    with pytest.raises(OSError, match=r"Read-only file system|Permission denied"):
        probe.write_text("x", encoding="utf-8")


def data_dir_under_a_read_only_parent(setup: Setup) -> None:
    parent = setup.tmp / "ro"
    parent.mkdir()
    _read_only(setup, parent)
    setup.env["DVHT_DATA_DIR"] = str(parent / "var")


def read_only_data_dir(setup: Setup) -> None:
    _read_only(setup, setup.data_dir())


def damaged_file(setup: Setup) -> None:
    folder = setup.data_dir(migrated=False)
    (folder / "dvht.sqlite3").write_bytes(os.urandom(8192))


def truncated_file(setup: Setup) -> None:
    folder = setup.data_dir()
    path = folder / "dvht.sqlite3"
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)


def _stamp(url: str, revision: str) -> None:
    from storage.db import Database

    async def stamp() -> None:
        database = Database(url)
        await database.run_connection(
            lambda c: c.execute(
                text("UPDATE alembic_version SET version_num = :r"), {"r": revision}
            )
        )
        await database.close()

    asyncio.run(stamp())


def newer_sqlite_schema(setup: Setup) -> None:
    folder = setup.data_dir()
    _stamp(f"sqlite:///{folder / 'dvht.sqlite3'}", "99999999ffff")


def newer_postgresql_schema(setup: Setup) -> None:
    """A scratch database, migrated, then stamped with a revision no release of ours has."""
    from storage.db import postgres_engine
    from storage.migrate import upgrade

    name = f"dvht_newer_{uuid.uuid4().hex[:10]}"
    admin = postgres_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    async def sql(statement: str) -> None:
        async with admin.connect() as connection:
            await connection.execute(text(statement))

    async def create() -> None:
        from storage.db import Database

        await sql(f'CREATE DATABASE "{name}"')
        database = Database(_pg(database=name))
        await upgrade(database)
        await database.close()

    asyncio.run(create())
    setup.stack.callback(
        lambda: asyncio.run(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    )
    _stamp(_pg(database=name), "99999999ffff")
    _url(setup, _pg(database=name))


def _fill(path: Path) -> int | None:
    """Write zeros until the file system refuses; return its errno."""
    with path.open("wb", buffering=0) as filler:  # unbuffered: closing has nothing to flush
        try:
            while True:
                filler.write(bytes(4096))
        except OSError as refused:
            return refused.errno


def full_file_system(setup: Setup) -> None:
    """A 2 MB tmpfs holding the database, then filled up: opening the database cannot even
    create its shared-memory file (SQLite says "disk I/O error")."""
    mount = setup.tmp / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    setup.stack.callback(lambda: subprocess.run(["umount", str(mount)], check=True))
    shutil.copy(setup.template, mount / "dvht.sqlite3")
    assert _fill(mount / "filler") == errno.ENOSPC
    setup.env["DVHT_DATA_DIR"] = str(mount)


def database_at_its_size_limit(setup: Setup) -> None:
    """SQLITE_FULL ("database or disk is full") on a write: no connection of the command may
    grow the file (SQLite's max_page_count, set at the driver's edge), and the command imports
    3,000 evidence references into a unit."""
    import json

    import yaml

    from conversations.records import Actor
    from storage.db import Database
    from storage.schemas import NewUnit
    from storage.units import UnitRepository
    from storage.uow import transaction

    folder = setup.data_dir()
    unit = NewUnit(name="UBND xã A", tier="huyen", unit_type="ubnd_xa", province="Huế")

    async def create() -> None:
        database = Database(f"sqlite:///{folder / 'dvht.sqlite3'}")
        await transaction(
            database,
            lambda session: UnitRepository().create(session, actor=Actor.operator(), data=unit),
        )
        await database.close()

    asyncio.run(create())
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    document["answers"]["1.1"]["evidence"] = [f"Văn bản số {n}" for n in range(3000)]
    (setup.tmp / "lon.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    engine = storage.db.sqlite_engine

    def capped(url: str, **kwargs: Any) -> Any:
        made = engine(url, **kwargs)

        @event.listens_for(made, "connect")
        def _cap(connection: Any, _record: Any) -> None:
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count={pages}")

        return made

    setup.monkeypatch.setattr(storage.db, "sqlite_engine", capped)


HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.readline()
"""


def locked_by_another_process(setup: Setup) -> None:
    folder = setup.data_dir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder / "dvht.sqlite3")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == b"held\n"
    setup.stack.callback(holder.wait)
    setup.stack.callback(holder.communicate, b"go\n")
    setup.monkeypatch.setattr(storage.uow, "BUSY_WAIT_S", 1.0)


def setting(name: str, value: str) -> Callable[[Setup], None]:
    def build(setup: Setup) -> None:
        setup.data_dir()
        setup.env[name] = value

    return build


# --- the table ---------------------------------------------------------------------------------

CASES = [
    Case("wrong password", wrong_password, "từ chối người dùng “dvht”"),
    Case("blackholed server", blackholed, "không trả lời"),
    Case("closed port", closed_port, "không kết nối được cơ sở dữ liệu ở 127.0.0.1:1"),
    Case("URL that is not one", setting("DATABASE_URL", "đây không phải URL"), "DATABASE_URL"),
    Case("port not a number", setting("DATABASE_URL", "postgresql://u@h:p0rt/db"), "DATABASE_URL"),
    Case("MySQL URL", setting("DATABASE_URL", "mysql://u@localhost/db"), "DATABASE_URL"),
    Case("data dir is a file", data_dir_is_a_file, "DVHT_DATA_DIR; đó là một tệp"),
    Case("data dir under a file", data_dir_under_a_file, "là một tệp, không phải thư mục"),
    Case(
        "data dir under a read-only parent",
        data_dir_under_a_read_only_parent,
        "không tạo được thư mục dữ liệu",
    ),
    Case("read-only data dir", read_only_data_dir, "chỉ đọc; cấp quyền ghi", UNIT_CREATE),
    Case("damaged SQLite file", damaged_file, "không phải cơ sở dữ liệu SQLite hoặc đã hỏng"),
    Case("truncated SQLite file", truncated_file, "không phải cơ sở dữ liệu SQLite hoặc đã hỏng"),
    Case("newer SQLite schema", newer_sqlite_schema, "cơ sở dữ liệu mới hơn phiên bản này"),
    Case(
        "newer SQLite schema, db upgrade",
        newer_sqlite_schema,
        "cơ sở dữ liệu mới hơn phiên bản này",
        ("db", "upgrade"),
    ),
    Case(
        "database at its size limit",
        database_at_its_size_limit,
        "máy chủ hết dung lượng lưu trữ",
        ("import", "lon.json", "--unit", "1"),
        in_process=True,
    ),
    Case(
        "locked by another process",
        locked_by_another_process,
        "cơ sở dữ liệu đang bận",
        UNIT_CREATE,
        in_process=True,
    ),
    Case("upload limit not a number", setting("DVHT_MAX_UPLOAD_MB", "hai mươi"), "từ 1 đến 2000"),
    Case("upload limit zero", setting("DVHT_MAX_UPLOAD_MB", "0"), "DVHT_MAX_UPLOAD_MB"),
    Case("upload limit too large", setting("DVHT_MAX_UPLOAD_MB", "100000"), "DVHT_MAX_UPLOAD_MB"),
    Case("secret key too short", setting("DVHT_SECRET_KEY", "ngan-qua"), "token_hex(32)"),
    Case(
        "secret key a placeholder",
        setting("DVHT_SECRET_KEY", "change-me-to-a-long-random-string-please"),
        "không phải giá trị mẫu",
    ),
    Case("public URL not a URL", setting("DVHT_PUBLIC_URL", "dvht.example.vn"), "https://"),
    Case("HTTP port out of range", setting("DVHT_HTTP_PORT", "70000"), "DVHT_HTTP_PORT"),
    Case("Zalo webhook secret too short", setting("ZALO_WEBHOOK_SECRET", "abc"), "từ 8 đến 256"),
    Case("workers zero", setting("DVHT_WORKERS", "0"), "DVHT_WORKERS"),
]
if os.geteuid() == 0:  # mounting a file system takes root; the size limit above needs nobody
    CASES.append(Case("full file system", full_file_system, "máy chủ hết dung lượng lưu trữ"))
if PG_URL:  # the real server: every PostgreSQL test runs only where one is configured
    CASES += [
        Case(
            "PostgreSQL role that does not exist",
            lambda setup: _url(setup, _pg(username="wrong", password=None)),
            "từ chối người dùng “wrong”",
        ),
        Case(
            "PostgreSQL database that does not exist",
            lambda setup: _url(setup, _pg(database="no_such_db")),
            "không có cơ sở dữ liệu “no_such_db”",
        ),
        Case("newer PostgreSQL schema", newer_postgresql_schema, "mới hơn phiên bản này"),
        Case(
            "newer PostgreSQL schema, db upgrade",
            newer_postgresql_schema,
            "mới hơn phiên bản này",
            ("db", "upgrade"),
        ),
    ]


@pytest.fixture
def setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path
) -> Iterator[Setup]:
    with ExitStack() as stack:
        yield Setup(tmp_path, monkeypatch, stack, sqlite_template)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_an_operator_mistake_is_one_line_and_status_2(
    case: Case, setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    case.build(setup)
    started = time.monotonic()
    if case.in_process:
        setup.monkeypatch.chdir(setup.tmp)
        setup.monkeypatch.delenv("DATABASE_URL", raising=False)
        for name, value in setup.env.items():
            setup.monkeypatch.setenv(name, value)
        status = main(list(case.argv))
        out, err = capsys.readouterr()
    else:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DVHT_DATA_DIR")}
        done = subprocess.run(
            [str(DVHT), *case.argv],
            env={**env, **setup.env},
            cwd=setup.tmp,  # no .env file from the checkout
            capture_output=True,
            text=True,
            timeout=120,
        )
        status, out, err = done.returncode, done.stdout, done.stderr
    took = time.monotonic() - started
    assert status == 2, (out, err)
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("dvht: "), err
    assert case.expected in err, err
    assert SECRET not in err
    assert out == ""
    assert took < 60, f"{case.name} took {took:.0f} s"  # a silent server: seconds, not minutes


def test_the_lines_are_the_catalogues() -> None:
    """The two sentences the issue names, word for word."""
    assert say.DATABASE_FULL.startswith("máy chủ hết dung lượng lưu trữ")
    assert say.schema_newer("x").startswith("cơ sở dữ liệu mới hơn phiên bản này")


def test_a_command_gives_up_on_a_blackholed_server_in_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """asyncpg waits 60 s by default, twice with the retry: 120 s for one message or command.
    Now the connect timeout (5 s), and a timeout is not retried."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        monkeypatch.setenv(
            "DATABASE_URL", f"postgresql+asyncpg://d@127.0.0.1:{sock.getsockname()[1]}/d"
        )
        monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
        started = time.monotonic()
        assert main(["unit", "list"]) == 2
        took = time.monotonic() - started
    assert "không trả lời" in capsys.readouterr().err
    assert storage.db.CONNECT_TIMEOUT_S - 0.5 <= took < storage.db.CONNECT_TIMEOUT_S + 10, took


def test_sqlite_journal_files_do_not_fool_the_truncation_check(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """A healthy database with a WAL still being written is not called damaged."""
    from storage.bootstrap import _damaged

    path = tmp_path / "dvht.sqlite3"
    shutil.copy(sqlite_template, path)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE big (x BLOB)")
    connection.executemany("INSERT INTO big VALUES (?)", [(bytes(4000),)] * 500)
    connection.commit()
    try:
        assert not _damaged(path)
    finally:
        connection.close()
    assert not _damaged(path)
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size - 4096)
    assert _damaged(path)
