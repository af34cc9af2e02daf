"""The benchmark still runs: a tiny ladder, end to end (figures are not asserted; benchmarks are
not timed tests, see docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from tests.support.desk import ROOT

pytestmark = pytest.mark.devserver


async def test_the_lifecycle_ladder_runs_every_rung_and_reports() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.ladder",
        "--lifecycles",
        "2",
        "--concurrency",
        "2",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode == 0, err.decode()[-2000:]
    report = out.decode()
    for rung in ("| empty |", "| twin |", "| twin+store |", "| full |"):
        assert rung in report
    assert "deadline lateness" in report and "state transitions" in report


async def test_the_api_intake_benchmark_runs_and_reports() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.api",
        "--complaints",
        "2",
        "--concurrency",
        "2",
        "--rounds",
        "1",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode == 0, err.decode()[-2000:]
    report = out.decode()
    assert "| 1 | direct |" in report and "| 1 | api |" in report
    assert "API / direct, median over the 1 pairs" in report


async def test_the_agents_click_benchmark_runs_every_path_and_reports() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.click",
        "--cases",
        "3",
        "--clicks",
        "2",
        "--cli-clicks",
        "1",
        "--load",
        "1",
        "--settle",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode == 0, err.decode()[-2000:]
    report = out.decode()
    for path in ("| web |", "| api |", "| cli |", "| cli-api |", "| web: the page |"):
        assert path in report
    assert "3 open cases" in report and "load average" in report
    assert "| api: the worker's time on it |" in report  # read from the clicked cases' histories
