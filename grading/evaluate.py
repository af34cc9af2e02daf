"""Evaluate grading against a labelled set: precision and recall per severity, overall accuracy,
a confusion matrix, category accuracy, triage volume and the L1 cases left unguarded.

    python -m grading.evaluate [FILE] [--engine hybrid|model|rules] [--policy FILE] [--misses]
    python -m grading.evaluate --cv 5      # k-fold cross-validation of a fresh head on the sets

`hybrid` (the default) is what the worker runs: rules floors plus the policy's trained head;
`model` is the head alone; `rules` the keyword engine alone.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grading.encoder import Encoder, load_encoder
from grading.engine import grade
from grading.head import Training
from grading.head import train as train_head
from grading.labelled import LABELLED, TRAINING, Example, load_examples
from grading.model import LearnedGrader, load_grader
from grading.policy import load_grading_policy
from schemas.classification import Category, Severity
from schemas.grading import GradingPolicy
from schemas.intake import ComplaintIntake

__all__ = ["Example", "Report", "cross_validate", "evaluate", "load_examples"]


@dataclass(frozen=True)
class Report:
    pairs: list[tuple[Example, Severity, Category]]  # (labelled, predicted severity, category)
    triaged: list[bool]  # the engine asked a person to confirm the grade

    def precision(self, level: Severity) -> float:
        predicted = [e for e, s, _ in self.pairs if s is level]
        return sum(e.severity is level for e in predicted) / len(predicted) if predicted else 0.0

    def recall(self, level: Severity) -> float:
        actual = [s for e, s, _ in self.pairs if e.severity is level]
        return sum(s is level for s in actual) / len(actual) if actual else 0.0

    @property
    def accuracy(self) -> float:
        return sum(e.severity is s for e, s, _ in self.pairs) / len(self.pairs)

    @property
    def category_accuracy(self) -> float:
        return sum(e.category is c for e, _, c in self.pairs) / len(self.pairs)

    @property
    def l1_unguarded(self) -> list[Example]:
        """L1 cases neither graded L1 nor sent to a person within the triage hour: the misses
        that matter."""
        return [
            e
            for (e, s, _), t in zip(self.pairs, self.triaged, strict=True)
            if e.severity is Severity.L1 and s is not Severity.L1 and not t
        ]

    def confusion(self) -> Counter[tuple[Severity, Severity]]:
        return Counter((e.severity, s) for e, s, _ in self.pairs)

    def text(self, misses: bool = False) -> str:
        lines = [f"{len(self.pairs)} labelled complaints", "", "level  precision  recall  support"]
        for level in Severity:
            support = sum(e.severity is level for e, _, _ in self.pairs)
            lines.append(
                f"{level.value:<6} {self.precision(level):>9.3f} "
                f"{self.recall(level):>7.3f} {support:>8}"
            )
        l1 = sum(e.severity is Severity.L1 for e, _, _ in self.pairs)
        lines += [
            "",
            f"severity accuracy  {self.accuracy:.3f}",
            f"category accuracy  {self.category_accuracy:.3f}",
            f"sent to triage     {sum(self.triaged)} of {len(self.pairs)}",
            f"L1 neither graded L1 nor triaged: {len(self.l1_unguarded)} of {l1}",
            "",
            "confusion (rows: labelled, columns: predicted)",
            "        " + "".join(f"{p.value:>6}" for p in Severity),
        ]
        matrix = self.confusion()
        for actual in Severity:
            lines.append(
                f"{actual.value:<8}" + "".join(f"{matrix[(actual, p)]:>6}" for p in Severity)
            )
        if misses:
            lines += ["", "misses:"] + [
                f"  {e.severity.value}→{s.value} {e.category.value}→{c.value}  {e.text}"
                for e, s, c in self.pairs
                if e.severity is not s or e.category is not c
            ]
        return "\n".join(lines)


def _intake(i: int, text: str) -> ComplaintIntake:
    return ComplaintIntake.model_validate(
        {
            "complaint_id": f"E-{i}",
            "customer": {"anonymous": True},
            "channel": "app_form",
            "receiver": "eval",
            "subject": "投诉",
            "description": text,
        }
    )


def evaluate(
    examples: list[Example],
    policy: GradingPolicy,
    grader: LearnedGrader | None = None,
    engine: str = "hybrid",
) -> Report:
    """Grade each example as the worker would (`hybrid` with a grader, else the rules), or with
    the head alone (`model`)."""
    pairs, triaged = [], []
    vectors = grader.encoder.embed([e.text for e in examples]) if grader and examples else None
    for i, example in enumerate(examples):
        intake = _intake(i, example.text)
        view = grader.view(vectors[i]) if grader and vectors is not None else None
        if engine == "model" and view and policy.model:
            pairs.append((example, view.level, view.topic))
            triaged.append(view.confidence < policy.model.triage_below)
            continue
        result = grade(intake, policy, view=view if engine != "rules" else None)
        pairs.append((example, result.severity, result.category))
        triaged.append(result.needs_triage)
    return Report(pairs, triaged)


def cross_validate(
    examples: list[Example], policy: GradingPolicy, encoder: Encoder, folds: int, seed: int = 0
) -> Report:
    """Train a head on k-1 folds, grade the k-th with the hybrid, k times; one report for all."""
    order = np.random.default_rng(seed).permutation(len(examples))
    vectors = encoder.embed([e.text for e in examples]).astype(np.float64)
    pairs: list[tuple[Example, Severity, Category]] = []
    triaged: list[bool] = []
    for fold in np.array_split(order, folds):
        rest = [int(i) for i in np.setdiff1d(order, fold)]
        part = [examples[i] for i in rest]
        head = train_head(vectors[rest], part, encoder.name, part, Training(seed=seed), {})
        report = evaluate([examples[int(i)] for i in fold], policy, LearnedGrader(encoder, head))
        pairs += report.pairs
        triaged += report.triaged
    return Report(pairs, triaged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled", nargs="?", type=Path, default=LABELLED)
    parser.add_argument("--policy", type=Path)
    parser.add_argument("--engine", choices=["hybrid", "model", "rules"], default="hybrid")
    parser.add_argument("--head", help="a file in grading/heads/ instead of the policy's")
    parser.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validation on the sets")
    parser.add_argument("--misses", action="store_true", help="list every wrong prediction")
    args = parser.parse_args()
    policy = load_grading_policy(args.policy)
    if args.head and policy.model:
        policy = policy.model_copy(
            update={"model": policy.model.model_copy(update={"head": args.head})}
        )
    if args.cv:
        encoder = load_encoder()
        if encoder is None or policy.model is None:
            raise SystemExit("cross-validation needs the sentence encoder and a model section")
        examples = [e for path in TRAINING for e in load_examples(path)]
        print(f"rules {policy.version}; {args.cv}-fold cross-validation, {encoder.name}")
        print(cross_validate(examples, policy, encoder, args.cv).text(misses=args.misses))
        return
    grader = load_grader(policy) if args.engine != "rules" else None
    engine = args.engine if grader else "rules"
    head = f"; {grader.engine.encoder}, {grader.engine.head}" if grader else ""
    print(f"rules {policy.version}; engine {engine}{head}")
    report = evaluate(load_examples(args.labelled), policy, grader, engine)
    print(report.text(misses=args.misses))


if __name__ == "__main__":
    main()
