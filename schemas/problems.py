"""What was wrong with a payload, in words that carry none of it: field names and error kinds.

Pydantic's own message quotes the input it refused (a name, a phone number); this is the text
that may reach a timeline, a log or a plain client instead.
"""

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

# At most this many problems are named; the rest are counted.
PROBLEMS_NAMED = 5


def _first_member(errors: list[Any]) -> list[Any]:
    """A union refuses a value once per member, each error under the member's tag (a start is
    `ComplaintIntake | CaseState`; the tag may read `function-after[…, ComplaintIntake]`): only
    the first member, what callers send, is theirs to correct, so its errors are kept, without
    the tag; the others are about our internals."""
    tags = {e["loc"][0] for e in errors if e["loc"]}
    if len(tags) < 2 or not all(
        (isinstance(t, str) and t[:1].isupper()) or "[" in str(t) for t in tags
    ):
        return errors
    first = errors[0]["loc"][:1]
    return [{**e, "loc": e["loc"][1:]} for e in errors if e["loc"][:1] == first]


def validation_reason(err: ValidationError) -> str:
    """`field: error kind` for each problem. A field the model does not know is not named, since
    its name is the sender's text, not ours."""
    return _problems(err, lambda e: e["type"], name_extra=False)


def validation_detail(err: ValidationError) -> str:
    """As `validation_reason`, in pydantic's words (`at most 4000 characters`, the allowed values,
    our validators' sentences), which never quote the input: for those who read through the
    codec, where the whole failure travels encrypted."""
    return _problems(err, lambda e: e["msg"], name_extra=True)


def _problems(err: ValidationError, told: Callable[[Any], str], name_extra: bool) -> str:
    problems = []
    for e in _first_member(
        err.errors(include_url=False, include_input=False, include_context=False)
    ):
        if e["type"] == "extra_forbidden" and not name_extra:
            problems.append("a field this message does not have: extra_forbidden")
            continue
        where = ".".join(str(part) for part in e["loc"]) or "payload"
        problems.append(f"{where}: {told(e)}")
    named = "; ".join(problems[:PROBLEMS_NAMED])
    more = len(problems) - PROBLEMS_NAMED
    return f"invalid ({named}{f'; {more} more' if more > 0 else ''})"
