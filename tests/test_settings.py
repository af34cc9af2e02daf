"""One typed settings object: nothing else reading the environment, and every state path under
COMPLAINT_DESK_HOME whatever folder a command runs in (its table in docs/operating.md is
checked by tests/test_docs.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from configuration import load
from configuration.settings import default_home
from encryption.keys import KeyRing, local_keyring
from starter.local import free_port
from tests.support.desk import ROOT

# The modules that read the environment: the settings, and the quick reader of a few of its
# fields (for `show`, and the local dev server's port) (kept in step with them by a test below).
STILL_READING = {"configuration/settings.py", "configuration/environment.py"}


def test_nothing_but_the_settings_reads_the_environment() -> None:
    readers = []
    for path in ROOT.glob("**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in {".venv", "tests", "bench"} or relative in STILL_READING:
            continue
        text = path.read_text(encoding="utf-8")
        if "os.environ" in text or "getenv(" in text:
            readers.append(relative)
    assert readers == []


def test_every_state_path_is_under_the_home_whatever_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for name in ("COMPLAINT_REPORTS_DIR", "DATABASE_URL", "COMPLAINT_PAYLOAD_KEYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMPLAINT_DESK_HOME", str(home))
    settings = load()
    paths = [
        settings.keys_file,
        settings.postgres_dir,
        settings.temporal_db,
        settings.temporal_log,
        settings.reports_dir,
    ]
    assert all(p.is_relative_to(home) for p in paths), paths
    monkeypatch.delenv("COMPLAINT_DESK_HOME")
    # Unset, a checkout's commands share its var/, from whichever terminal and folder.
    assert load().home == default_home() == ROOT / "var"


def _cli(*argv: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "COMPLAINT_PAYLOAD_KEYS"}
    return subprocess.run(
        [sys.executable, "-m", "starter.cli", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, **env},
        check=False,
    )


@pytest.mark.system  # runs the CLI as a process
def test_the_key_file_is_found_in_the_home_not_the_current_folder(tmp_path: Path) -> None:
    """Before: `no payload keys: … <current folder>/var/payload-keys` from any other folder."""
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    nowhere = f"127.0.0.1:{free_port()}"
    missing = _cli("list", cwd=elsewhere, COMPLAINT_DESK_HOME=str(home), TEMPORAL_ADDRESS=nowhere)
    assert missing.returncode == 5 and f"{home}/payload-keys" in missing.stderr
    local_keyring(home / "payload-keys")
    found = _cli("list", cwd=elsewhere, COMPLAINT_DESK_HOME=str(home), TEMPORAL_ADDRESS=nowhere)
    assert "no payload keys" not in found.stderr
    assert found.returncode == 4 and found.stderr.startswith("cannot reach Temporal")


def test_a_report_without_out_is_written_under_the_home(
    tmp_path: Path, fresh_database: str
) -> None:
    """Before: `./var/reports` of whatever folder the command ran in."""
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _cli(
        "store",
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
        cwd=elsewhere,
        COMPLAINT_DESK_HOME=str(home),
        DATABASE_URL=fresh_database,
        COMPLAINT_PAYLOAD_KEYS=KeyRing.generate().render(),
    )
    assert done.returncode == 0, done.stderr
    written = sorted(p.suffix for p in (home / "reports").iterdir())
    assert written == [".html", ".md"]
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"COMPLAINT_DESK_HOME": "~/desk-home", "DATABASE_URL": "postgresql://db/x"},
        {"complaint_desk_home": "relative/home", "Database_Url": ""},
    ],
    ids=["unset", "set", "any case"],
)
def test_the_quick_reader_agrees_with_the_settings(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`configuration.environment` (what `show` reads before pydantic is loaded) gives what
    `Settings` gives, for the two values it reads."""
    from configuration import environment

    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.lower() in {"complaint_desk_home", "database_url"}:
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load()
    assert environment.home() == settings.home
    assert environment.raw("database_url") == settings.database_url
    assert environment.home() / "postgres" == settings.postgres_dir
