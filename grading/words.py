"""Finding a policy's words in complaint text, in Chinese and English, minding negation.

Chinese words match as substrings; English words match whole words only ("sue" is not in
"issue", "media" is not in "immediately"), or as a prefix when they end in * ("injur*": injured,
injury, injuries). A hit is dropped when a negation stands shortly before
it in the same clause: "没有受伤", "nobody was not injured" is rare, "I was not injured" is not.
Traditional script is read as Simplified, character for character (grading/traditional.py): the
lists are written once, in Simplified, and "帳戶被轉走" is found by 转走.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from grading.traditional import PAIRS

_CLAUSE_END = re.compile(r"[。！？；，：,.!?;:\n]")
_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?:\s|$)")
_ENGLISH_WINDOW = 24  # characters: about three words
_SIMPLIFIED = str.maketrans(PAIRS[0::2], PAIRS[1::2])


def simplified(text: str) -> str:
    """The text with each Traditional character written in its Simplified form."""
    return text.translate(_SIMPLIFIED)


@lru_cache(maxsize=4096)
def _pattern(word: str) -> re.Pattern[str]:
    if word.isascii():
        stem = word.strip()
        if stem.endswith("*"):
            return re.compile(rf"(?<![a-z]){re.escape(stem[:-1])}")
        return re.compile(rf"(?<![a-z]){re.escape(stem)}(?![a-z])")
    return re.compile(re.escape(simplified(word)))


def hits(text: str, words: Iterable[str], negations: Iterable[str], window: int) -> list[str]:
    """The words that occur in `text` (lower-cased) at least once without a negation before."""
    found = []
    for word in words:
        for match in _pattern(word.lower()).finditer(text):
            if not _negated(text, match.start(), negations, window):
                found.append(word)
                break
    return found


def supposed(
    text: str, words: Iterable[str], markers: Iterable[str], negations: Iterable[str], window: int
) -> list[str]:
    """The words of `hits` that occur only after a hypothetical marker in the same sentence
    ("如果插座漏电怎么办", "what if it catches fire"): supposed, not said to have happened."""
    markers = list(markers)
    found = []
    for word in words:
        spans = [
            m.start()
            for m in _pattern(word.lower()).finditer(text)
            if not _negated(text, m.start(), negations, window)
        ]
        if spans and all(_after_marker(text, at, markers) for at in spans):
            found.append(word)
    return found


def _after_marker(text: str, at: int, markers: list[str]) -> bool:
    sentence = _SENTENCE_END.split(text[:at])[-1]
    return any(_pattern(marker.lower()).search(sentence) for marker in markers)


def _negated(text: str, at: int, negations: Iterable[str], window: int) -> bool:
    """An English negation within about three words before, or a Chinese one within `window`
    characters, in the same clause. Both count before any word: an ASCII word in Chinese text
    ("不想闹到12315") and a Chinese word in mixed text are negated too."""

    def clause(width: int) -> str:
        # a negation in an earlier clause does not count
        return _CLAUSE_END.split(text[max(0, at - width) : at])[-1]

    english_clause = f" {clause(_ENGLISH_WINDOW)}"
    chinese_clause = clause(window)
    return any(n in english_clause if n.isascii() else n in chinese_clause for n in negations)
