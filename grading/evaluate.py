"""Evaluate grading against a labelled set: precision and recall per severity, overall accuracy,
a confusion matrix, category accuracy, triage volume and the L1 cases left unguarded.

    python -m grading.evaluate [FILE] [--engine hybrid|model|rules] [--policy FILE] [--misses]
    python -m grading.evaluate --cv 5 [--repeats 5] [--cache var/grading-cv] [--no-grams]
                                              # stratified k-fold CV of fresh heads

With `--cache`, each text's embedding and each fold's head are kept on disk (keyed by the encoder,
the training rows and settings): the encoder is fixed and only the head is trained per fold, so a
second run that changes only the rules or the thresholds costs seconds, and one that changes some
labels retrains the heads but embeds nothing.

`hybrid` (the default) is what the worker runs: rules floors plus the policy's trained head;
`model` is the head alone; `rules` the keyword engine alone.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from grading.encoder import Encoder, Vectors, load_encoder, spec_of
from grading.engine import grade
from grading.grams import Grams
from grading.head import (
    GRAMS,
    GramTraining,
    Head,
    Lexical,
    Training,
    load_head,
    parse_lexical,
    train_grams,
    with_grams,
)
from grading.head import train as train_head
from grading.labelled import LABELLED, TRAINING, Example, as_intake, load_examples
from grading.model import LearnedGrader, load_grader
from grading.policy import load_grading_policy
from schemas.classification import Category, Severity
from schemas.grading import GradingPolicy

__all__ = [
    "Example",
    "Report",
    "cross_validate",
    "evaluate",
    "language_of",
    "load_examples",
    "mean_text",
    "stratified_folds",
]


# Characters only Traditional Chinese writes (their Simplified forms differ): enough to tell a
# complaint in zh-Hant from one in zh.
_TRADITIONAL = set(
    "們這個貨錢還說過會時電問題麼買賣對與為點裡後見樣開關門東車機號話讓給沒經費務當發體們應"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_ENGLISH_WORD = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z]{2,}(?![A-Za-z0-9-])")
LANGUAGES = ("zh", "zh-Hant", "en", "mixed")


def language_of(text: str) -> str:
    """zh, zh-Hant, en or mixed (Chinese with at least three English words), for figures per
    language."""
    if not _CJK.search(text):
        return "en"
    if len(_ENGLISH_WORD.findall(text)) >= 3:
        return "mixed"
    return "zh-Hant" if _TRADITIONAL & set(text) else "zh"


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

    def of_language(self, language: str) -> Report:
        keep = [i for i, (e, _, _) in enumerate(self.pairs) if language_of(e.text) == language]
        return Report([self.pairs[i] for i in keep], [self.triaged[i] for i in keep])

    def by_language(self) -> str:
        """Accuracy, L1 recall, triage and unguarded L1s for each language present."""
        lines = ["language   n  severity  L1 recall  triage  L1 unguarded"]
        for language in LANGUAGES:
            part = self.of_language(language)
            if part.pairs:
                lines.append(
                    f"{language:<8} {len(part.pairs):>4}  {part.accuracy:>8.3f}  "
                    f"{part.recall(Severity.L1):>9.3f}  {sum(part.triaged) / len(part.pairs):>6.1%}"
                    f"  {len(part.l1_unguarded):>4}"
                )
        return "\n".join(lines)

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
        lines += ["", self.by_language()]
        if misses:
            lines += ["", "misses:"] + [
                f"  {e.severity.value}→{s.value} {e.category.value}→{c.value}  {e.text}"
                for e, s, c in self.pairs
                if e.severity is not s or e.category is not c
            ]
        return "\n".join(lines)


def evaluate(
    examples: list[Example],
    policy: GradingPolicy,
    grader: LearnedGrader | None = None,
    engine: str = "hybrid",
    vectors: Vectors | npt.NDArray[np.float64] | None = None,
) -> Report:
    """Grade each example as the worker would (`hybrid` with a grader, else the rules), or with
    the head alone (`model`); `vectors`, when given, are the examples' embeddings."""
    pairs, triaged = [], []
    if grader and examples and vectors is None:
        vectors = grader.encoder.embed([e.text for e in examples])
    for i, example in enumerate(examples):
        intake = as_intake(example.text, f"E-{i}")
        view = (
            grader.view(vectors[i], text=example.text) if grader and vectors is not None else None
        )
        if engine == "model" and view and policy.model:
            pairs.append((example, view.level, view.topic))
            triaged.append(view.confidence < policy.model.triage_below)
            continue
        result = grade(intake, policy, view=view if engine != "rules" else None)
        pairs.append((example, result.severity, result.category))
        triaged.append(result.needs_triage)
    return Report(pairs, triaged)


