"""`complaint-desk grading …`: the grader's candidate heads, for a supervisor to decide on
(docs/grading.md, "Learning with approval"). Through the desk's service; the heads are in the
case store (DATABASE_URL, or the local one), so no Temporal server is needed.

complaint-desk grading candidates            # the head in use, the newest heads, what was decided
complaint-desk grading show HEAD             # a candidate's report: before → after, cases that move
complaint-desk grading adopt HEAD --by sup-li
complaint-desk grading reject HEAD --by sup-li
complaint-desk grading rollback --by sup-li  # back to the head in use before the last adoption
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from case_store.grading_heads import Adoption, Overview, StoredHead
    from configuration import Settings


def add_parser(sub: Any) -> None:
    grading = sub.add_parser("grading", help="grading candidates: adopt, reject, roll back")
    what = grading.add_subparsers(dest="grading_command", required=True)
    what.add_parser("candidates", help="the head in use, the newest heads, what was decided")
    s = what.add_parser("show", help="a head's report: the frozen set before and after, moves")
    s.add_argument("head")
    for name, words in (("adopt", "grade every new complaint with it"), ("reject", "turn it down")):
        s = what.add_parser(name, help=words)
        s.add_argument("head")
        s.add_argument("--by", required=True, help="the supervisor deciding")
    s = what.add_parser("rollback", help="back to the head in use before the last adoption")
    s.add_argument("--by", required=True, help="the supervisor deciding")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from case_store.db import database_url, open_pool
    from desk import grading as desk_grading

    pool = await open_pool(database_url(settings), max_size=2)
    lang: str = args.lang
    try:
        command = args.grading_command
        if command == "candidates":
            print(overview_text(await desk_grading.overview(pool), lang))
        elif command == "show":
            print(head_text(await desk_grading.head(pool, args.head), lang))
        elif command == "adopt":
            print(adoption_text(await desk_grading.adopt(pool, args.head, args.by), lang))
        elif command == "reject":
            head = await desk_grading.reject(pool, args.head, args.by)
            print(_t("grading.rejected", lang, head=head.version))
        else:
            print(adoption_text(await desk_grading.roll_back(pool, args.by), lang))
    finally:
        await pool.close()
    return 0


def _t(key: str, lang: str, **params: str | int) -> str:
    from catalogue import render

    return render(key, lang, params)


def head_name(version: str | None, lang: str) -> str:
    from schemas.learning import head_words

    return head_words(version, lang)


def overview_text(found: Overview, lang: str) -> str:
    from schemas.learning import decision_words

    lines = [_t("grading.in_use", lang, head=head_name(found.in_use, lang))]
    if not found.heads:
        lines.append(_t("grading.no_candidates", lang))
    for head in found.heads:
        lines.append(
            _t(
                "grading.head_line",
                lang,
                head=head.version,
                status=_t(f"grading.status.{head.status.value}", lang),
                proposed_at=head.proposed_at.isoformat(),
            )
        )
    lines += [
        decision_words(a.version, a.previous, a.rollback, a.by, a.at, lang) for a in found.adoptions
    ]
    return "\n".join(lines)


def adoption_text(adoption: Adoption, lang: str) -> str:
    if adoption.rollback:
        return _t("grading.rolled_back", lang, head=head_name(adoption.previous, lang))
    return _t("grading.adopted", lang, head=head_name(adoption.version, lang))


def head_text(head: StoredHead, lang: str) -> str:
    status = _t(f"grading.status.{head.status.value}", lang)
    lines = [f"{head.version} · {status}"]
    if head.decided_by and head.decided_at:
        lines.append(
            _t("grading.decided", lang, by=head.decided_by, decided_at=head.decided_at.isoformat())
        )
    from schemas.learning import CandidateReport

    report = CandidateReport.model_validate(head.report)
    return "\n".join([*lines, *report.lines(lang, head.version, head.based_on)])
