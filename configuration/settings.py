"""One typed settings object for every environment variable the system reads.

Each process reads it once at its edge (`load()`: CLI, worker, servers) and passes what it needs
down; nothing else in the code looks at `os.environ`. Every state path resolves from
`COMPLAINT_DESK_HOME`, so a command means the same whatever folder it is run from.
"""

from __future__ import annotations

import os
from datetime import timedelta
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
    # The stuck-case watchdog: how often its schedule runs (set when `setup` creates it), how
    # many workflow tasks in a row must fail, and whether to describe every open case rather
    # than trust the server's TemporalReportedProblems flag.
    complaint_watchdog_every: timedelta = timedelta(minutes=5)
    complaint_watchdog_failed_tasks: int = Field(default=2, ge=1)
    complaint_watchdog_scan_all: bool = False
    # The codec server answers only to these Host names (comma-separated, `host` or
    # `host:port`) besides localhost, 127.0.0.1 and [::1].
    complaint_codec_allowed_hosts: str = ""

    @property
    def home(self) -> Path:
        """The local state folder, absolute (it is created on first use by its users)."""
        return self.complaint_desk_home.expanduser().resolve()

    @property
    def codec_allowed_hosts(self) -> tuple[str, ...]:
        return tuple(
            h.strip().lower() for h in self.complaint_codec_allowed_hosts.split(",") if h.strip()
        )

    @property
    def reports_dir(self) -> Path:
        return (self.complaint_reports_dir or self.home / "reports").expanduser().resolve()


def load() -> Settings:
    """Read the environment now (tests change it between calls, so nothing is cached)."""
    return Settings()
