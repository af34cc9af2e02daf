"""One typed settings object for every environment variable the system reads.

Each process reads it once at its edge (`load()`: CLI, worker, servers) and passes what it needs
down; nothing else in the code looks at `os.environ`. Every state path resolves from
`COMPLAINT_DESK_HOME`, so a command means the same whatever folder it is run from.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """Where a laptop keeps its cases when `COMPLAINT_DESK_HOME` is not set (XDG data folder)."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "complaint-desk"


class Settings(BaseSettings):
    """The environment, typed. Field names are the variables' names (case-insensitive)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    complaint_desk_home: Path = Field(default_factory=default_home)
    database_url: str | None = None
    complaint_payload_keys: SecretStr | None = None
    complaint_codec_token: SecretStr | None = None
    complaint_sla_policy: Path | None = None
    complaint_grading_policy: Path | None = None
    complaint_reports_dir: Path | None = None
    metrics_address: str | None = None
    log_level: str = "INFO"
    # The HTTP API (api/): keys as a JSON list or the path of a JSON file (relative to the home);
    # each entry {"name", "sha256", "scopes", ...} as api.keys.ApiKey describes.
    complaint_api_keys: str | None = None
    complaint_api_host: str = "127.0.0.1"
    complaint_api_port: int = 8080
    complaint_api_body_limit: int = Field(default=256 * 1024, gt=0)

    @property
    def home(self) -> Path:
        """The local state folder, absolute (it is created on first use by its users)."""
        return self.complaint_desk_home.expanduser().resolve()

    @property
    def reports_dir(self) -> Path:
        return (self.complaint_reports_dir or self.home / "reports").expanduser().resolve()


def load() -> Settings:
    """Read the environment now (tests change it between calls, so nothing is cached)."""
    return Settings()
