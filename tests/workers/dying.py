"""A worker process that fails at once, for the restart bound (imports nothing of the bot)."""

from __future__ import annotations

import socket
import sys
from typing import Any


def die(settings: Any, sock: socket.socket, number: int) -> None:
    sock.close()
    sys.exit(3)
