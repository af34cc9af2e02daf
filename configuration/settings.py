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
    # The web workspace (web/): staff accounts, the key that signs its cookies and the customers'
    # progress links, cookies marked Secure (set it when served over https), link lifetime.
    web_users_file: Path | None = None
    web_secret: SecretStr | None = None
    web_secure_cookies: bool = False
    web_link_days: int = 60

    @property
    def home(self) -> Path:
        """The local state folder, absolute (it is created on first use by its users)."""
        return self.complaint_desk_home.expanduser().resolve()

    @property
    def reports_dir(self) -> Path:
        return (self.complaint_reports_dir or self.home / "reports").expanduser().resolve()

    @property
    def users_file(self) -> Path:
        """Staff accounts of the web workspace (JSON with argon2 hashes; `complaint-desk user-add`)."""
        return (self.web_users_file or self.home / "users.json").expanduser().resolve()


def load() -> Settings:
    """Read the environment now (tests change it between calls, so nothing is cached)."""
    return Settings()