def stratified_folds(levels: list[Severity], folds: int, seed: int) -> list[list[int]]:
    """K folds with each severity in proportion: every level's examples shuffled with the seed
    and dealt round-robin, one level after another."""
    rng = np.random.default_rng(seed)
    out: list[list[int]] = [[] for _ in range(folds)]
    start = 0
    for level in Severity:
        members = [i for i, lv in enumerate(levels) if lv is level]
        for j, i in enumerate(rng.permutation(members) if members else []):
            out[(start + j) % folds].append(int(i))
        start += len(members)
    return [sorted(f) for f in out]


def cross_validate(
    examples: list[Example],
    policy: GradingPolicy,
    encoder: Encoder,
    folds: int,
    seed: int = 0,
    repeats: int = 1,
    training: Training | None = None,
    cache: Path | None = None,
    grams: GramTraining | None = GRAMS,
) -> list[Report]:
    """Repeated stratified k-fold: train a head on k-1 folds, grade the k-th with the hybrid,
    k times; one report per repeat (the folds of repeat r drawn with seed + r). Each fold's
    head has the n-gram expert unless `grams` is None, as `python -m grading.train` trains it.
    With `cache`, the embeddings and fold heads are read from and written to that folder."""
    vectors = embed_cached(encoder, [e.text for e in examples], cache).astype(np.float64)
    settings = training or Training(seed=seed)
    rows = Grams([e.text for e in examples], grams.buckets, grams.orders) if grams else None
    with threadpool_limits(limits=1):
        kernel = rows.kernel() if rows else None  # all rows' dot products; a fold's is a part
    reports = []
    for r in range(repeats):
        graded: dict[int, tuple[tuple[Example, Severity, Category], bool]] = {}
        for fold in stratified_folds([e.severity for e in examples], folds, seed + r):
            rest = [i for i in range(len(examples)) if i not in set(fold)]
            part = [examples[i] for i in rest]
            head = _fold_head(vectors[rest], part, encoder.name, settings, cache)
            if grams and rows and kernel is not None:
                lexical = _fold_grams(rows, kernel, rest, part, settings, grams, cache)
                head = with_grams(head, lexical)
            grader = LearnedGrader(encoder, head, remember=False)
            report = evaluate([examples[i] for i in fold], policy, grader, vectors=vectors[fold])
            for i, pair, triaged in zip(fold, report.pairs, report.triaged, strict=True):
                graded[i] = (pair, triaged)
        order = range(len(examples))
        reports.append(Report([graded[i][0] for i in order], [graded[i][1] for i in order]))
    return reports


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def embed_cached(encoder: Encoder, texts: list[str], cache: Path | None) -> Vectors:
    """The texts' embeddings, those already in `cache` read from it (one file per encoder)."""
    if cache is None:
        return encoder.embed(texts)
    path = cache / f"embeddings-{_digest(encoder.name)}.npz"
    known: dict[str, Vectors] = {}
    if path.exists():
        with np.load(path) as stored:
            known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    keys = [_digest(t) for t in texts]
    missing = sorted({(k, t) for k, t in zip(keys, texts, strict=True) if k not in known})
    if missing:
        fresh = encoder.embed([t for _, t in missing])
        known.update(zip([k for k, _ in missing], fresh, strict=True))
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(path, keys=np.array(list(known)), vectors=np.array(list(known.values())))
    return np.array([known[k] for k in keys], dtype=np.float32)


def _fold_head(
    x: npt.NDArray[np.float64],
    part: list[Example],
    encoder: str,
    settings: Training,
    cache: Path | None,
) -> Head:
    """A fold's head, trained once for these rows, labels and settings when cached."""
    name = "fold-" + _digest(
        encoder,
        repr(settings),
        *(f"{e.text}\t{e.severity.value}\t{e.category.value}" for e in part),
    )
    if cache is not None and (cache / name).exists():
        return load_head(name, cache)
    with threadpool_limits(limits=1):  # as grading.train: threads fight on a busy machine
        head = train_head(x, part, encoder, part, settings, {})
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / name).write_text(head.to_json(), encoding="utf-8")
    return head


