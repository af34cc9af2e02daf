"""The grade in one sentence a supervisor reads, in their language.

    sentence(classification, "en")  # "L1 urgent: mentions harm to someone's safety or health (被电到); the model says L1 (0.90)."

Classification records its sentence as phrases (`Classification.summary`: catalogue keys
`grade.*` and their parameters), never as text, so each reader gets it in their language; the
reasons stay the details behind it. A phrase's `signal` parameter names a signal's noun phrase
(`grade.signal.<name>`), rendered with the phrase's other parameters.
"""

from __future__ import annotations

from catalogue import render
from schemas.classification import Classification, Phrase


def sentence(classification: Classification, lang: str) -> str:
    """The grade and why, e.g. "L2 general: a fault or service failure (leaking); the model says
    L2 (0.88)."; a grade recorded before round 4 (no summary) says its level and triage only."""
    parts = [phrase_text(p, lang) for p in classification.summary]
    if classification.needs_triage:
        parts.append(render("grade.triage", lang))
    return render(
        "grade.sentence",
        lang,
        {
            "level": render(f"grade.level.{classification.severity.value}", lang),
            "reasons": render("grade.separator", lang).join(parts),
        },
    )


def phrase_text(phrase: Phrase, lang: str) -> str:
    params = dict(phrase.params)
    if "words" in params:
        params["words"] = render("grade.list_separator", lang).join(
            str(params["words"]).split(", ")
        )
    signal = params.pop("signal", None)
    if signal is not None:
        params["signal"] = render(f"grade.signal.{signal}", lang, params)
    return render(phrase.key, lang, params)
