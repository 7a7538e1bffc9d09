"""DVHT_SECRET_KEY: the operator's key when strong, else one generated once and kept private."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import SECRET_KEY_FILE, Settings, generated_secret_key

STRONG = "9f1c6b2e7a4d8c3b5e0f1a2d3c4b5a69"


def settings(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


def test_the_embedded_default_generates_a_key_once_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    first = settings(DVHT_DATA_DIR=str(tmp_path)).secret_key_bytes()
    again = settings(DVHT_DATA_DIR=str(tmp_path)).secret_key_bytes()
    assert first == again
    assert len(first) == 64
    mode = stat.S_IMODE(os.stat(tmp_path / SECRET_KEY_FILE).st_mode)
    assert mode == 0o600


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: generated_secret_key(tmp_path), range(32)))
    assert len(keys) == 1


def test_the_operators_key_is_used_as_given(tmp_path: Path) -> None:
    chosen = settings(DVHT_DATA_DIR=str(tmp_path), DVHT_SECRET_KEY=STRONG)
    assert chosen.secret_key_bytes() == STRONG.encode()
    assert not (tmp_path / SECRET_KEY_FILE).exists()


@pytest.mark.parametrize(
    "weak",
    [
        "ngan-qua",
        "x" * 40,
        "changeme-changeme-changeme-changeme",
        "your-secret-key-goes-here-1234567890",
        "ab" * 20,
    ],
)
def test_weak_keys_are_refused_without_repeating_them(weak: str) -> None:
    with pytest.raises(ValidationError) as refused:
        settings(DVHT_SECRET_KEY=weak)
    assert refused.value.errors()[0]["loc"] == ("DVHT_SECRET_KEY",)
    assert weak not in str(refused.value.errors()[0]["msg"])


def test_links_default_to_this_machines_address_and_follow_the_public_url() -> None:
    assert settings(DVHT_HTTP_PORT="9000").base_url() == "http://127.0.0.1:9000"
    assert settings(DVHT_HTTP_HOST="::1").base_url() == "http://[::1]:8080"
    public = settings(DVHT_PUBLIC_URL="https://dvht.example.vn/bot/")
    assert public.base_url() == "https://dvht.example.vn/bot"
    assert public.needs_backend()
    assert not settings().needs_backend()


def test_the_old_webhook_names_are_still_read() -> None:
    old = settings(DVHT_WEBHOOK_HOST="0.0.0.0", DVHT_WEBHOOK_PORT="8443")
    assert (old.http_host, old.http_port) == ("0.0.0.0", 8443)
