"""Uploads the evidence store refuses, as the official sees them (issue 11): a file that only
looks like a PDF, and a server whose disk is full. One sentence, the same question, nothing
stored, nothing in the log as an error."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from storage.db import Database
from storage.evidence_store import NO_SPACE
from storage.tables import Evidence
from storage.uow import read
from tests import evidence_samples
from tests.conversations.driver import BotClient, onboard


async def _evidence_rows(database: Database) -> int:
    def work(session: Session) -> int:
        return int(session.exec(select(func.count()).select_from(Evidence)).one())

    return await read(database, work)


def _kept(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


async def _at_evidence(client: BotClient) -> None:
    await onboard(client)
    await client.click("v:y")
    assert client.step == "evidence"


async def test_a_web_page_named_pdf_is_refused_and_the_question_asked_again(
    client: BotClient, database: Database, evidence_root: Path
) -> None:
    await _at_evidence(client)
    question = client.where
    page = "%PDF-1.4\n<!DOCTYPE html><html><body>Đăng nhập</body></html>\n".encode()
    await client.upload(page, name="ke-hoach.pdf")
    assert client.errors == [
        "Tệp “ke-hoach.pdf” không phải là PDF hợp lệ: sau phần đầu PDF là một trang web HTML; "
        "hãy lưu hoặc xuất lại tệp PDF rồi gửi lại."
    ]
    assert client.where == question
    assert await _evidence_rows(database) == 0
    assert _kept(evidence_root) == []


async def test_a_full_disk_is_one_sentence_and_nothing_half_written(
    client: BotClient,
    database: Database,
    evidence_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _at_evidence(client)
    question = client.where
    real_write = os.write

    def full_disk(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(evidence_root)):
            real_write(fd, bytes(memoryview(data)[:4096]))  # part of it, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    with caplog.at_level(logging.WARNING):
        await client.upload(evidence_samples.pdf(b"x" * 100_000), name="ke-hoach.pdf")
    assert client.errors == [NO_SPACE]
    assert client.where == question
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []  # no traceback
    assert await _evidence_rows(database) == 0
    assert _kept(evidence_root) == []  # not even the part written before the disk filled

    monkeypatch.undo()  # space again: the same question takes the file
    await client.upload(evidence_samples.pdf(b"x" * 100_000), name="ke-hoach.pdf")
    assert client.last[0].text.startswith("Đã nhận tệp ke-hoach.pdf")
    assert await _evidence_rows(database) == 1
