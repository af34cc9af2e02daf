"""One typed settings object for every environment variable the system reads.

Each process reads it once at its edge (`load()`: CLI, worker, servers) and passes what it needs
down; nothing outside this package looks at `os.environ` (`configuration.environment` reads
a field's raw value for a command too quick to load pydantic). Every state path resolves from
`COMPLAINT_DESK_HOME`, so a command means the same whatever folder it is run from.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from configuration.environment import CHECKOUT as CHECKOUT
from configuration.environment import default_home as default_home


class Settings(BaseSettings):
    """The environment, typed. Field names are the variables' names (case-insensitive); each
    field's description is its row in docs/operating.md's "Settings" table."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    complaint_desk_home: Path = Field(
        default_factory=default_home,
        description="The local state folder: dev server database and log, embedded PostgreSQL, "
        "payload keys, reports. Default: the checkout's `var/` (installed: "
        "`~/.local/share/complaint-desk`).",
    )
    database_url: str | None = Field(
        default=None,
        description="PostgreSQL for the case store; unset: an embedded server under the home.",
    )
    complaint_payload_keys: SecretStr | None = Field(
        default=None,
        description="The payload key ring, `id1=<base64 32 bytes>,id2=…` (first encrypts); "
        "unset: the home's `payload-keys` file.",
    )
    complaint_codec_token: SecretStr | None = Field(
        default=None,
        description="Bearer token the codec server requires (unset: none).",
    )
    complaint_sla_policy: Path | None = Field(
        default=None,
        description="An SLA policy file for workers; unset: seed 000's defaults.",
    )
    complaint_grading_policy: Path | None = Field(
        default=None,
        description="A grading rules file for workers; unset: the packaged `policies/grading.json`.",
    )
    complaint_reports_dir: Path | None = Field(
        default=None,
        description="Where reports are written; unset: `reports/` under the home.",
    )
    metrics_address: str | None = Field(
        default=None,
        description="`host:port` where a worker serves Prometheus metrics; unset: off.",
    )
    log_level: str = Field(default="INFO", description="Log level of every process.")
    malloc_arena_max: int = Field(
        default=2,
        ge=0,
        description="glibc malloc arenas a worker allows itself, set by the worker as it starts "
        '(docs/operating.md, "Worker memory"); 0: glibc\'s default, eight per core.',
    )
    complaint_desk_deployment: str = Field(
        default="complaint-desk",
        description="The worker's Worker Deployment name (Worker Versioning; docs/versioning.md).",
    )
    complaint_desk_build_id: str | None = Field(
        default=None,
        description="The worker's build id in its Worker Deployment; unset: an unversioned "
        "worker (the laptop, the tests). Set on every real deployment (docs/versioning.md).",
    )
    complaint_desk_temporal_port: int = Field(
        default=7233,
        description="`complaint-desk up`: the dev server's gRPC port; where every command, "
        "worker and server connects when Temporal's environment configuration names no address.",
    )
    complaint_desk_ui_port: int = Field(
        default=8233, description="`complaint-desk up`: the Temporal Web UI's port."
    )
    complaint_desk_codec_port: int = Field(
        default=8081, description="`complaint-desk up`: the codec server's port."
    )
    complaint_api_keys: str | None = Field(
        default=None,
        description="HTTP API keys: a JSON list, or the path of a JSON file (relative to the "
        "home), of `{name, sha256, scopes, …}` entries (`complaint-desk api-key` makes one).",
    )
    complaint_desk_api_url: str | None = Field(
        default=None,
        description="The CLI: the running API's address (`http://127.0.0.1:8080`); set, with "
        "`COMPLAINT_DESK_API_KEY`, each case action is one request to it instead of a Temporal "
        'client of its own (docs/desk-guide.md, "The command line through the API").',
    )
    complaint_desk_api_key: SecretStr | None = Field(
        default=None,
        description="The CLI: its key to that API, a staff key made with `--acts-for` (the "
        "person acting is the command's `--agent` / `--by`). Never on the command line.",
    )
    complaint_api_host: str = Field(
        default="127.0.0.1", description="Where the HTTP API (and the web pages) listen."
    )
    complaint_api_port: int = Field(default=8080, description="The HTTP API's port.")
    complaint_api_body_limit: int = Field(
        default=256 * 1024, gt=0, description="Largest request body the API reads, in bytes."
    )
    complaint_api_body_seconds: float = Field(
        default=15,
        gt=0,
        description="The time a request body has to arrive whole; later: 408, connection closed.",
    )
    complaint_watchdog_every: timedelta = Field(
        default=timedelta(minutes=5),
        description="How often the stuck-case watchdog runs (set when `setup` creates its schedule).",
    )
    complaint_watchdog_failed_tasks: int = Field(
        default=2, ge=1, description="Workflow tasks failing in a row that make a case stuck."
    )
    complaint_watchdog_scan_all: bool = Field(
        default=False,
        description="Describe every open case instead of trusting the server's "
        "TemporalReportedProblems flag.",
    )
    complaint_codec_allowed_hosts: str = Field(
        default="",
        description="Host names the codec server answers to besides localhost, 127.0.0.1 and "
        "[::1] (comma-separated, `host` or `host:port`).",
    )
    web_users_file: Path | None = Field(
        default=None,
        description="Staff accounts of the web workspace (argon2 hashes; `complaint-desk "
        "user-add`); unset: `users.json` under the home.",
    )
    web_secret: SecretStr | None = Field(
        default=None,
        description="Signs the web's session cookies and the customers' progress links; every "
        "server must share it (unset: generated into `web-secret` under the home).",
    )
    web_secure_cookies: bool = Field(
        default=False, description="Mark the web's cookies Secure (set it when served over https)."
    )
    web_public_url: str | None = Field(
        default=None,
        description="Where customers reach the web pages: progress links in messages start so; "
        "unset: `http://localhost:` and `COMPLAINT_API_PORT`.",
    )
    web_link_days: int = Field(
        default=60, description="How long a customer's progress link stays valid, in days."
    )
    web_signin_free_attempts: int = Field(
        default=5,
        ge=1,
        description="Wrong passwords an account (or a client address) may give before it is "
        "locked out, for a delay that grows with each further one.",
    )
    web_signin_first_delay: float = Field(
        default=2.0,
        gt=0,
        description="Seconds of the first sign-in lock-out; doubled with each further wrong "
        "password, up to 15 minutes.",
    )
    web_link_messages_per_minute: int = Field(
        default=6,
        ge=1,
        description="Messages a customer's progress link may send a minute (a few at once).",
    )
    smtp_host: str | None = Field(
        default=None,
        description="The SMTP server messages go out through; unset (and no webhooks): messages "
        "stay in the outbox only.",
    )
    smtp_port: int = Field(default=587, description="The SMTP server's port.")
    smtp_security: str = Field(
        default="starttls",
        pattern="^(starttls|tls|none)$",
        description="`starttls`, `tls` (implicit) or `none` (a local catcher only).",
    )
    smtp_username: str | None = Field(default=None, description="SMTP login, if the server asks.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_timeout_seconds: float = Field(default=20, description="One SMTP conversation's limit.")
    email_from: str = Field(
        default="Customer Care <care@desk.localhost>", description="The From of every e-mail."
    )
    email_reply_address: str = Field(
        default="care@desk.localhost",
        description="Where customers' answers go (the case's reference is added to it).",
    )
    email_staff_address: str = Field(
        default="{recipient}@desk.localhost",
        description="Staff e-mail addresses, `{recipient}` standing for the agent or supervisor id.",
    )
    email_fallback_address: str | None = Field(
        default=None,
        description="Where a message goes that no gateway can take (a local catcher's mailbox).",
    )
    company_name: dict[str, str] = Field(
        default_factory=dict,
        description="The company's name as customers read it (letters, SMS, the progress page), "
        "by language, as "
        'JSON: `{"zh": "海川电器", "en": "Haichuan Appliances"}`; a language without one: the '
        "catalogue's 客户服务中心 / Customer Care.",
    )
    web_staff_url: str | None = Field(
        default=None,
        description="Where staff reach the workspace: staff letters link to `/cases/<id>` on it; "
        "unset: `WEB_PUBLIC_URL` (one server serves both).",
    )
    delivery_webhooks: str = Field(
        default="{}",
        description="Webhook gateways (SMS, WeChat, app push) as JSON: name -> url, secret, address.",
    )
    delivery_routes: str | None = Field(
        default=None,
        description="The routing table as JSON (recipient kind and channel -> gateways); unset: "
        "e-mail for everyone who has an address.",
    )
    delivery_retry_initial_seconds: float = Field(
        default=5, description="The first retry's delay after a gateway failed."
    )
    delivery_retry_max_seconds: float = Field(
        default=600, description="The longest delay between retries."
    )
    delivery_reply_secret: SecretStr | None = Field(
        default=None,
        description="Signs the case references in reply addresses; unset: generated into "
        "`reply-secret` under the home.",
    )
    mail_catcher_port: int = Field(
        default=1025, description="`complaint-desk up`: the local mail catcher's SMTP port."
    )
    mail_in_host: str = Field(default="127.0.0.1", description="Where e-mail in listens.")
    mail_in_port: int = Field(default=2525, description="E-mail in's SMTP port.")
    mail_in_receiver: str | None = Field(
        default=None,
        description="A receiving agent recorded on e-mailed complaints; unset: none, the case "
        "goes to a team queue (`policies/routing.json`).",
    )
    mail_in_max_bytes: int = Field(
        default=25 * 1024 * 1024,
        ge=1024,
        description="The largest mail e-mail in takes (bytes; announced as SMTP SIZE, a larger "
        "one is refused before it is read).",
    )
    mail_in_max_parts: int = Field(
        default=200, ge=1, description="The most MIME parts a mail may have to be read."
    )
    mail_in_max_depth: int = Field(
        default=20,
        ge=1,
        description="The most multiparts (and so the deepest nesting) a mail may have to be read.",
    )
    mail_in_readers: int = Field(
        default=2, ge=1, description="Threads that parse mail, beside the event loop."
    )
    mail_in_quarantine: Path | None = Field(
        default=None,
        description="Where mail that cannot be read is kept (0700 folder, 0600 files); unset: "
        "`quarantine/` under the home.",
    )
    complaint_pdf_browser: Path | None = Field(
        default=None,
        description="The Chromium that prints the special report as PDF (reports/pdf.py); unset: "
        "chromium, chromium-browser or google-chrome on PATH. Without one the PDF link says so "
        "and the HTML report stands.",
    )
    evidence_dir: Path | None = Field(
        default=None,
        description="Where evidence files are kept, one per SHA-256 (0700 folder, 0600 files); "
        "unset: `evidence/` under the home. Unused when `EVIDENCE_BUCKET_URL` is set.",
    )
    evidence_bucket_url: str | None = Field(
        default=None,
        description="An S3-compatible bucket for evidence files, `https://host/bucket[/prefix]` "
        "(path-style); unset: the evidence folder.",
    )
    evidence_bucket_access_key: str | None = Field(
        default=None, description="The bucket's access key."
    )
    evidence_bucket_secret_key: SecretStr | None = Field(
        default=None, description="The bucket's secret key."
    )
    evidence_bucket_region: str = Field(default="us-east-1", description="The bucket's region.")
    evidence_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1,
        description="The largest evidence file kept (bytes); a larger one is listed as not kept.",
    )
    evidence_max_files: int = Field(
        default=10, ge=1, description="The most files one mail or one upload may bring."
    )
    evidence_types: str = Field(
        default=",".join(
            [
                "image/jpeg",
                "image/png",
                "image/gif",
                "image/webp",
                "application/pdf",
                "text/plain",
                "audio/mpeg",
                "audio/wav",
                "video/mp4",
                "application/zip",
            ]
        ),
        description="The content types evidence may have, as its bytes show them (comma-"
        "separated); markup (HTML, SVG) is never kept whatever this says.",
    )
    complaint_routing_policy: Path | None = Field(
        default=None,
        description="Team routing rules for cases nobody received; unset: the packaged "
        "`policies/routing.json`.",
    )

    @property
    def home(self) -> Path:
        """The local state folder, absolute (created on first use by its users)."""
        return self.complaint_desk_home.expanduser().resolve()

    @property
    def codec_allowed_hosts(self) -> tuple[str, ...]:
        return tuple(
            h.strip().lower() for h in self.complaint_codec_allowed_hosts.split(",") if h.strip()
        )

    @property
    def public_url(self) -> str:
        """Where customers reach the web pages (the API's server serves them)."""
        return self.web_public_url or f"http://localhost:{self.complaint_api_port}"

    @property
    def staff_url(self) -> str:
        """Where staff reach the workspace (the case pages)."""
        return self.web_staff_url or self.public_url

    @property
    def reports_dir(self) -> Path:
        return (self.complaint_reports_dir or self.home / "reports").expanduser().resolve()

    @property
    def quarantine_dir(self) -> Path:
        """Mail e-mail in could not read or take, kept as it arrived."""
        return (self.mail_in_quarantine or self.home / "quarantine").expanduser().resolve()

    @property
    def evidence_folder(self) -> Path:
        """Evidence files, when no S3 bucket is set."""
        return (self.evidence_dir or self.home / "evidence").expanduser().resolve()

    @property
    def keys_file(self) -> Path:
        """The local key ring `./dev up` creates when no keys are configured."""
        return self.home / "payload-keys"

    @property
    def postgres_dir(self) -> Path:
        """The embedded PostgreSQL's data, when `DATABASE_URL` is not set."""
        return self.home / "postgres"

    @property
    def temporal_db(self) -> Path:
        """The local dev server's SQLite database: its cases and pending timers."""
        return self.home / "temporal.db"

    @property
    def temporal_log(self) -> Path:
        return self.home / "temporal.log"

    @property
    def temporal_pid_file(self) -> Path:
        """The pid of the dev server `complaint-desk up` started, while it runs."""
        return self.home / "temporal.pid"

    def ensure_home(self) -> Path:
        """The home, created if missing, readable by its owner only: it holds cases, mail,
        keys and passwords."""
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.home.chmod(0o700)
        return self.home

    @property
    def users_file(self) -> Path:
        """Staff accounts of the web workspace (JSON with argon2 hashes; `complaint-desk user-add`)."""
        return (self.web_users_file or self.home / "users.json").expanduser().resolve()


def load() -> Settings:
    """Read the environment now (tests change it between calls, so nothing is cached)."""
    return Settings()
