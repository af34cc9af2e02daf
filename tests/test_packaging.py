"""The installed project must carry every package and its data: `./dev up` runs the installed
entry point, and production installs the wheel, not the checkout — so a package or a policy file
missing from pyproject.toml breaks newcomers while the checkout's tests pass."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from desk.service import ComplaintDesk
from schemas import Stage
from tests.support.desk import ROOT, TEST_KEYS, eventually, intake


def test_every_package_in_the_checkout_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages"
    modules = {p.stem for p in ROOT.glob("*.py")}
    assert modules <= set(config["tool"]["setuptools"]["py-modules"])


IGNORED = shutil.ignore_patterns(
    ".venv", "var", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout (offline: this venv's build backend) and
    installed, without the checkout, into a fresh venv that borrows only the dependencies."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(work / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = (work / "dist").glob("complaint_desk-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = Path(
        subprocess.run(
            [
                venv / "bin" / "python",
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # The dependencies from this venv, as a plain path: its .pth files (the editable install of
    # the checkout among them) are not processed from there, so the checkout stays out.
    (target / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return venv


def _elsewhere(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    return {
        **os.environ,
        "COMPLAINT_DESK_HOME": str(home),
        "PYTHONPATH": "",
        "COMPLAINT_PAYLOAD_KEYS": TEST_KEYS.render(),
    }


@pytest.mark.system
def test_the_installed_cli_runs_from_any_folder_without_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    env = _elsewhere(tmp_path)
    where = subprocess.run(
        [
            installed / "bin" / "python",
            "-c",
            "import policies, case_store.migrate as m, grading.policy as g, starter.cli as c; "
            "import telemetry.logs as l, telemetry.metrics as t; "
            "print(c.__file__); print(len(m.available())); print(g.load_grading_policy().version); "
            "print(l.__file__); print(t.__file__)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    ).stdout.splitlines()
    assert not where[0].startswith(str(ROOT)), where  # the wheel's copy, not the checkout
    assert all(not w.startswith(str(ROOT)) for w in where[3:5]), where  # telemetry/ came too
    assert int(where[1]) >= 1 and where[2]  # migrations and the grading rules came with it
    helped = subprocess.run(
        [installed / "bin" / "complaint-desk", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert helped.returncode == 0 and "policy-apply" in helped.stdout, helped.stderr
    flags = subprocess.run(  # an action's flags come from the JSON Schemas shipped in the wheel
        [installed / "bin" / "complaint-desk", "finding", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert flags.returncode == 0 and "--agent" in flags.stdout, flags.stderr


@pytest.mark.system
async def test_the_installed_worker_handles_a_complaint_from_another_folder(
    installed: Path, tmp_path: Path, env: WorkflowEnvironment, fresh_database: str
) -> None:
    """Before: the wheel lacked policies/grading.json, which the worker loads by default."""
    address = env.client.service_client.config.target_host
    worker = await asyncio.create_subprocess_exec(
        installed / "bin" / "python",
        "-m",
        "worker",
        cwd=tmp_path,
        env={
            **_elsewhere(tmp_path),
            "TEMPORAL_ADDRESS": address,
            "DATABASE_URL": fresh_database,
            "LOG_LEVEL": "WARNING",
        },
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        desk = ComplaintDesk(env.client)  # the worker's own task queue: `complaints`
        complaint = intake("C-WHEEL-1", await env.get_current_time())
        await desk.start(complaint)

        async def classified() -> bool | None:
            return (await desk.snapshot("C-WHEEL-1")).stage is Stage.INVESTIGATE or None

        await eventually(classified, seconds=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(worker.communicate(), 60)
    assert worker.returncode == 0, err.decode()[-2000:]
