"""The processes' log lines (telemetry/logs.py), as a process writes them: one JSON object a
line, the message as it reads, nothing a terminal would need to decode."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.system  # a process of its own

UVICORN_LINE = """
import logging
from telemetry import logs
logs.configure(level="INFO", json=True)
logging.getLogger("uvicorn.error").info(
    "Started server process [%d]", 42, extra={"color_message": "Started \\x1b[36m%d\\x1b[0m"}
)
"""


def test_a_servers_line_has_its_message_once_without_colour_codes() -> None:
    """uvicorn logs each line with a coloured copy in `extra`; before, it reached the JSON."""
    done = subprocess.run(
        [sys.executable, "-c", UVICORN_LINE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    [line] = [x for x in done.stderr.splitlines() if '"uvicorn.error"' in x]
    entry = json.loads(line)
    assert entry["event"] == "Started server process [42]"
    assert "color_message" not in entry and "\x1b" not in line
