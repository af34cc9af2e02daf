"""The workspace benchmark still runs and reports every line, with a small store (figures are
not asserted; benchmarks are not timed tests, see docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
import sys

from tests.support.desk import ROOT


async def test_the_workspace_benchmark_runs_and_reports() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.workspace",
        "--cases",
        "120",
        "--requests",
        "3",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode == 0, err.decode()[-2000:]
    report = out.decode()
    assert "120 cases written through the projection" in report
    for line in (
        "| baseline: one complaint by id |",
        "| queue (",
        "| case page, store parts",
        "| search: a contact (phone) |",
    ):
        assert line in report
