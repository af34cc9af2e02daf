"""Classification activities: the grading engine (`grading/`) fed with what the case store knows.

The rules come from the grading policy, loaded and validated when the worker starts; the head is
the one a supervisor adopted in the case store, else the policy's (`HeadInUse`; the encoder is
loaded once per process); each result records the rules version, the encoder and the head, and the result itself is in the case's history, so neither a policy change nor a
new head ever alters how a running case replays. Without the encoder package the rules grade
alone.

Classification also remembers the complaint's text, grade and embedding in the store
(`complaint_texts`, keyed by complaint: a retry overwrites its own row): the nearest ended cases
are evidence for the next complaint, and people's corrections become labelled examples.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TypeVar

import asyncpg
import structlog
from temporalio import activity

from case_store import grading_heads, investigation, similar
from case_store.db import Pool
from grading.encoder import Vectors
from grading.engine import Context, complaint_text, grade, product_of
from grading.head import parse_head
from grading.model import EXCERPT, LearnedGrader, ModelView
from schemas.classification import Category, Classification, Likeness, Severity
from schemas.grading import GradingPolicy
from schemas.intake import ComplaintIntake
from schemas.store import Assessment
from telemetry import logs

NEAREST = 3
log = structlog.get_logger("complaint_desk.grading")

# The encoder runs here, one text at a time: 10 to 25 ms of CPU a complaint that, on the event loop,
# held up every other activity and every workflow task's hand-over for that long (an agent's
# click waited behind new cases being graded: docs/benchmarks.md, "The agent's click"). One
# thread, so the encoder is never entered twice at once, as on the loop.
_ENCODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder")
Result = TypeVar("Result")


async def off_the_loop(work: Callable[[], Result]) -> Result:
    return await asyncio.get_running_loop().run_in_executor(_ENCODER, work)


class HeadInUse:
    """The grader with the head a supervisor adopted in the case store (case_store/grading_heads),
    else the policy's: every worker reads the same one. Asked once per classification (one
    short read); each adopted version's head is read and set up once per process, on the
    encoder already loaded."""

    def __init__(self, grader: LearnedGrader | None) -> None:
        self._policy_grader = grader
        self._by_version: dict[str, LearnedGrader] = {}
        self._loading = asyncio.Lock()

    async def grader(self, connection: asyncpg.Connection) -> LearnedGrader | None:
        base = self._policy_grader
        if base is None:  # no encoder installed: the rules grade alone, whatever is adopted
            return None
        version = await grading_heads.in_use(connection)
        if version is None or version == base.engine.head:
            return base
        if version not in self._by_version:
            async with self._loading:
                if version not in self._by_version:
                    self._by_version[version] = await self._load(connection, base, version)
        return self._by_version[version]

    async def _load(
        self, connection: asyncpg.Connection, base: LearnedGrader, version: str
    ) -> LearnedGrader:
        body = await grading_heads.body(connection, version)
        head = parse_head(body, version) if body else None
        if head is None or head.encoder != base.encoder.name:
            log.warning(
                "the adopted head cannot grade here: grading with the policy's head",
                adopted=version,
                adopted_encoder=head.encoder if head else None,
                installed=base.encoder.name,
            )
            return base
        # embedding its remembered examples takes a moment: not on the event loop
        grader = await off_the_loop(lambda: base.with_head(head))
        log.info("adopted head loaded", head=version, encoder=head.encoder)
        return grader


class ClassificationActivities:
    def __init__(
        self, pool: Pool, policy: GradingPolicy, grader: LearnedGrader | None = None
    ) -> None:
        self._pool = pool
        self._policy = policy
        self.heads = HeadInUse(grader if policy.model else None)
        self._vectors: bool | None = None  # pgvector in this store? asked once per process

    @activity.defn(name="assess_complaint")
    async def assess_complaint(self, intake: ComplaintIntake) -> Assessment:
        at = intake.received_at or datetime.now(UTC)
        text = complaint_text(intake)
        product, _ = product_of(intake)  # the field, else the product the text names
        async with self._pool.acquire() as connection:
            grader = await self.heads.grader(connection)
            vector = await off_the_loop(lambda: grader.embed(text)) if grader else None
            # the store keeps the USE part (vector(512)) whichever encoder the head was trained on
            stored = grader.store_vector(vector) if grader and vector is not None else None
            history = await investigation.customer_history(
                connection, intake.customer.account_id, product, intake.complaint_id, at
            )
            recent = await investigation.recent_on_product(
                connection,
                product,
                intake.complaint_id,
                at,
                self._policy.concentration.window,
            )
            view = await self._view(connection, grader, intake, vector, stored)
            context = Context(
                tier=history.tier, repeat_count=history.repeat_count, recent_on_product=recent
            )
            result = grade(intake, self._policy, context, view)
            await similar.remember(
                connection,
                intake.complaint_id,
                text,
                result,
                at,
                stored.tolist() if stored is not None else None,
                self._vectors,
            )
        logs.for_activity().info(
            "assessed",
            severity=result.severity.value,
            risk=result.risk.value,
            rules=result.rules_version,
            head=result.engine.head if result.engine else None,
            triage=result.needs_triage,
        )
        return Assessment(classification=result, history=history, recent_on_product=recent)

    async def _view(
        self,
        connection: asyncpg.Connection,
        grader: LearnedGrader | None,
        intake: ComplaintIntake,
        vector: Vectors | None,
        stored: Vectors | None,
    ) -> ModelView | None:
        if grader is None or vector is None:
            return None
        if self._vectors is None:
            self._vectors = await similar.vectors_available(connection)
        if self._vectors and stored is not None:
            found = await similar.nearest(
                connection, stored.tolist(), NEAREST, exclude=intake.complaint_id
            )
        else:
            found = await similar.by_keyword(
                connection, intake.subject, NEAREST, intake.complaint_id
            )
        past = [
            Likeness(
                source=c.complaint_id,
                excerpt=(c.resolution or c.outcome)[:EXCERPT],  # staff's words, not the customer's
                severity=Severity(c.severity or "L2"),
                category=Category(c.category or "other").current,
                similarity=c.similarity,
            )
            for c in found
        ]
        return grader.view(vector, past, NEAREST, text=complaint_text(intake))

    @activity.defn(name="classify_complaint")
    async def classify_complaint(self, intake: ComplaintIntake) -> Classification:
        """Cases started before the case store call this name (their histories say so)."""
        view = None
        async with self._pool.acquire() as connection:
            grader = await self.heads.grader(connection)
        if grader:
            text = complaint_text(intake)
            view = grader.view(await off_the_loop(lambda: grader.embed(text)), text=text)
        return grade(intake, self._policy, view=view)
