"""`dvht serve` as a real process for the worker tests: started with a given environment, its
output in a file, its health and its log lines waited for."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

DVHT = Path(sys.executable).parent / "dvht"
STARTUP_S = 180.0
"""Two interpreters importing aiogram and the app at once on a loaded 2-core machine."""
SECRET_KEY = "k7Qw2Zr9Lm4Xp8Vn3Bt6Yh1Jd5Fs0GcA"
WEBHOOK_SECRET = "hook_SECRET-42-workers"
SERVING = re.compile(r"worker (\d+) \(pid (\d+)\) serving")


def clean_env() -> dict[str, str]:
    """This environment without any setting of the bot (the test sets its own)."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DVHT_", "ZALO_", "PROMETHEUS_"))
        and key != "DATABASE_URL"
    }


class Serve:
    def __init__(self, env: dict[str, str], cwd: Path, *, own_group: bool = False) -> None:
        """`own_group`: in a process group of its own, as a terminal's foreground job is (a
        Ctrl-C there reaches every process of the group)."""
        self.log = cwd / "output.log"
        self._out = self.log.open("wb")
        self.process = subprocess.Popen(
            [str(DVHT), "serve"],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(f"dvht serve exited ({self.process.returncode}):\n{self.output}")

    def wait_healthy(self, url: str) -> None:
        deadline = time.monotonic() + STARTUP_S
        while True:
            self.alive()
            try:
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, self.output
            time.sleep(0.2)

    def wait_workers(self, count: int, *, after: int = 0) -> dict[int, int]:
        """Worker number → pid, once `count` "serving" lines appeared (from `after` on)."""
        deadline = time.monotonic() + STARTUP_S
        while True:
            self.alive()
            serving = {int(n): int(pid) for n, pid in SERVING.findall(self.output[after:])}
            if len(serving) >= count:
                return serving
            assert time.monotonic() < deadline, self.output
            time.sleep(0.2)

    def stop(self, timeout: float = 90) -> int:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM
        try:
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=30)
            self._out.close()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
