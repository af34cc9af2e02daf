"""What the learned grader costs: classification latency per complaint and worker memory, with
the model loaded against the rules alone, in the same run.

    .venv/bin/python -m bench.classification [--complaints 300] [--library 500]

Each engine runs in a child process of its own (so its memory is its own): a fresh embedded
PostgreSQL holds `--library` ended cases with embeddings, then the real `assess_complaint`
activity (store reads, similar cases by pgvector, grading, the store write) runs on the labelled
complaints one after another; "grading" times the engine alone (embedding, head, rules). Prints
p50/p99 latency and resident memory for both, their ratios, and the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from temporalio.testing import ActivityEnvironment

from activities.classification import ClassificationActivities
from bench.system import temporary_database
from case_store import similar
from case_store.db import open_pool
from case_store.migrate import migrate
from grading.engine import complaint_text, grade
from grading.labelled import TRAINING, as_intake, load_examples
from grading.model import load_grader
from grading.policy import load_grading_policy

AT = datetime(2026, 12, 1, tzinfo=UTC)


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def child(engine: str, complaints: int, library: int) -> dict[str, float]:
    policy = load_grading_policy()
    if engine == "rules":
        policy = policy.model_copy(update={"model": None})
    before = resident_mb()
    started = time.perf_counter()
    grader = load_grader(policy)
    load_s = time.perf_counter() - started
    texts = [e.text for p in TRAINING for e in load_examples(p)]
    with temporary_database() as (_, url):
        pool = await open_pool(url, max_size=2)
        async with pool.acquire() as connection:
            await migrate(connection)
            for i in range(library):
                text = f"{texts[i % len(texts)]} #{i}"
                result = grade(as_intake(text, f"B-{i}", AT), policy)
                stored = grader.store_vector(grader.embed(text)) if grader else None
                vector = stored.tolist() if stored is not None else None
                await similar.remember(connection, f"L-{i}", text, result, AT, vector)
                await connection.execute(
                    """INSERT INTO case_library (complaint_id, subject, summary, category,
                           severity, risk, resolution, outcome, archived_at, search_text)
                       VALUES ($1, '投诉', $2, $3, $4, 'low', '已处理', 'resolved', $5, $2)""",
                    f"L-{i}",
                    text,
                    result.category.value,
                    result.severity.value,
                    AT,
                )
        activities = ClassificationActivities(pool, policy, grader)
        env = ActivityEnvironment()
        for i in range(10):  # warm up: prepared statements, caches
            await env.run(activities.assess_complaint, as_intake(texts[i], f"B-{10_000 + i}", AT))
        graded = []
        for i in range(complaints):
            intake = as_intake(texts[i % len(texts)], f"B-{i}", AT)
            t = time.perf_counter()
            text = complaint_text(intake)
            view = grader.view(grader.embed(text), text=text) if grader else None
            grade(intake, policy, view=view)
            graded.append((time.perf_counter() - t) * 1000)
        samples = []
        for i in range(complaints):
            intake = as_intake(texts[i % len(texts)], f"B-{i}", AT)
            t = time.perf_counter()
            await env.run(activities.assess_complaint, intake)
            samples.append((time.perf_counter() - t) * 1000)
        await pool.close()
    samples.sort()
    graded.sort()
    return {
        "grade_p50_ms": statistics.median(graded),
        "grade_p99_ms": graded[min(len(graded) - 1, int(len(graded) * 0.99))],
        "p50_ms": statistics.median(samples),
        "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "max_ms": samples[-1],
        "rss_mb": resident_mb(),
        "rss_before_load_mb": before,
        "load_s": load_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=300)
    parser.add_argument("--library", type=int, default=500)
    parser.add_argument("--child", choices=["rules", "hybrid"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, args.complaints, args.library))))
        return
    figures = {}
    for engine in ("rules", "hybrid"):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.classification",
                "--child",
                engine,
                "--complaints",
                str(args.complaints),
                "--library",
                str(args.library),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        ).stdout
        figures[engine] = json.loads(out.strip().splitlines()[-1])
    r, h = figures["rules"], figures["hybrid"]
    print(f"{args.complaints} complaints through assess_complaint, {args.library} ended cases\n")
    print(
        "| engine | grading p50 | grading p99 | activity p50 | activity p99 | activity max "
        "| worker RSS | model load |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, f in (("rules only", r), ("hybrid (model loaded)", h)):
        print(
            f"| {name} | {f['grade_p50_ms']:.1f} ms | {f['grade_p99_ms']:.1f} ms "
            f"| {f['p50_ms']:.1f} ms | {f['p99_ms']:.1f} ms | {f['max_ms']:.1f} ms "
            f"| {f['rss_mb']:.0f} MB | {f['load_s']:.2f} s |"
        )
    print(
        f"\nhybrid / rules: p50 ×{h['p50_ms'] / r['p50_ms']:.2f}, "
        f"p99 ×{h['p99_ms'] / r['p99_ms']:.2f}, memory +{h['rss_mb'] - r['rss_mb']:.0f} MB"
    )
    print(
        f"hybrid p99 under 100 ms: grading {'yes' if h['grade_p99_ms'] < 100 else 'NO'}, "
        f"whole activity {'yes' if h['p99_ms'] < 100 else 'NO'}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
