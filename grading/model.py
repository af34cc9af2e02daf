"""The learned grader: an encoder and a trained head, loaded once per worker process.

    grader = load_grader(policy)          # None: no model in the policy, or no encoder installed
    view = grader.view(grader.embed(text))
    classification = grade(intake, policy, context, view)

`view` is all the engine sees of the model — probabilities, the nearest labelled complaints and
the versions — so the engine stays a pure function and a test can hand it any probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import structlog

from grading.encoder import Encoder, Vectors, load_encoder
from grading.head import CATEGORIES, LEVELS, Head, load_head
from schemas.classification import Category, Engine, Likeness, Severity
from schemas.grading import GradingPolicy

EXCERPT = 40  # characters of a labelled complaint quoted as evidence


@dataclass(frozen=True)
class ModelView:
    """What the model says about one complaint."""

    severity: dict[Severity, float]
    category: dict[Category, float]
    engine: Engine
    looks_like: list[Likeness] = field(default_factory=list)

    @property
    def level(self) -> Severity:
        return max(self.severity, key=lambda level: self.severity[level])

    @property
    def confidence(self) -> float:
        return self.severity[self.level]

    @property
    def topic(self) -> Category:
        return max(self.category, key=lambda c: self.category[c])


class LearnedGrader:
    def __init__(self, encoder: Encoder, head: Head, remember: bool = True) -> None:
        """`remember=False` skips embedding the head's labelled examples (no "looks like"
        evidence): for cross-validation, which trains a head per fold."""
        if head.encoder != encoder.name:
            raise ValueError(
                f"head {head.version} was trained on {head.encoder}, "
                f"but {encoder.name} is installed"
            )
        if head.severity.weights.shape[0] != encoder.dimensions:
            raise ValueError(
                f"head {head.version} expects {head.severity.weights.shape[0]} "
                f"dimensions, the encoder gives {encoder.dimensions}"
            )
        self.encoder = encoder
        self.head = head
        self.engine = Engine(encoder=encoder.name, head=head.version)
        texts = [e.text for e in head.examples] if remember else []
        self._memory = encoder.embed(texts) if texts else np.zeros((0, encoder.dimensions))

    def embed(self, text: str) -> Vectors:
        vector: Vectors = self.encoder.embed([text])[0]
        return vector

    def view(
        self, vector: Vectors, past: list[Likeness] | None = None, nearest: int = 3
    ) -> ModelView:
        x = np.asarray(vector, dtype=np.float64)[None, :]
        severity = self.head.severity.probabilities(x)[0]
        category = self.head.category.probabilities(x)[0]
        return ModelView(
            severity={lv: round(float(p), 3) for lv, p in zip(LEVELS, severity, strict=True)},
            category={c: round(float(p), 3) for c, p in zip(CATEGORIES, category, strict=True)},
            engine=self.engine,
            looks_like=[*self.nearest_labelled(vector, nearest), *(past or [])],
        )

    def nearest_labelled(self, vector: Vectors, count: int) -> list[Likeness]:
        if not len(self._memory):
            return []
        similarity = self._memory @ np.asarray(vector, dtype=self._memory.dtype)
        order = np.argsort(-similarity, kind="stable")[:count]
        return [
            Likeness(
                source="labelled",
                excerpt=_excerpt(self.head.examples[i].text),
                severity=self.head.examples[i].severity,
                category=self.head.examples[i].category.current,
                similarity=round(float(similarity[i]), 3),
            )
            for i in order
        ]


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


_loaded: dict[str, LearnedGrader | None] = {}


def shared_grader(policy: GradingPolicy) -> LearnedGrader | None:
    """The policy's grader, loaded once per process (the encoder is ~160 MB resident)."""
    key = policy.model.head if policy.model else ""
    if key not in _loaded:
        _loaded[key] = load_grader(policy)
    return _loaded[key]


def load_grader(policy: GradingPolicy, encoder: Encoder | None = None) -> LearnedGrader | None:
    """The grader the policy adopts, checked now (a head that does not fit the installed encoder
    stops the worker at start); None when the policy names no head or no encoder is installed."""
    if policy.model is None:
        return None
    encoder = encoder or load_encoder()
    if encoder is None:
        return None
    grader = LearnedGrader(encoder, load_head(policy.model.head))
    structlog.get_logger("complaint_desk.grading").info(
        "learned grader loaded", encoder=grader.engine.encoder, head=grader.engine.head
    )
    return grader
