"""Train a head and say how it does before anyone adopts it.

    python -m grading.train [--from-store] [--seed 0] [--out grading/heads/]

Trains on the labelled sets (tests/grading: labelled, holdout, holdout2; never holdout3) and,
with `--from-store`, on every confirmation and override people made in the case store (the
latest grade of each complaint wins). Same data and seed → a byte-identical file, named by its
version. It then prints the hybrid's figures on each fixed set next to the adopted head's. The
new head is adopted by naming it in `policies/grading.json` (`model.head`): a policy change,
validated at worker start and recorded in every classification.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
from pathlib import Path

import numpy as np

from grading.encoder import Encoder, load_encoder
from grading.evaluate import evaluate
from grading.head import HEADS, Head, Training, train
from grading.labelled import SETS, TRAINING, Example, load_examples
from grading.model import LearnedGrader, load_grader
from grading.policy import load_grading_policy
from schemas.classification import Severity
from schemas.grading import GradingPolicy

FIXED_SETS = [*TRAINING, SETS / "holdout3.jsonl"]


def train_head(encoder: Encoder, files: list[Path], extra: list[Example], seed: int = 0) -> Head:
    """The head for these files plus `extra` examples (people's grades from the store). Only
    the files' texts are kept in the artifact as "looks like" evidence: a customer's words
    never go into a file in the repository."""
    from_files = [e for path in files for e in load_examples(path)]
    examples = from_files + extra
    digest = hashlib.sha256(
        "\n".join(f"{e.text}\t{e.severity.value}\t{e.category.value}" for e in examples).encode()
    ).hexdigest()
    trained_on = {
        "files": [p.name for p in files],
        "from_store": len(extra),
        "examples": len(examples),
        "sha256": digest,
        "seed": seed,
    }
    vectors = encoder.embed([e.text for e in examples]).astype(np.float64)
    return train(vectors, examples, encoder.name, from_files, Training(seed=seed), trained_on)


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
    args = parser.parse_args()
    encoder = load_encoder()
    if encoder is None:
        raise SystemExit("training needs the sentence encoder package")
    extra: list[Example] = []
    if args.from_store:
        from case_store.db import database_url
        from case_store.labelled_examples import from_store
        from configuration import load

        extra = asyncio.run(from_store(database_url(load())))
        print(f"{len(extra)} labelled examples from the case store")
    head = train_head(encoder, TRAINING, extra, args.seed)
    path = save(head, args.out)
    print(f"wrote {path} ({path.stat().st_size} bytes), {head.trained_on['examples']} examples")
    policy = load_grading_policy()
    adopted = None
    if policy.model and (HEADS / policy.model.head).exists():
        adopted = load_grader(policy, encoder)
    print(comparison(policy, LearnedGrader(encoder, head), adopted))
    print(f'adopt it: set "model": {{"head": "{path.name}", …}} in policies/grading.json')


if __name__ == "__main__":
    main()
