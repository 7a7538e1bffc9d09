"""`dvht serve` in processes forked from one that has already imported aiogram and the bot.

Importing aiogram takes 4–6 s on the 2-core machine (its types' pydantic models are built at
import), so a test that restarts the bot after each of 20-odd kills would spend two minutes
importing. Here a `multiprocessing` fork server imports everything once; each start forks a
fresh single-threaded process from it that runs `cli.main.main(["serve"])` exactly as the
`dvht` script does, with its own environment, working directory and log file. A start then
takes well under a second. The process is a real one: SIGKILL ends it at once, its sockets
drop and its SQLite file is left as a crash leaves it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from multiprocessing.process import BaseProcess
from pathlib import Path

PRELOAD = [
    "aiogram",
    "aiogram.types",
    "aiogram.methods",
    "cli.main",
    "bot.serve",
    "bot.wiring",
    "bot.telegram.client",
    "bot.telegram.polling",
    "bot.telegram.router",
    "storage.bootstrap",
    "reports.renderer",
    "reports.pdf",
    "reports.docx",
    "reports.xlsx",
]
"""Everything `dvht serve` imports on its way to polling and to its first report."""


def _serve(env: dict[str, str], cwd: str, log: str) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    from cli.main import main

    sys.exit(main(["serve"]))


class ForkedServe:
    """Starts `dvht serve` processes; the first start launches the fork server."""

    def __init__(self) -> None:
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)

    def warm_up(self) -> None:
        """Start the fork server now (it imports for seconds), not at the first `start`."""
        import multiprocessing.forkserver

        multiprocessing.forkserver.ensure_running()

    def start(self, env: dict[str, str], cwd: Path, log: Path) -> BaseProcess:
        process = self.context.Process(
            target=_serve, args=(env, str(cwd), str(log)), name="dvht-serve", daemon=True
        )
        process.start()
        return process
