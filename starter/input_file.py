"""Reading a file a person named on the command line (`--file`): a missing or malformed file is
one clear line naming the file and what is wrong, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class InputFileError(ValueError):
    """The named file cannot be read, or is not JSON; the message says which and why."""


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputFileError(f"--file {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise InputFileError(f"--file {path}: not UTF-8 text") from None


def read_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputFileError(
            f"--file {path}: not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})"
        ) from None
