"""What was wrong with a payload, in words that carry none of it: field names and error kinds.

Pydantic's own message quotes the input it refused (a name, a phone number); this is the text
that may reach a timeline, a log or a plain client instead.
"""

from pydantic import ValidationError

# At most this many problems are named; the rest are counted.
PROBLEMS_NAMED = 5


def validation_reason(err: ValidationError) -> str:
    """`field: error kind` for each problem. A field the model does not know is not named, since
    its name is the sender's text, not ours."""
    problems = []
    for e in err.errors(include_url=False, include_input=False, include_context=False):
        if e["loc"][:1] == ("CaseState",):
            continue  # a start is an intake or a carried state: only the intake's errors help
        if e["type"] == "extra_forbidden":
            problems.append("a field this message does not have: extra_forbidden")
            continue
        where = ".".join(str(part) for part in e["loc"]) or "payload"
        problems.append(f"{where}: {e['type']}")
    named = "; ".join(problems[:PROBLEMS_NAMED])
    more = len(problems) - PROBLEMS_NAMED
    return f"invalid ({named}{f'; {more} more' if more > 0 else ''})"
