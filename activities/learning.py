"""Training a candidate head on people's grades and saying what it would change
(docs/grading.md, "Learning with approval"), for the scheduled `ProposeGradingCandidate` run.

It runs on the complaint workers' task queue: the training and the grading of the frozen set
and the past cases run in a thread (one BLAS thread, `grading.train`), so the worker's event loop
keeps taking other activities and this one heartbeats meanwhile; a worker lost mid-way is noticed
within the heartbeat timeout and the run retried. Idempotent: the candidate is keyed by the
fingerprint of its inputs (the data, the settings, the encoder), so a retry, or a run with no new
grade since, trains nothing and stores nothing new, and a rejected candidate is not proposed
again from the same data.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import asyncpg
import numpy as np
from temporalio import activity

from activities.classification import HeadInUse
from case_store import grading_heads
from case_store.db import Pool
from case_store.labelled_examples import labelled_examples, latest
from grading.encoder import Vectors
from grading.engine import grade
from grading.evaluate import Report, evaluate
from grading.head import Training
from grading.labelled import SETS, TRAINING, Example, as_intake, load_examples
from grading.model import LearnedGrader
from grading.train import train_head, training_record
from schemas.classification import Category, Severity
from schemas.grading import GradingPolicy
from schemas.learning import CandidateReport, CandidateRun, CaseMove, Figures, Proposal

# Written before round 5 and scored once (docs/grading.md); never trained on
# (grading/labelled.py): the set a candidate and the head in use are both scored on.
FROZEN = SETS / "holdout8.jsonl"
HEARTBEAT_EVERY = 5.0  # seconds; the workflow's heartbeat timeout is a minute

T = TypeVar("T")


@dataclass(frozen=True)
class LearningSettings:
    """The worker's, never a start's: what a candidate is trained on and scored against. Tests
    train on one small set with fewer iterations (seconds, not minutes)."""

    files: list[Path] = field(default_factory=lambda: list(TRAINING))
    frozen: Path = FROZEN
    training: Training = field(default_factory=Training)
    past_cases: int = 500  # the most recent classified complaints graded with both heads
    moves_shown: int = 50


@dataclass(frozen=True)
class _Past:
    complaint_id: str
    text: str


async def _in_thread(work: Callable[[], T]) -> T:
    """`work` in a thread, heartbeating while it runs."""
    task = asyncio.ensure_future(asyncio.to_thread(work))
    while True:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_EVERY)
        if done:
            return task.result()
        activity.heartbeat()


class LearningActivities:
    def __init__(
        self,
        pool: Pool,
        policy: GradingPolicy,
        heads: HeadInUse,
        settings: LearningSettings | None = None,
    ) -> None:
        self._pool = pool
        self._policy = policy
        self._heads = heads
        self._settings = settings or LearningSettings()

    @activity.defn(name="propose_grading_candidate")
    async def propose_grading_candidate(self, run: CandidateRun) -> Proposal:
        s = self._settings
        async with self._pool.acquire() as connection:
            current = await self._heads.grader(connection)
            if current is None:
                return Proposal(why_not="no sentence encoder installed: the rules grade alone")
            extra = latest(await labelled_examples(connection))
            past = await _recent(connection, s.past_cases)
        if not extra:
            return Proposal(why_not="no confirmation or override in the store yet")
        fingerprint = _fingerprint(current, s, extra)
        async with self._pool.acquire() as connection:
            found = await grading_heads.by_fingerprint(connection, fingerprint)
        if found is not None:
            return Proposal(head=found.version)
        if fingerprint == _fingerprint_of_head(current):
            return Proposal(head=current.engine.head)  # the head in use learnt from these

        def work() -> tuple[LearnedGrader, CandidateReport]:
            head = train_head(current.encoder, s.files, extra, s.training.seed, s.training)
            candidate = current.with_head(head)
            return candidate, _report(self._policy, current, candidate, s, len(extra), past)

        candidate, report = await _in_thread(work)
        async with self._pool.acquire() as connection:
            stored = await grading_heads.propose(
                connection,
                candidate.head.version,
                candidate.head.encoder,
                candidate.head.to_json(),
                fingerprint,
                current.engine.head,
                report.model_dump(mode="json"),
                run.at,
            )
        activity.logger.info(
            "grading candidate proposed",
            extra={"head": stored.version, "moved": report.moved, "from_store": len(extra)},
        )
        return Proposal(head=stored.version, created=stored.version == candidate.head.version)


def _fingerprint(current: LearnedGrader, s: LearningSettings, extra: list[Example]) -> str:
    """What the candidate would be trained on and how: equal fingerprints, equal heads."""
    record = training_record(s.files, extra, s.training)
    return hashlib.sha256(
        json.dumps([current.encoder.name, record], sort_keys=True).encode()
    ).hexdigest()


def _fingerprint_of_head(current: LearnedGrader) -> str:
    return hashlib.sha256(
        json.dumps([current.encoder.name, current.head.trained_on], sort_keys=True).encode()
    ).hexdigest()


async def _recent(connection: asyncpg.Connection, limit: int) -> list[_Past]:
    rows = await connection.fetch(
        "SELECT complaint_id, text FROM complaint_texts ORDER BY classified_at DESC LIMIT $1",
        limit,
    )
    return [_Past(r["complaint_id"], r["text"]) for r in rows]


def _figures(report: Report, head: str) -> Figures:
    return Figures(
        head=head,
        accuracy=round(report.accuracy, 4),
        l1_recall=round(report.recall(Severity.L1), 4),
        triage=round(sum(report.triaged) / len(report.pairs), 4),
        l1_unguarded=len(report.l1_unguarded),
    )


def _report(
    policy: GradingPolicy,
    current: LearnedGrader,
    candidate: LearnedGrader,
    s: LearningSettings,
    from_store: int,
    past: list[_Past],
) -> CandidateReport:
    frozen = load_examples(s.frozen)
    vectors = current.encoder.embed([e.text for e in frozen])
    before = evaluate(frozen, policy, current, vectors=vectors)
    after = evaluate(frozen, policy, candidate, vectors=vectors)
    moves = _moves(policy, current, candidate, past)
    return CandidateReport(
        frozen_set=s.frozen.stem,
        frozen_examples=len(frozen),
        before=_figures(before, current.engine.head),
        after=_figures(after, candidate.engine.head),
        examples=int(candidate.head.trained_on["examples"]),
        from_store=from_store,
        past_cases=len(past),
        moved=len(moves),
        moves=moves[: s.moves_shown],
    )


def _moves(
    policy: GradingPolicy, current: LearnedGrader, candidate: LearnedGrader, past: list[_Past]
) -> list[CaseMove]:
    """Past cases whose grade (severity or category) the candidate changes, graded from their
    text by both heads with the same rules."""
    if not past:
        return []
    vectors = current.encoder.embed([p.text for p in past])
    moves = []
    for p, vector in zip(past, vectors, strict=True):
        old = _grade(policy, current, p, vector)
        new = _grade(policy, candidate, p, vector)
        if old != new:
            moves.append(
                CaseMove(
                    complaint_id=p.complaint_id,
                    old_severity=old[0],
                    new_severity=new[0],
                    old_category=old[1],
                    new_category=new[1],
                )
            )
    return moves


def _grade(
    policy: GradingPolicy, grader: LearnedGrader, past: _Past, vector: Vectors | np.ndarray
) -> tuple[Severity, Category]:
    result = grade(
        as_intake(past.text, past.complaint_id),
        policy,
        view=grader.view(vector, nearest=0, text=past.text),
    )
    return result.severity, result.category
