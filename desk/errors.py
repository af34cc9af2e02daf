"""Every way the desk says no, defined once: the doors translate these, never Temporal's errors.

    try:
        await desk.act(cid, "respond", payload)
    except Refused as err:          # CaseEnded and IdTaken are refusals too
        show(render(f"refusal.{err.refusal.code}", lang, err.refusal.params))
    except CaseNotFound: ...
    except Unreachable: ...         # retry later

Temporal's own errors (`WorkflowUpdateFailedError`, `RPCError`, `WorkflowAlreadyStartedError`,
`WorkflowQueryFailedError`) are unwrapped in `desk/` and nowhere else.
"""

from __future__ import annotations

from schemas.refusals import Refusal, RefusalCode


class DeskError(Exception):
    """Base of every error the desk raises; nothing was changed."""


class CaseNotFound(DeskError, LookupError):
    """No case has this complaint id."""

    def __init__(self, complaint_id: str) -> None:
        super().__init__(f"no case {complaint_id}")
        self.complaint_id = complaint_id


class Refused(DeskError):
    """The case refuses the action as it stands; `refusal` says why (rendered by the catalogue)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.english())
        self.refusal = refusal


class CaseEnded(Refused):
    """The case has ended: an agent's action has nothing left to act on."""

    def __init__(self, complaint_id: str) -> None:
        super().__init__(Refusal(RefusalCode.CASE_ENDED, {"complaint_id": complaint_id}))
        self.complaint_id = complaint_id


class IdTaken(Refused):
    """A repeat intake whose complaint differs from the one the id already names (R-IN-2): a
    second complaint never vanishes into another customer's case."""

    def __init__(self, complaint_id: str) -> None:
        super().__init__(Refusal(RefusalCode.ID_TAKEN, {"complaint_id": complaint_id}))
        self.complaint_id = complaint_id


class NotReady(DeskError):
    """The case has events no worker has handled yet, and none did within the wait; ask again."""


class Unreachable(DeskError, ConnectionError):
    """Temporal does not answer now; nothing was sent. Retry later."""
