"""The head's second expert, over hashed character n-grams (round 7, docs/grading.md): the same
buckets in every process, trained in the rows' space as it would be over the buckets, saved and
read back to the same grades, and a head from before it keeps its bytes and its name."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest

from grading.grams import Grams, buckets_of
from grading.head import (
    HEADS,
    GramTraining,
    Training,
    _fit_rows,
    _softmax,
    load_head,
    parse_head,
    train,
)
from grading.labelled import SETS, load_examples


def test_a_complaints_buckets_are_the_same_in_every_process() -> None:
    """CRC-32, not Python's salted `hash`: a head trained in one process grades in another."""
    found = buckets_of("气死了!!", 2**15, (1, 2, 3))
    grams = {"气", "死", "了", "!", "气死", "死了", "了!", "!!", "气死了", "死了!", "了!!"}
    assert found.tolist() == sorted({zlib.crc32(g.encode()) % 2**15 for g in grams})


def test_traditional_script_and_case_and_spacing_do_not_change_the_buckets() -> None:
    assert (
        buckets_of("觸電了，還沒退款", 4096).tolist()
        == buckets_of("触电了，还没退款", 4096).tolist()
    )
    assert (
        buckets_of("The  KETTLE\nleaks", 4096).tolist()
        == buckets_of("the kettle leaks", 4096).tolist()
    )


def test_the_kernel_is_every_pair_of_rows_dot_product() -> None:
    texts = ["气死了！！！垃圾", "我腰扭了，现在下不了床", "The kettle LEAKS", "", "帳戶被轉走"]
    grams = Grams(texts, 2**12, (1, 2, 3))
    dense = np.zeros((len(texts), 2**12))
    for i, row in enumerate(grams.rows):
        dense[i, row] = grams.value(i)
    assert np.allclose(grams.kernel(chunk=7), dense @ dense.T, atol=1e-12)
    alpha = np.arange(15, dtype=np.float64).reshape(5, 3)
    assert np.allclose(grams.transposed_times(alpha, list(range(5))), dense.T @ alpha)


def test_descent_in_the_rows_space_is_descent_over_the_buckets() -> None:
    """The expert is fitted on the n x n kernel; the same steps on the centred n x buckets
    features give the same logits, so the saved weights (Xᵀβ) are that model's."""
    examples = load_examples(SETS / "holdout2.jsonl")[:24]
    y = np.array([["L1", "L2", "L3"].index(e.severity.value) for e in examples])
    grams = Grams([e.text for e in examples], 2**12, (1, 2, 3))
    kernel = grams.kernel()
    settings = GramTraining(iterations=40, l2=1e-3)
    beta, bias = _fit_rows(kernel, y, 3, settings, (2.0, 1.0, 1.0))
    dense = np.zeros((len(examples), 2**12))
    for i, row in enumerate(grams.rows):
        dense[i, row] = grams.value(i)
    ours = dense @ grams.transposed_times(beta, list(range(len(examples)))) + bias

    centred = dense - dense.mean(axis=0)
    v = np.cos(np.arange(len(y), dtype=np.float64))
    for _ in range(50):
        w = (centred @ centred.T) @ v
        v = w / np.linalg.norm(w)
    step = len(y) / np.linalg.norm(w)
    weights, offset = np.zeros((2**12, 3)), np.zeros(3)
    sample = np.array([2.0, 1.0, 1.0])[y][:, None]
    sample = sample / sample.mean()
    for _ in range(40):
        error = sample * (_softmax(centred @ weights + offset) - np.eye(3)[y]) / len(y)
        weights -= step * (centred.T @ error + 1e-3 * weights)
        offset -= step * error.sum(axis=0)
    assert np.allclose(ours, centred @ weights + offset, atol=1e-9)


def test_a_head_with_grams_reads_back_to_the_same_probabilities() -> None:
    examples = load_examples(SETS / "holdout2.jsonl")
    texts = [e.text for e in examples]
    x = np.random.default_rng(0).normal(size=(len(examples), 8))
    short = Training(iterations=50)
    head = train(x, examples, "enc", examples, short, {}, GramTraining(iterations=50))
    again = parse_head(head.to_json(), head.version)
    assert again.to_json() == head.to_json() and again.grams is not None
    for layer in ("severity", "category"):
        ours = head.probabilities(layer, x, texts)
        assert np.allclose(ours.sum(axis=1), 1)
        assert np.array_equal(again.probabilities(layer, x, texts), ours)
    alone = train(x, examples, "enc", examples, short, {})
    assert alone.grams is None and alone.version != head.version


@pytest.mark.parametrize("path", sorted(HEADS.glob("head-*.json")), ids=lambda p: p.stem)
def test_every_committed_head_reads_back_to_its_own_bytes(path: Path) -> None:
    """A head from before round 7 has no n-gram expert and keeps its bytes, hence its name."""
    assert load_head(path.name).to_json() == path.read_text(encoding="utf-8")
