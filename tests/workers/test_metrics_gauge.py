"""The reminders-due gauge with several processes (PROMETHEUS_MULTIPROC_DIR): only the main
process counts the reminders due, every worker holds the 0 it started with, and the scrape
answers the main's reading as one series (not one per process, prometheus-client's default
for a gauge, nor a reading mixed with the workers' zeros)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import served
from web.app import create_app

MAIN = "import web.metrics as m\nm.set_queue_depth(7)\nm.set_queue_depth(4)\n"
WORKER = "import web.metrics as m\nm.count_update('telegram', 'answered')\n"


async def always_ok() -> bool:
    return True


async def test_the_scrape_shows_the_main_process_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    for script in (WORKER, MAIN, WORKER):  # the workers' zeros before and after the reading
        subprocess.run(
            [sys.executable, "-c", script],
            env={"PROMETHEUS_MULTIPROC_DIR": str(directory), "PATH": ""},
            cwd=Path(__file__).parents[2],
            check=True,
            timeout=120,
        )
    assert len(list(directory.glob("gauge_livemostrecent_*.db"))) == 3
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    async with (
        served(create_app(routers=[], database_ok=always_ok)) as url,
        httpx.AsyncClient() as client,
    ):
        text = (await client.get(f"{url}/metrics")).text
    assert re.findall(r"^dvht_reminders_due(\{.*\})? (\S+)$", text, re.M) == [("", "4.0")], text
