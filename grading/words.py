"""Finding a policy's words in complaint text, in Chinese and English, minding negation.

Chinese words match as substrings; English words match whole words only ("sue" is not in
"issue", "media" is not in "immediately"). A hit is dropped when a negation stands shortly before
it in the same clause: "没有受伤", "nobody was not injured" is rare, "I was not injured" is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_CLAUSE_END = re.compile(r"[。！？；，,.!?;\n]")
_ENGLISH_WINDOW = 24  # characters: about three words


@lru_cache(maxsize=4096)
def _pattern(word: str) -> re.Pattern[str]:
    if word.isascii():
        return re.compile(rf"(?<![a-z]){re.escape(word.strip())}(?![a-z])")
    return re.compile(re.escape(word))


def hits(text: str, words: Iterable[str], negations: Iterable[str], window: int) -> list[str]:
    """The words that occur in `text` (lower-cased) at least once without a negation before."""
    found = []
    for word in words:
        for match in _pattern(word.lower()).finditer(text):
            if not _negated(text, match.start(), word.isascii(), negations, window):
                found.append(word)
                break
    return found


def _negated(text: str, at: int, english: bool, negations: Iterable[str], window: int) -> bool:
    before = text[max(0, at - (_ENGLISH_WINDOW if english else window)) : at]
    clause = _CLAUSE_END.split(before)[-1]  # a negation in an earlier clause does not count
    if english:
        clause = f" {clause}"
        return any(n in clause for n in negations if n.isascii())
    return any(n in clause for n in negations if not n.isascii())
