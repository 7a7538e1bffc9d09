"""Configuration from the environment (and `.env` for local use), validated once at start.

Secrets are `SecretStr`: they never appear in logs, reprs or error messages.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=Path("var"), alias="DVHT_DATA_DIR")
    """Embedded SQLite database and evidence files live here."""
    database_url: SecretStr | None = Field(default=None, alias="DATABASE_URL")
    """Empty: the embedded SQLite file. PostgreSQL: postgresql+asyncpg://user:pass@host/db."""
    max_upload_mb: int = Field(default=20, ge=1, le=2000, alias="DVHT_MAX_UPLOAD_MB")

    def database(self) -> str:
        from storage.db import default_database_url

        if self.database_url is not None and self.database_url.get_secret_value().strip():
            return self.database_url.get_secret_value().strip()
        return default_database_url(self.data_dir)