def _fold_grams(
    rows: Grams,
    kernel: npt.NDArray[np.float64],
    rest: list[int],
    part: list[Example],
    settings: Training,
    grams: GramTraining,
    cache: Path | None,
) -> Lexical:
    """A fold's n-gram expert, kept apart from its embedding layers (whose cache names, and
    so the fold heads of earlier rounds, stay as they were). Its share of the pooled grade
    plays no part in training, so a cached one serves every share."""
    name = "grams-" + _digest(
        repr(settings),
        repr(replace(grams, share=0.0)),
        *(f"{e.text}\t{e.severity.value}\t{e.category.value}" for e in part),
    )
    if cache is not None and (cache / name).exists():
        stored = parse_lexical((cache / name).read_text(encoding="utf-8"), name)
        return replace(stored, share=grams.share)
    with threadpool_limits(limits=1):
        lexical = train_grams(rows, kernel, rest, part, settings, grams)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / name).write_text(lexical.to_json(), encoding="utf-8")
    return lexical


def mean_text(reports: list[Report]) -> str:
    """The figures of repeated cross-validation: mean ± standard deviation over the repeats."""

    def row(name: str, values: list[float], percent: bool = False) -> str:
        m, sd = float(np.mean(values)), float(np.std(values))
        return (
            f"{name:<34} {m * 100:.1f}% ± {sd * 100:.1f}"
            if percent
            else (f"{name:<34} {m:.3f} ± {sd:.3f}")
        )

    n = len(reports[0].pairs)
    l1 = sum(e.severity is Severity.L1 for e, _, _ in reports[0].pairs)
    return "\n".join(
        [
            f"mean over {len(reports)} repeats ({n} complaints each)",
            row("severity accuracy", [r.accuracy for r in reports]),
            row("L1 recall", [r.recall(Severity.L1) for r in reports]),
            row("L1 precision", [r.precision(Severity.L1) for r in reports]),
            row("category accuracy", [r.category_accuracy for r in reports]),
            row("sent to triage", [sum(r.triaged) / n for r in reports], percent=True),
            f"{'L1 neither graded L1 nor triaged':<34} "
            f"{np.mean([len(r.l1_unguarded) for r in reports]):.1f} of {l1} "
            f"(per repeat: {', '.join(str(len(r.l1_unguarded)) for r in reports)})",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled", nargs="?", type=Path, default=LABELLED)
    parser.add_argument("--policy", type=Path)
    parser.add_argument("--engine", choices=["hybrid", "model", "rules"], default="hybrid")
    parser.add_argument("--head", help="a file in grading/heads/ instead of the policy's")
    parser.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validation on the sets")
    parser.add_argument(
        "--repeats", type=int, default=1, metavar="R", help="repeat the K folds R times (--cv)"
    )
    parser.add_argument("--seed", type=int, default=0, help="the folds' seed (--cv)")
    parser.add_argument(
        "--encoder", help="use, e5 or use+e5 (--cv); default: the adopted head's encoder"
    )
    parser.add_argument("--misses", action="store_true", help="list every wrong prediction")
    parser.add_argument(
        "--cache", type=Path, help="keep embeddings and fold heads in this folder (--cv)"
    )
    parser.add_argument(
        "--no-grams",
        action="store_true",
        help="fold heads without the n-gram expert, as before round 7 (--cv)",
    )
    args = parser.parse_args()
    policy = load_grading_policy(args.policy)
    if args.head and policy.model:
        policy = policy.model_copy(
            update={"model": policy.model.model_copy(update={"head": args.head})}
        )
    if args.cv:
        spec = args.encoder or (
            spec_of(load_head(policy.model.head).encoder) if policy.model else "use"
        )
        encoder = load_encoder(spec)
        if encoder is None or policy.model is None:
            raise SystemExit("cross-validation needs the sentence encoder and a model section")
        examples = [e for path in TRAINING for e in load_examples(path)]
        print(
            f"rules {policy.version}; {args.cv}-fold stratified cross-validation"
            f"{f', repeated {args.repeats} times' if args.repeats > 1 else ''}, {encoder.name}"
        )
        reports = cross_validate(
            examples,
            policy,
            encoder,
            args.cv,
            seed=args.seed,
            repeats=args.repeats,
            cache=args.cache,
            grams=None if args.no_grams else GRAMS,
        )
        pooled = Report(
            [p for r in reports for p in r.pairs], [t for r in reports for t in r.triaged]
        )
        print(pooled.text(misses=args.misses))
        if args.repeats > 1:
            print("\n" + mean_text(reports))
        return
    grader = load_grader(policy) if args.engine != "rules" else None
    engine = args.engine if grader else "rules"
    head = f"; {grader.engine.encoder}, {grader.engine.head}" if grader else ""
    print(f"rules {policy.version}; engine {engine}{head}")
    report = evaluate(load_examples(args.labelled), policy, grader, engine)
    print(report.text(misses=args.misses))


if __name__ == "__main__":
    main()
