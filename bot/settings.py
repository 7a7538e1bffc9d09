"""Configuration from the environment (and `.env` for local use), validated once at start.

Secrets are `SecretStr`: they never appear in logs, reprs or error messages.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DRIVERS = frozenset(
    {
        "sqlite",
        "sqlite+pysqlite",
        "sqlite+aiosqlite",
        "postgresql",
        "postgres",
        "postgresql+asyncpg",
    }
)
"""The URL schemes storage.db runs on (SQLite on the standard driver, PostgreSQL on asyncpg)."""


SECRET_KEY_FILE = "secret_key"
_PLACEHOLDERS = ("changeme", "change-me", "change_me", "secret", "your", "example", "xxxx")


def _placeholder(value: str) -> bool:
    """“change-me-…”, “your-secret-key”, one character repeated: an example file's value."""
    lowered = value.lower()
    return len(set(value)) < 8 or any(word in lowered for word in _PLACEHOLDERS)


def generated_secret_key(data_dir: Path) -> bytes:
    """The embedded default's key: 32 random bytes (hex) written once, readable by the owner
    only. Written whole to a private temporary file, then linked into place: a process that
    starts at the same moment either finds the whole key or links its own, never reads a
    half-written file (a test caught an empty read with a plain create-then-write)."""
    import os
    import secrets
    import tempfile

    path = data_dir / SECRET_KEY_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=data_dir, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_hex(32).encode("ascii") + b"\n")
        with contextlib.suppress(FileExistsError):  # another process linked its key first
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_bytes().strip()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=Path("var"), alias="DVHT_DATA_DIR")
    """Embedded SQLite database and evidence files live here."""
    database_url: SecretStr | None = Field(default=None, alias="DATABASE_URL")
    """Empty: the embedded SQLite file. PostgreSQL: postgresql+asyncpg://user:pass@host/db."""
    max_upload_mb: int = Field(default=20, ge=1, le=2000, alias="DVHT_MAX_UPLOAD_MB")
    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org", alias="TELEGRAM_API_URL")
    """Another Bot API server: a self-hosted telegram-bot-api, or a test server."""
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(
        default=None, alias="TELEGRAM_WEBHOOK_SECRET"
    )
    # --- the HTTP backend (issue 14): both webhooks, report links, health, metrics ---
    http_host: str = Field(
        default="127.0.0.1", validation_alias=AliasChoices("DVHT_HTTP_HOST", "DVHT_WEBHOOK_HOST")
    )
    """DVHT_WEBHOOK_HOST and _PORT: the names before the backend, still read."""
    http_port: int = Field(
        default=8080,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("DVHT_HTTP_PORT", "DVHT_WEBHOOK_PORT"),
    )
    public_url: str | None = Field(default=None, alias="DVHT_PUBLIC_URL")
    """The base of every link the bot sends (https://bot.example.vn); by default
    http://DVHT_HTTP_HOST:DVHT_HTTP_PORT, which only works on this machine."""
    secret_key: SecretStr | None = Field(default=None, alias="DVHT_SECRET_KEY")
    """Signs report links and sessions. Unset: generated on first start and kept in
    DVHT_DATA_DIR/secret_key (mode 0600)."""
    report_link_days: int = Field(default=7, ge=1, le=90, alias="DVHT_REPORT_LINK_DAYS")
    workers: int = Field(default=1, ge=1, le=64, alias="DVHT_WORKERS")
    """Backend processes (PostgreSQL only: SQLite has one writer)."""
    # --- Zalo (issue 14) ---
    zalo_bot_token: SecretStr | None = Field(default=None, alias="ZALO_BOT_TOKEN")
    zalo_api_url: str = Field(default="https://bot-api.zaloplatforms.com", alias="ZALO_API_URL")
    """The Zalo Bot API server; the older https://bot-api.zapps.me works too."""
    zalo_webhook_url: str | None = Field(default=None, alias="ZALO_WEBHOOK_URL")
    zalo_webhook_secret: SecretStr | None = Field(default=None, alias="ZALO_WEBHOOK_SECRET")
    # --- deadline pushes (issue 13) ---
    reminder_days: str = Field(default="30,14,7,3,1", alias="DVHT_REMINDER_DAYS")
    """Days before a dossier deadline on which members are reminded, at 08:00 local."""
    push_rate: float = Field(default=25.0, gt=0, le=1000, alias="DVHT_PUSH_RATE")
    """Messages per second to one channel over all chats (Telegram allows about 30 per bot;
    with several dispatchers, each one's share)."""
    push_rate_per_chat: float = Field(default=1.0, gt=0, le=30, alias="DVHT_PUSH_RATE_PER_CHAT")
    reminder_attempts: int = Field(default=5, ge=1, le=100, alias="DVHT_REMINDER_ATTEMPTS")
    """Failed sends of one reminder before it is given up (flood limits do not count)."""
    dispatch_lease_s: int = Field(default=300, ge=2, le=86_400, alias="DVHT_DISPATCH_LEASE_S")
    """How long a dispatcher's claim holds: a dispatcher that dies leaves its reminders to the
    others this long after it claimed them."""
    dispatch_interval_s: float = Field(
        default=60, ge=1, le=3_600, alias="DVHT_DISPATCH_INTERVAL_S"
    )
    """The longest a running dispatcher waits between two looks at the reminders table (issue
    15): a notice queued in another process (a dashboard worker, `dvht review`) goes out
    within this; one queued in the dispatcher's own process goes at once (`nudge`)."""

    @field_validator("database_url")
    @classmethod
    def _url_of_a_database_we_run_on(cls, url: SecretStr | None) -> SecretStr | None:
        """SQLite or PostgreSQL (on asyncpg), parsed as SQLAlchemy will parse it, so that a
        typo is one line naming DATABASE_URL at start-up instead of a traceback later. The
        message never repeats the value: it holds the password."""
        value = url.get_secret_value().strip() if url is not None else ""
        if not value:
            return url
        from sqlalchemy.engine import make_url  # only when a URL is set: `evaluate` never is

        try:
            parsed = make_url(value)
        except Exception:  # ArgumentError, or ValueError for a port that is not a number
            raise ValueError("not a database URL") from None
        if parsed.drivername not in _DRIVERS:
            raise ValueError("not an SQLite or PostgreSQL (asyncpg) URL")
        return url

    @field_validator("data_dir")
    @classmethod
    def _a_directory(cls, path: Path) -> Path:
        """A file where the directory should be (creating it, and whether it is writable, are
        checked when the database opens: storage.bootstrap)."""
        if path.exists() and not path.is_dir():
            raise ValueError("a file, not a directory")
        return path

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_telegram_accepts(cls, secret: SecretStr | None) -> SecretStr | None:
        """Telegram takes 1–256 characters of A–Z, a–z, 0–9, _ and - (setWebhook). Empty (as
        in a copy of .env.example): not set."""
        if secret is None or not secret.get_secret_value():
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret.get_secret_value()):
            raise ValueError("the webhook secret must be 1-256 characters of A-Z a-z 0-9 _ -")
        return secret

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _secret_zalo_accepts(cls, secret: SecretStr | None) -> SecretStr | None:
        """Zalo's setWebhook takes a secret of 8-256 characters (empty: not set)."""
        if secret is None or not secret.get_secret_value():
            return None
        if not 8 <= len(secret.get_secret_value()) <= 256:
            raise ValueError("the Zalo webhook secret must be 8-256 characters")
        return secret

    @field_validator("secret_key")
    @classmethod
    def _strong_secret_key(cls, key: SecretStr | None) -> SecretStr | None:
        """At least 32 characters and not a placeholder from an example file."""
        if key is None or not key.get_secret_value().strip():
            return None
        value = key.get_secret_value().strip()
        if len(value) < 32 or _placeholder(value):
            raise ValueError("too short or a placeholder")
        return SecretStr(value)

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is None or not url.strip():
            return None
        value = url.strip().rstrip("/")
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("reminder_days")
    @classmethod
    def _whole_days(cls, days: str) -> str:
        """A comma-separated list of whole days, 1-365 (“30,14,7,3,1”)."""
        parts = [p.strip() for p in days.split(",") if p.strip()]
        if not parts or not all(p.isascii() and p.isdigit() and 1 <= int(p) <= 365 for p in parts):
            raise ValueError("whole days from 1 to 365, separated by commas")
        return ",".join(parts)

    def reminder_offsets(self) -> tuple[int, ...]:
        return tuple(sorted({int(p) for p in self.reminder_days.split(",")}, reverse=True))

    def telegram_token(self) -> str | None:
        token = self.telegram_bot_token
        return token.get_secret_value().strip() or None if token else None

    def webhook_mode(self) -> bool:
        return bool(self.telegram_webhook_url and self.telegram_webhook_secret)

    def zalo_token(self) -> str | None:
        token = self.zalo_bot_token
        return token.get_secret_value().strip() or None if token else None

    def zalo_webhook_mode(self) -> bool:
        return bool(self.zalo_webhook_url and self.zalo_webhook_secret)

    def needs_backend(self) -> bool:
        """The HTTP backend runs beside the channels: a webhook, Zalo (its reports are links)
        or a public URL (links, and the dashboard of a later issue) is configured."""
        return bool(self.webhook_mode() or self.zalo_token() or self.public_url)

    def base_url(self) -> str:
        """The base of every link: DVHT_PUBLIC_URL, else this machine's own address."""
        if self.public_url:
            return self.public_url
        host = self.http_host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.http_port}"

    def secret_key_bytes(self) -> bytes:
        """DVHT_SECRET_KEY, or the key generated on first start under DVHT_DATA_DIR."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode("utf-8")
        return generated_secret_key(self.data_dir)

    def database_setting(self) -> str:
        """The variable that chose the database, for an operator's error line."""
        return "DATABASE_URL" if self._database_url() else "DVHT_DATA_DIR"

    def _database_url(self) -> str:
        return self.database_url.get_secret_value().strip() if self.database_url else ""

    def database(self) -> str:
        from storage.db import default_database_url

        return self._database_url() or default_database_url(self.data_dir)
