"""Configuration from the environment (and `.env` for local use), validated once at start.

Secrets are `SecretStr`: they never appear in logs, reprs or error messages.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
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
    webhook_host: str = Field(default="0.0.0.0", alias="DVHT_WEBHOOK_HOST")
    webhook_port: int = Field(default=8080, ge=1, le=65535, alias="DVHT_WEBHOOK_PORT")
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
        """Telegram takes 1–256 characters of A–Z, a–z, 0–9, _ and - (setWebhook)."""
        if secret is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", secret.get_secret_value()
        ):
            raise ValueError("the webhook secret must be 1-256 characters of A-Z a-z 0-9 _ -")
        return secret

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

    def database_setting(self) -> str:
        """The variable that chose the database, for an operator's error line."""
        return "DATABASE_URL" if self._database_url() else "DVHT_DATA_DIR"

    def _database_url(self) -> str:
        return self.database_url.get_secret_value().strip() if self.database_url else ""

    def database(self) -> str:
        from storage.db import default_database_url

        return self._database_url() or default_database_url(self.data_dir)
