"""Evaluate the grading rules against a labelled set: precision and recall per severity, overall
accuracy, a confusion matrix, and category accuracy.

    python -m grading.evaluate [tests/grading/labelled.jsonl] [--policy policies/grading.json] [--misses]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from grading.engine import grade
from grading.policy import load_grading_policy
from schemas.classification import Category, Severity
from schemas.grading import GradingPolicy
from schemas.intake import ComplaintIntake

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "grading" / "labelled.jsonl"


@dataclass(frozen=True)
class Example:
    text: str
    severity: Severity
    category: Category


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
        return [e for (e, s, _), t in zip(self.pairs, self.triaged, strict=True)
                if e.severity is Severity.L1 and s is not Severity.L1 and not t]  # fmt: skip

    def confusion(self) -> Counter[tuple[Severity, Severity]]:
        return Counter((e.severity, s) for e, s, _ in self.pairs)

    def text(self, misses: bool = False) -> str:
        lines = [f"{len(self.pairs)} labelled complaints", "",
                 "level  precision  recall  support"]  # fmt: skip
        for level in Severity:
            support = sum(e.severity is level for e, _, _ in self.pairs)
            lines.append(f"{level.value:<6} {self.precision(level):>9.3f} "
                         f"{self.recall(level):>7.3f} {support:>8}")  # fmt: skip
        l1 = sum(e.severity is Severity.L1 for e, _, _ in self.pairs)
        lines += ["", f"severity accuracy  {self.accuracy:.3f}",
                  f"category accuracy  {self.category_accuracy:.3f}",
                  f"sent to triage     {sum(self.triaged)} of {len(self.pairs)}",
                  f"L1 neither graded L1 nor triaged: {len(self.l1_unguarded)} of {l1}", "",
                  "confusion (rows: labelled, columns: predicted)",
                  "        " + "".join(f"{p.value:>6}" for p in Severity)]  # fmt: skip
        matrix = self.confusion()
        for actual in Severity:
            lines.append(
                f"{actual.value:<8}" + "".join(f"{matrix[(actual, p)]:>6}" for p in Severity)
            )
        if misses:
            lines += ["", "misses:"] + [
                f"  {e.severity.value}→{s.value} {e.category.value}→{c.value}  {e.text}"
                for e, s, c in self.pairs if e.severity is not s or e.category is not c
            ]  # fmt: skip
        return "\n".join(lines)


def load_examples(path: Path = LABELLED) -> list[Example]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            examples.append(
                Example(row["text"], Severity(row["severity"]), Category(row["category"]))
            )
    return examples


def evaluate(examples: list[Example], policy: GradingPolicy) -> Report:
    pairs, triaged = [], []
    for i, example in enumerate(examples):
        intake = ComplaintIntake.model_validate({
            "complaint_id": f"E-{i}", "customer": {"anonymous": True}, "channel": "app_form",
            "receiver": "eval", "subject": "投诉", "description": example.text,
        })  # fmt: skip
        result = grade(intake, policy)
        pairs.append((example, result.severity, result.category))
        triaged.append(result.needs_triage)
    return Report(pairs, triaged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled", nargs="?", type=Path, default=LABELLED)
    parser.add_argument("--policy", type=Path)
    parser.add_argument("--misses", action="store_true", help="list every wrong prediction")
    args = parser.parse_args()
    policy = load_grading_policy(args.policy)
    print(f"rules {policy.version}")
    print(evaluate(load_examples(args.labelled), policy).text(misses=args.misses))


if __name__ == "__main__":
    main()
