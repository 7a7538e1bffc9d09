"""Configuration from the environment (and `.env` for local use), validated once at start.

Secrets are `SecretStr`: they never appear in logs, reprs or error messages.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_telegram_accepts(cls, secret: SecretStr | None) -> SecretStr | None:
        """Telegram takes 1–256 characters of A–Z, a–z, 0–9, _ and - (setWebhook)."""
        if secret is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", secret.get_secret_value()
        ):
            raise ValueError("the webhook secret must be 1-256 characters of A-Z a-z 0-9 _ -")
        return secret

    def telegram_token(self) -> str | None:
        token = self.telegram_bot_token
        return token.get_secret_value().strip() or None if token else None

    def webhook_mode(self) -> bool:
        return bool(self.telegram_webhook_url and self.telegram_webhook_secret)

    def database(self) -> str:
        from storage.db import default_database_url

        if self.database_url is not None and self.database_url.get_secret_value().strip():
            return self.database_url.get_secret_value().strip()
        return default_database_url(self.data_dir)
