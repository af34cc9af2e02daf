"""What a customer must never read, as a check over the texts of a page: internal codes, stage
codes and moves, agent ids, severity, the operators' English, raw ISO times, and a text in the
other language. Words a person wrote (the customer's, ours to them, the subject) are passed as
`as_written` and taken out first: they are shown as written, in whatever language they are."""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemas import Stage
from schemas.case import EntryKind

# Words of ours no page may show a customer (a stage code, an entry kind, grading, bookkeeping).
INTERNAL = [
    *(s.value for s in Stage),
    *(k.value for k in EntryKind if "_" in k.value),
    "→",
    "agent-",
    "sup-",
    "L1",
    "L2",
    "L3",
    "severity",
    "yuan",
    "compensation 2",
    "acknowledged to the customer",
    "None",
    "{",
    "}",
]
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\d{2}:\d{2}:\d{2}|[+-]\d{2}:\d{2}\b")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
# Latin a Chinese page may carry besides ids (C-1001): the language switch's own name.
LATIN_IN_ZH = {"English"}


def unfit(texts: Iterable[str], lang: str, as_written: Iterable[str] = ()) -> list[str]:
    """Every text here a customer reading `lang` should not read, with why (empty: all fit)."""
    whole = set(as_written)
    # Inside a sentence (a re-open request) only words long enough not to be letters of ours.
    written = sorted({w for w in whole if len(w) > 1}, key=len, reverse=True)
    found: list[str] = []
    for text in texts:
        if text in whole:
            continue
        rest = text
        for w in written:
            rest = rest.replace(w, " ")
        words = re.findall(r"[A-Za-z_]+", rest)
        for code in INTERNAL:
            hit = code in words if code.replace("_", "").isalpha() else code in rest
            if hit:
                found.append(f"internal {code!r} in {text!r}")
        if ISO_TIME.search(rest):
            found.append(f"raw time in {text!r}")
        if lang == "zh":
            latin = [w for w in LATIN_WORD.findall(_no_ids(rest)) if w not in LATIN_IN_ZH]
            if latin:
                found.append(f"English {latin} in Chinese {text!r}")
        elif CJK.search(rest.replace("中文", "")):
            found.append(f"Chinese in English {text!r}")
    return found


def _no_ids(text: str) -> str:
    return re.sub(r"\b[A-Z]+-[0-9a-z]+(-R\d+)?\b", " ", text)
