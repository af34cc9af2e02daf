"""Why the desk refused something, as a code and its parameters, never as a sentence.

A rule that refuses an action raises `InvalidAction(Refusal(code, params))`; the workflow turns
it into an `ApplicationError` of type `InvalidAction` whose message is the English rendering
(what the plain `temporal` CLI and the Temporal UI show) and whose details carry
`Refusal.as_details()`. Every door renders the code in its reader's language from the message
catalogue (`catalogue/`, key `refusal.<code>`): no door parses an English sentence.

Parameter values are strings or integers. A moment is an ISO-8601 string under a name ending in
`_at`, so the catalogue can show it in the reader's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Param = str | int


class RefusalCode(StrEnum):
    """Every reason the desk gives for refusing; each has `refusal.<code>` in every catalogue."""

    CASE_ENDED = "case_ended"
    # A repeat intake with another complaint under the same id (R-IN-2).
    ID_TAKEN = "id_taken"
    # A refusal from a workflow that sends only English text, no code (`reason`: that text).
    REFUSED = "refused"


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    params: Mapping[str, Param] = field(default_factory=dict)

    def as_details(self) -> dict[str, Any]:
        return {"code": self.code.value, "params": dict(self.params)}

    @classmethod
    def from_details(cls, details: object) -> Refusal | None:
        """The refusal an error's details carry, or None when they carry none we know."""
        if not isinstance(details, Mapping):
            return None
        try:
            code = RefusalCode(str(details.get("code")))
        except ValueError:
            return None
        params = details.get("params")
        if not isinstance(params, Mapping):
            params = {}
        return cls(code, {str(k): v for k, v in params.items() if isinstance(v, str | int)})

    def english(self) -> str:
        from catalogue import render

        return render(f"refusal.{self.code.value}", "en", self.params)


class InvalidAction(ValueError):
    """An action that does not apply to the case as it stands; nothing was changed.

    Raised by the rules with the refusal; its message is the refusal in English."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.english())
        self.refusal = refusal
