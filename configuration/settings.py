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
    # Delivery (delivery/, README "Connecting channels"). No SMTP host and no webhooks: messages
    # stay in the outbox only, as before.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = Field(default="starttls", pattern="^(starttls|tls|none)$")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 20
    email_from: str = "Customer Care <care@desk.localhost>"
    email_reply_address: str = "care@desk.localhost"
    email_staff_address: str = "{recipient}@desk.localhost"
    email_fallback_address: str | None = None
    delivery_webhooks: str = Field(default="{}", description="JSON: name -> url, secret, address")
    delivery_routes: str | None = Field(default=None, description="JSON routing table")
    delivery_retry_initial_seconds: float = 5
    delivery_retry_max_seconds: float = 600
    delivery_reply_secret: SecretStr | None = None
    mail_catcher_port: int = 1025
    mail_in_host: str = "127.0.0.1"
    mail_in_port: int = 2525
    mail_in_receiver: str = "email-desk"

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
