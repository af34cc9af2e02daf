"""The environment as `Settings` reads it, for the few values a command needs before pydantic
is loaded (`complaint-desk show` reads the case store in about a tenth of a second; importing
pydantic-settings alone takes longer: docs/benchmarks.md, "CLI latency").

`Settings` stays the one declaration of every variable, its type, default and description;
this module only reads a field's raw value the way pydantic-settings does (by the field's name,
case-insensitively), and the home folder's default. tests/test_settings.py checks that both
give the same answers.
"""

from __future__ import annotations

import os
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def default_home() -> Path:
    """Where the local system keeps its state when `COMPLAINT_DESK_HOME` is not set.

    Run from a source checkout (`./dev`, or its `.venv` activated in any terminal): the
    checkout's `var/`, so `./dev up` and a second terminal's `complaint-desk …` share one set
    of keys and one database whatever folder each is in. Installed from a wheel: the user's
    data folder (`$XDG_DATA_HOME/complaint-desk`, else `~/.local/share/complaint-desk`)."""
    if (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "dev").is_file():
        return CHECKOUT / "var"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "complaint-desk"


def raw(field: str) -> str | None:
    """A `Settings` field's value as the environment has it, unparsed (None: not set)."""
    wanted = field.lower()
    return next((v for k, v in os.environ.items() if k.lower() == wanted), None)


def home() -> Path:
    """`Settings().home`, without building the settings."""
    return Path(raw("complaint_desk_home") or default_home()).expanduser().resolve()


def cache() -> Path:
    """Files a process derives from installed packages and makes again when they are missing
    (the sentence encoder's unpacked embedding table): `cache/` under the home."""
    return home() / "cache"
