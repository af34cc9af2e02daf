"""The trained head: multinomial logistic regression over sentence embeddings, in numpy.

Why not scikit-learn: the head is ~20 lines of arithmetic, and owning them buys three things a
library would make harder — full-batch gradient descent from zero weights has no randomness, so
the same data gives the same weights; the artifact is a small JSON file whose bytes follow from
the data and the seed alone (`python -m grading.train` twice → the same file on one machine;
on another processor, whose BLAS kernels round differently, the same grades and probabilities
within 1e-3, which a test checks);
and the worker needs no heavy dependency to load it.

Probabilities are calibrated by temperature scaling fitted on out-of-fold predictions (k-fold over
the training data, folds drawn with the seed), so "the model is unsure" means what it says.

Since round 7 a head may hold a second expert beside the embedding: the same regression over the
complaint's hashed character n-grams (grading/grams.py), calibrated the same way. The grade pools
the two calibrated experts' log-probabilities with fixed shares (a weighted geometric mean, so
the pooled probabilities stay about as calibrated as each expert's; docs/grading.md, "Round 7").
It is trained in the rows' space (on the n x n matrix of the rows' dot products: gradient
descent on W = Xᵀβ from zero is the same descent), which costs seconds where the n x 32768
features would cost minutes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from grading.grams import Grams, buckets_of
from grading.labelled import Example
from schemas.classification import Category, Severity

HEADS = Path(__file__).resolve().parent / "heads"
Matrix = npt.NDArray[np.float64]
CATEGORIES = [
    Category.PRODUCT,
    Category.SERVICE,
    Category.LOGISTICS,
    Category.BILLING,
    Category.OTHER,
]
LEVELS = list(Severity)


@dataclass(frozen=True)
class Training:
    l2: float = 1e-4
    iterations: int = 3000
    learning_rate: float = 2.0
    folds: int = 5
    seed: int = 0
    # The severity layer's class weights, L1 first: a missed L1 costs more than a false one
    # (L1 twice: CV L1 recall 0.971 → 0.988 for 0.943 → 0.940 accuracy, docs/grading.md).
    severity_weights: tuple[float, ...] = (2.0, 1.0, 1.0)


@dataclass(frozen=True)
class GramTraining:
    """The n-gram expert's settings (round 7, docs/grading.md): its features, its share of the
    pooled log-probabilities, and its descent. The calibration folds, their seed and the
    severity weights are the embedding layers' (`Training`)."""

    buckets: int = 2**15
    orders: tuple[int, ...] = (1, 2, 3)
    share: float = 0.3
    l2: float = 1e-4
    iterations: int = 1000


# What `python -m grading.train`, the nightly candidate and cross-validation train with.
GRAMS = GramTraining()


@dataclass(frozen=True)
class Softmax:
    """A linear layer and a temperature: probabilities = softmax((x·W + b) / T)."""

    weights: Matrix  # (dimensions, classes)
    bias: Matrix  # (classes,)
    temperature: float

    def probabilities(self, x: Matrix) -> Matrix:
        return _softmax((x @ self.weights + self.bias) / self.temperature)


def _softmax(z: Matrix) -> Matrix:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)  # type: ignore[no-any-return]


