"""Train a head and say how it does before anyone adopts it.

    python -m grading.train [--from-store] [--seed 0] [--out grading/heads/] [--encoder use+e5]

Trains on the labelled sets (`grading.labelled.TRAINING`: every set in tests/grading) and,
with `--from-store`, on every confirmation and override people made in the case store (the
latest grade of each complaint wins). Same data and seed → a byte-identical file, named by its
version, on one machine; on another processor OpenBLAS may pick other kernels and the last bits
differ, so the head grades alike and its probabilities agree to about 1e-6, but its name may
not (tests/test_grading_model.py checks what matters). It then prints the hybrid's figures on each fixed set next to the adopted head's. The
new head is adopted for every install by naming it in `policies/grading.json` (`model.head`): a
policy change, validated at worker start and recorded in every classification. The nightly
`ProposeGradingCandidate` run (activities/learning.py) trains the same way and stores the head as
a candidate that a supervisor adopts in the case store (docs/grading.md, "Learning with approval").
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from grading.encoder import Encoder, load_encoder, spec_of
from grading.evaluate import evaluate
from grading.head import GRAMS, HEADS, GramTraining, Head, Training, load_head, train
from grading.labelled import TRAINING, Example, load_examples
from grading.model import LearnedGrader, load_grader
from grading.policy import load_grading_policy
from schemas.classification import Severity
from schemas.grading import GradingPolicy

FIXED_SETS = TRAINING


def train_head(
    encoder: Encoder,
    files: list[Path],
    extra: list[Example],
    seed: int = 0,
    settings: Training | None = None,
    grams: GramTraining | None = GRAMS,
) -> Head:
    """The head for these files plus `extra` examples (people's grades from the store), with
    the n-gram expert beside the embedding unless `grams` is None. Only the files' texts are
    kept in the artifact as "looks like" evidence: a customer's words never go into a file in
    the repository (the n-gram weights are sums over hashed buckets, not words)."""
    settings = replace(settings or Training(), seed=seed)
    from_files = [e for path in files for e in load_examples(path)]
    examples = from_files + extra
    vectors = encoder.embed([e.text for e in examples]).astype(np.float64)
    record = training_record(files, extra, settings, grams)
    # One BLAS thread: the matrices are small (a few thousand rows), and on a busy 2-core
    # machine threads that spin waiting for each other made training ten times slower.
    with threadpool_limits(limits=1):
        return train(vectors, examples, encoder.name, from_files, settings, record, grams)


def training_record(
    files: list[Path],
    extra: list[Example],
    settings: Training,
    grams: GramTraining | None = GRAMS,
) -> dict[str, Any]:
    """What a head records as `trained_on`: its data (by digest) and settings, so a head whose
    sets changed since it was trained is caught without training it again."""
    examples = [e for path in files for e in load_examples(path)] + extra
    digest = hashlib.sha256(
        "\n".join(f"{e.text}\t{e.severity.value}\t{e.category.value}" for e in examples).encode()
    ).hexdigest()
    return {
        "files": [p.name for p in files],
        "from_store": len(extra),
        "examples": len(examples),
        "sha256": digest,
        "seed": settings.seed,
        "l2": settings.l2,
        "iterations": settings.iterations,
        "severity_weights": list(settings.severity_weights),
        # a head without the n-gram expert (before round 7) records nothing of it
        **({"grams": {**asdict(grams), "orders": list(grams.orders)}} if grams else {}),
    }


def adopted_encoders(policy: GradingPolicy) -> list[str]:
    """The encoders of the policy's adopted and fallback heads ("use+e5", "use")."""
    if policy.model is None:
        return ["use"]
    names = [policy.model.head, *policy.model.fallback]
    return [spec_of(load_head(n).encoder) for n in names if (HEADS / n).exists()] or ["use"]


def save(head: Head, folder: Path = HEADS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{head.version}.json"
    path.write_bytes(head.to_json().encode("utf-8"))
    return path


def comparison(policy: GradingPolicy, new: LearnedGrader, adopted: LearnedGrader | None) -> str:
    lines = ["set            head            severity  L1 recall  category  triaged  L1 unguarded"]
    for path in FIXED_SETS:
        if not path.exists():
            continue
        examples = load_examples(path)
        for label, grader in (("new", new), ("adopted", adopted)):
            if grader is None:
                continue
            r = evaluate(examples, policy, grader)
            lines.append(
                f"{path.stem:<14} {label} {grader.engine.head:<11} {r.accuracy:>8.3f} "
                f"{r.recall(Severity.L1):>10.3f} {r.category_accuracy:>9.3f} "
                f"{sum(r.triaged):>4}/{len(r.pairs):<3} {len(r.l1_unguarded):>6}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-store", action="store_true", help="add people's grades")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HEADS)
    parser.add_argument(
        "--encoder",
        action="append",
        help="use, e5 or use+e5 (repeatable); default: those of the policy's adopted and "
        "fallback heads",
    )
    args = parser.parse_args()
    policy = load_grading_policy()
    extra: list[Example] = []
    if args.from_store:
        from case_store.db import database_url
        from case_store.labelled_examples import from_store
        from configuration import load

        extra = asyncio.run(from_store(database_url(load())))
        print(f"{len(extra)} labelled examples from the case store")
    for spec in args.encoder or adopted_encoders(policy):
        encoder = load_encoder(spec)
        if encoder is None:
            print(f"{spec}: its encoder package is not installed, no head trained")
            continue
        head = train_head(encoder, TRAINING, extra, args.seed)
        path = save(head, args.out)
        print(f"wrote {path} ({path.stat().st_size} bytes), {head.trained_on['examples']} examples")
        adopted = None
        if policy.model and (HEADS / policy.model.head).exists():
            try:
                adopted = load_grader(policy, encoder)
            except ValueError:  # no adopted head was trained on this encoder
                adopted = None
        print(comparison(policy, LearnedGrader(encoder, head), adopted))
        print(
            f'adopt it: name "{path.name}" in policies/grading.json ("model": "head" for '
            f'{encoder.name}, or in "fallback")\n'
        )


if __name__ == "__main__":
    main()
