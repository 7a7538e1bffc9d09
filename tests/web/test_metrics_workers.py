"""/metrics with several worker processes: with PROMETHEUS_MULTIPROC_DIR set, each process
writes its values there and the scrape answers their sum, whichever worker it reaches."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import served
from web.app import create_app

WORKER = (
    "import sys, web.metrics as m\n"
    "for _ in range(int(sys.argv[1])):\n"
    "    m.count_update('zalo', 'answered')\n"
    "m.count_reminder('zalo', 'sent')\n"
)


async def always_ok() -> bool:
    return True


async def test_the_scrape_sums_every_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    for updates in (2, 3):  # two worker processes, each with its own counts
        subprocess.run(
            [sys.executable, "-c", WORKER, str(updates)],
            env={"PROMETHEUS_MULTIPROC_DIR": str(directory), "PATH": ""},
            cwd=Path(__file__).parents[2],
            check=True,
            timeout=120,
        )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    async with (
        served(create_app(routers=[], database_ok=always_ok)) as url,
        httpx.AsyncClient() as client,
    ):
        text = (await client.get(f"{url}/metrics")).text
    answered = re.search(
        r'^dvht_updates_total{channel="zalo",outcome="answered"} (\S+)$', text, re.M
    )
    sent = re.search(r'^dvht_reminders_total{channel="zalo",result="sent"} (\S+)$', text, re.M)
    assert answered is not None, text
    assert sent is not None, text
    assert (float(answered.group(1)), float(sent.group(1))) == (5.0, 2.0)