def _fit_linear(
    x: Matrix,
    y: npt.NDArray[np.int64],
    classes: int,
    s: Training,
    class_weights: tuple[float, ...] | None = None,
) -> Softmax:
    """Gradient descent on the L2-penalised (class-weighted) cross-entropy, on standardised
    features; the standardisation is folded back into the weights so the artifact holds one
    matrix."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0) * np.sqrt(x.shape[1]) + 1e-9
    z = (x - mean) / scale
    weights = np.zeros((x.shape[1], classes))
    bias = np.zeros(classes)
    target = np.eye(classes)[y]
    sample = np.asarray(class_weights or (1.0,) * classes, dtype=np.float64)[y][:, None]
    sample = sample / sample.mean()
    for _ in range(s.iterations):
        error = sample * (_softmax(z @ weights + bias) - target) / len(z)
        weights -= s.learning_rate * (z.T @ error + s.l2 * weights)
        bias -= s.learning_rate * error.sum(axis=0)
    folded = weights / scale[:, None]
    return Softmax(folded, bias - mean @ folded, 1.0)


def _temperature(logits: Matrix, y: npt.NDArray[np.int64]) -> float:
    """The temperature that minimises the negative log-likelihood of out-of-fold predictions."""
    grid = np.round(np.arange(0.5, 5.01, 0.05), 2)
    losses = [-np.log(_softmax(logits / t)[np.arange(len(y)), y] + 1e-12).mean() for t in grid]
    return float(grid[int(np.argmin(losses))])


def fit(
    x: Matrix,
    y: npt.NDArray[np.int64],
    classes: int,
    s: Training,
    class_weights: tuple[float, ...] | None = None,
) -> Softmax:
    order = np.random.default_rng(s.seed).permutation(len(y))
    logits = np.zeros((len(y), classes))
    for fold in np.array_split(order, s.folds):
        rest = np.setdiff1d(order, fold)
        part = _fit_linear(x[rest], y[rest], classes, s, class_weights)
        logits[fold] = x[fold] @ part.weights + part.bias
    full = _fit_linear(x, y, classes, s, class_weights)
    return Softmax(full.weights, full.bias, _temperature(logits, y))


def _fit_rows(
    kernel: Matrix,
    y: npt.NDArray[np.int64],
    classes: int,
    g: GramTraining,
    class_weights: tuple[float, ...] | None,
) -> tuple[Matrix, Matrix]:
    """Gradient descent on the L2-penalised (class-weighted) cross-entropy of centred features,
    in the rows' space: the weights are Xᵀβ, the training logits Kβ (less their mean) + bias.
    The step is set by the kernel's largest eigenvalue (power iteration from a fixed vector), so
    it is stable whatever the rows. Returns β and the bias of uncentred features."""
    n = len(y)
    centred = kernel - kernel.mean(axis=0) - kernel.mean(axis=1, keepdims=True) + kernel.mean()
    v = np.cos(np.arange(n, dtype=np.float64))
    largest = 1.0
    for _ in range(50):
        w = centred @ v
        largest = float(np.linalg.norm(w))
        v = w / max(largest, 1e-12)
    step = n / max(largest, 1e-12)
    beta = np.zeros((n, classes))
    bias = np.zeros(classes)
    target = np.eye(classes)[y]
    sample = np.asarray(class_weights or (1.0,) * classes, dtype=np.float64)[y][:, None]
    sample = sample / sample.mean()
    z = np.zeros((n, classes))
    for _ in range(g.iterations):
        z = kernel @ beta
        error = sample * (_softmax(z - z.mean(axis=0) + bias) - target) / n
        beta -= step * (error - error.mean(axis=0) + g.l2 * beta)
        bias -= step * error.sum(axis=0)
    z = kernel @ beta
    return beta, bias - z.mean(axis=0)


def fit_grams(
    grams: Grams,
    kernel: Matrix,
    rows: list[int],
    y: npt.NDArray[np.int64],
    classes: int,
    s: Training,
    g: GramTraining,
    class_weights: tuple[float, ...] | None = None,
) -> Softmax:
    """The n-gram layer for these rows of `grams` (kernel: all rows' dot products), its
    temperature fitted on out-of-fold predictions as `fit`'s is."""
    order = np.random.default_rng(s.seed).permutation(len(y))
    logits = np.zeros((len(y), classes))
    at = np.asarray(rows)
    for fold in np.array_split(order, s.folds):
        rest = np.setdiff1d(order, fold)
        beta, bias = _fit_rows(
            kernel[np.ix_(at[rest], at[rest])], y[rest], classes, g, class_weights
        )
        logits[fold] = kernel[np.ix_(at[fold], at[rest])] @ beta + bias
    beta, bias = _fit_rows(kernel[np.ix_(at, at)], y, classes, g, class_weights)
    return Softmax(grams.transposed_times(beta, rows), bias, _temperature(logits, y))


@dataclass(frozen=True)
class Lexical:
    """The n-gram expert: its features, its share of the pooled log-probabilities, and its
    two layers over the buckets (weights: buckets x classes)."""

    buckets: int
    orders: tuple[int, ...]
    share: float
    severity: Softmax
    category: Softmax

    def logits(self, layer: str, texts: Sequence[str]) -> Matrix:
        """Each text's calibrated logits (divided by the temperature) from `layer`."""
        part: Softmax = getattr(self, layer)
        out = np.zeros((len(texts), len(part.bias)))
        for i, text in enumerate(texts):
            row = buckets_of(text, self.buckets, self.orders)
            value = 1.0 / np.sqrt(len(row)) if len(row) else 0.0
            out[i] = value * part.weights[row].sum(axis=0) + part.bias
        return out / part.temperature

    def to_json(self) -> str:
        """The expert alone (cross-validation keeps each fold's apart from its embedding's)."""
        return _dumps(self.body())

    def body(self) -> dict[str, Any]:
        return {
            "buckets": self.buckets,
            "orders": list(self.orders),
            "share": self.share,
            "severity": _sparse_layer(self.severity, [lv.value for lv in LEVELS]),
            "category": _sparse_layer(self.category, [c.value for c in CATEGORIES]),
        }


@dataclass(frozen=True)
class Head:
    """A trained head as saved: the encoder it expects, the two layers, and the labelled
    examples it remembers for "looks like" evidence (texts from the repo's sets only)."""

    version: str
    encoder: str
    severity: Softmax
    category: Softmax
    examples: list[Example]
    trained_on: dict[str, Any]
    grams: Lexical | None = None

    def probabilities(self, layer: str, vectors: Matrix, texts: Sequence[str]) -> Matrix:
        """`layer`'s ("severity" or "category") probabilities for these embeddings and the
        texts they embed: the embedding's alone, or pooled with the n-gram expert's."""
        part: Softmax = getattr(self, layer)
        logits = (vectors @ part.weights + part.bias) / part.temperature
        if self.grams is not None:
            share = self.grams.share
            logits = (1 - share) * logits + share * self.grams.logits(layer, texts)
        return _softmax(logits)

    def to_json(self) -> str:
        return _dumps({"version": self.version, **self._body()})

    def _body(self) -> dict[str, Any]:
        body = {
            "encoder": self.encoder,
            "trained_on": self.trained_on,
            "severity": _layer(self.severity, [lv.value for lv in LEVELS]),
            "category": _layer(self.category, [c.value for c in CATEGORIES]),
            "examples": [[e.text, e.severity.value, e.category.value] for e in self.examples],
        }
        if self.grams is not None:  # a head without them keeps its bytes, and its name
            body["grams"] = self.grams.body()
        return body


def train(
    x: Matrix,
    examples: list[Example],
    encoder: str,
    memory: list[Example],
    s: Training,
    trained_on: dict[str, Any],
    g: GramTraining | None = None,
) -> Head:
    """A head for these examples' embeddings `x`; with `g`, the n-gram expert beside them."""
    head = _train_embedding(x, examples, encoder, memory, s, trained_on)
    if g is None:
        return head
    grams = Grams([e.text for e in examples], g.buckets, g.orders)
    every = list(range(len(examples)))
    return with_grams(head, train_grams(grams, grams.kernel(), every, examples, s, g))


def train_grams(
    grams: Grams,
    kernel: Matrix,
    rows: list[int],
    examples: list[Example],
    s: Training,
    g: GramTraining,
) -> Lexical:
    """The n-gram expert for `examples`, which are `rows` of `grams`."""
    severity = fit_grams(
        grams,
        kernel,
        rows,
        np.array([LEVELS.index(e.severity) for e in examples]),
        len(LEVELS),
        s,
        g,
        s.severity_weights,
    )
    category = fit_grams(
        grams,
        kernel,
        rows,
        np.array([CATEGORIES.index(e.category.current) for e in examples]),
        len(CATEGORIES),
        s,
        g,
    )
    return Lexical(g.buckets, g.orders, g.share, _rounded(severity), _rounded(category))


def with_grams(head: Head, grams: Lexical) -> Head:
    """`head` with the n-gram expert beside it, named anew by its content."""
    draft = replace(head, version="", grams=grams)
    digest = hashlib.sha256(_dumps(draft._body()).encode()).hexdigest()[:12]
    return replace(draft, version=f"head-{digest}")


def _train_embedding(
    x: Matrix,
    examples: list[Example],
    encoder: str,
    memory: list[Example],
    s: Training,
    trained_on: dict[str, Any],
) -> Head:
    severity = fit(
        x,
        np.array([LEVELS.index(e.severity) for e in examples]),
        len(LEVELS),
        s,
        s.severity_weights,
    )
    category = fit(
        x, np.array([CATEGORIES.index(e.category.current) for e in examples]), len(CATEGORIES), s
    )
    draft = Head("", encoder, _rounded(severity), _rounded(category), memory, trained_on)
    digest = hashlib.sha256(_dumps(draft._body()).encode()).hexdigest()[:12]
    return Head(f"head-{digest}", encoder, draft.severity, draft.category, memory, trained_on)


def _rounded(layer: Softmax) -> Softmax:
    """Six significant digits: the file stays small, its bytes stable, and the head in memory
    right after training is the head a worker loads."""
    weights = np.array([[_g(v) for v in row] for row in layer.weights], dtype=np.float64)
    return Softmax(weights, np.array([_g(v) for v in layer.bias]), layer.temperature)


def _layer(layer: Softmax, classes: list[str]) -> dict[str, Any]:
    return {
        "classes": classes,
        "temperature": layer.temperature,
        "bias": [_g(v) for v in layer.bias],
        "weights": [[_g(v) for v in row] for row in layer.weights],
    }


def _sparse_layer(layer: Softmax, classes: list[str]) -> dict[str, Any]:
    """A layer over the buckets as saved: only the buckets the training rows hold (the others
    are zero), each with its row of weights."""
    index = np.flatnonzero(np.abs(layer.weights).sum(axis=1))
    return {
        "classes": classes,
        "temperature": layer.temperature,
        "bias": [_g(v) for v in layer.bias],
        "index": index.tolist(),
        "weights": [[_g(v) for v in layer.weights[i]] for i in index],
    }


def _g(v: float) -> float:
    return float(f"{v:.6g}")


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def load_head(name: str, folder: Path = HEADS) -> Head:
    """Read and check a saved head; a malformed file is refused here, at worker start."""
    return parse_head((folder / name).read_text(encoding="utf-8"), name)


def parse_head(text: str, name: str) -> Head:
    """A head from its JSON: a file in grading/heads/, or one adopted in the case store."""
    data = json.loads(text)

    def layer(key: str, classes: list[str]) -> Softmax:
        part = data[key]
        if part["classes"] != classes:
            raise ValueError(f"{name}: {key} classes {part['classes']} are not {classes}")
        weights = np.array(part["weights"], dtype=np.float64)
        bias = np.array(part["bias"], dtype=np.float64)
        if weights.ndim != 2 or weights.shape[1] != len(classes) or bias.shape != (len(classes),):
            raise ValueError(f"{name}: {key} weights have the wrong shape")
        return Softmax(weights, bias, float(part["temperature"]))

    severity = layer("severity", [lv.value for lv in LEVELS])
    category = layer("category", [c.value for c in CATEGORIES])
    if severity.weights.shape[0] != category.weights.shape[0]:
        raise ValueError(f"{name}: the two layers expect different dimensions")
    examples = [Example(t, Severity(s), Category(c)) for t, s, c in data["examples"]]
    grams = _parse_grams(data["grams"], name) if "grams" in data else None
    return Head(
        data["version"], data["encoder"], severity, category, examples, data["trained_on"], grams
    )


def parse_lexical(text: str, name: str) -> Lexical:
    """An n-gram expert from `Lexical.to_json`."""
    return _parse_grams(json.loads(text), name)


def _parse_grams(data: dict[str, Any], name: str) -> Lexical:
    buckets = int(data["buckets"])
    share = float(data["share"])
    if buckets < 1 or not 0 <= share <= 1:
        raise ValueError(f"{name}: grams need buckets ≥ 1 and a share in [0, 1]")

    def layer(key: str, classes: list[str]) -> Softmax:
        part = data[key]
        if part["classes"] != classes:
            raise ValueError(f"{name}: grams {key} classes {part['classes']} are not {classes}")
        index = np.array(part["index"], dtype=np.int64)
        rows = np.array(part["weights"], dtype=np.float64).reshape(len(index), len(classes))
        if len(index) and (index.min() < 0 or index.max() >= buckets):
            raise ValueError(f"{name}: grams {key} name a bucket out of range")
        weights = np.zeros((buckets, len(classes)))
        weights[index] = rows
        bias = np.array(part["bias"], dtype=np.float64)
        if bias.shape != (len(classes),):
            raise ValueError(f"{name}: grams {key} bias has the wrong shape")
        return Softmax(weights, bias, float(part["temperature"]))

    return Lexical(
        buckets,
        tuple(int(n) for n in data["orders"]),
        share,
        layer("severity", [lv.value for lv in LEVELS]),
        layer("category", [c.value for c in CATEGORIES]),
    )
