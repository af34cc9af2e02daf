"""The processes' log lines (telemetry/logs.py), as a process writes them: one JSON object a
line, the message as it reads, nothing a terminal would need to decode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.desk import ROOT

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


SERVER_LINES = """
import asyncio, sys
import httpx, structlog
from telemetry import logs
logs.configure(level="INFO", json=True)
from api.access_log import AccessLog
from api.server import serving
from configuration.settings import Settings
from web import app

async def main() -> None:
    settings = Settings(complaint_desk_home=sys.argv[1], web_secret="log-test-secret")
    workspace = AccessLog(app.build(settings, None, None))  # the desk is not reached here
    async with serving(workspace) as url, httpx.AsyncClient(base_url=url) as http:
        for path in ("/p/C-1.4102444800.SECRETTOKEN1", "/p/C-1.4102444800.SECRETTOKEN2?lang=en"):
            print((await http.get(path)).status_code, file=sys.stderr)
        await http.post("/p/C-1.4102444800.SECRETTOKEN3/reply", data={"text": "hi"})
        await http.get("/signin?token=SECRETTOKEN4")
    structlog.get_logger("complaint_desk.delivery").info(
        "message sent", link="http://localhost:8080/p/C-1.4102444800.SECRETTOKEN5"
    )

asyncio.run(main())
"""


def test_no_progress_link_token_reaches_a_log_line(tmp_path: Path) -> None:
    """A progress link is a bearer credential. Before: the access log wrote `/p/<token>`."""
    done = subprocess.run(
        [sys.executable, "-c", SERVER_LINES, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = [json.loads(x) for x in done.stderr.splitlines() if x.startswith("{")]
    paths = [entry["path"] for entry in lines if entry.get("event") == "request"]
    assert paths == ["/p/[redacted]", "/p/[redacted]", "/p/[redacted]/reply", "/signin"]
    assert any(e.get("link") == "http://localhost:8080/p/[redacted]" for e in lines)
    assert "SECRETTOKEN" not in done.stderr + done.stdout
