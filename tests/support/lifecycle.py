"""A case driven through the desk as its people would: the agent who received it answers, the
customer accepts the plan, the agent carries it out."""

from __future__ import annotations

from schemas import Stage
from tests.support.desk import Desk

AGENT = "agent-zhang"


async def drive_to_close(desk: Desk, cid: str) -> None:
    """Agent answers, proposes, customer accepts, agent carries it out: the case awaits confirmation."""
    await desk.api.respond(cid, {"agent": AGENT, "text": "非常抱歉，我们马上处理。"})
    await desk.api.propose_plan(
        cid, {"agent": AGENT, "summary": "上门更换洗衣机", "compensation_yuan": "50"}
    )
    await desk.api.reply(cid, {"text": "可以", "intent": "accept_plan"})
    await desk.until(cid, lambda s: s.stage is Stage.TRACK)
    await desk.api.record_progress(cid, {"agent": AGENT, "note": "已更换新机", "completed": True})
