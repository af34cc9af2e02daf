"""A complaint's characters as hashed n-grams: the lexical features of the head's second expert.

Character n-grams are the classic strong baseline for short Chinese text, and they see what a
sentence embedding averages away: the exact harm word, the 不 before it, three "!" in a row.
Each n-gram (n = 1…3 by default) of the lower-cased text, read as Simplified
(grading/words.py) with its runs of white space made one space, is hashed with CRC-32 — the
same bucket on every machine and in every process, unlike Python's salted `hash` — into one of
`buckets` columns; a complaint is the set of its buckets, scaled to unit length so that a long
complaint does not outweigh a short one.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from grading.words import simplified

Index = npt.NDArray[np.int64]
Matrix = npt.NDArray[np.float64]


def buckets_of(text: str, buckets: int, orders: Sequence[int] = (1, 2, 3)) -> Index:
    """The sorted, distinct buckets of the text's character n-grams."""
    plain = " ".join(simplified(text.lower()).split())
    grams = {plain[i : i + n] for n in orders for i in range(len(plain) - n + 1)}
    found = {zlib.crc32(gram.encode("utf-8")) % buckets for gram in grams}
    return np.array(sorted(found), dtype=np.int64)


class Grams:
    """Many complaints' n-gram rows (each of unit length), kept sparse: ~300 buckets a row out
    of tens of thousands."""

    def __init__(self, texts: Sequence[str], buckets: int, orders: Sequence[int]) -> None:
        self.buckets = buckets
        self.rows = [buckets_of(t, buckets, orders) for t in texts]

    def __len__(self) -> int:
        return len(self.rows)

    def kernel(self, chunk: int = 2048) -> Matrix:
        """Every pair of rows' dot product (n x n). Training runs on it (head.py): with n in
        the thousands it is far smaller than the n x buckets matrix, and a fold's is its
        sub-matrix. A bucket only one row holds adds to the diagonal alone (1: unit rows), so
        the product runs over the shared buckets, `chunk` columns at a time."""
        n = len(self.rows)
        counts = np.bincount(np.concatenate([*self.rows, np.zeros(0, np.int64)]), minlength=1)
        shared = np.flatnonzero(counts > 1)
        kernel: Matrix = np.zeros((n, n))
        for start in range(0, len(shared), chunk):
            columns = shared[start : start + chunk]
            dense = np.zeros((n, len(columns)))
            for i, row in enumerate(self.rows):
                at = np.searchsorted(columns, row)
                kept = (at < len(columns)) & (columns[np.minimum(at, len(columns) - 1)] == row)
                dense[i, at[kept]] = self.value(i)
            kernel += dense @ dense.T
        np.fill_diagonal(kernel, [1.0 if len(row) else 0.0 for row in self.rows])
        return kernel

    def value(self, i: int) -> float:
        """What each of row i's buckets holds: the row is of unit length."""
        return 1.0 / float(np.sqrt(len(self.rows[i]))) if len(self.rows[i]) else 0.0

    def transposed_times(self, alpha: Matrix, rows: Sequence[int]) -> Matrix:
        """Xᵀ·alpha over the given rows: the weights (buckets x classes) a model fitted in the
        rows' space has in the buckets' space."""
        index = np.concatenate([self.rows[i] for i in rows])
        values = np.concatenate([np.full(len(self.rows[i]), self.value(i)) for i in rows])
        owner = np.concatenate([np.full(len(self.rows[i]), j) for j, i in enumerate(rows)])
        return np.stack(
            [
                np.bincount(index, weights=values * alpha[owner, c], minlength=self.buckets)
                for c in range(alpha.shape[1])
            ],
            axis=1,
        )
