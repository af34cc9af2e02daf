"""Constrained string types shared by every boundary model.

Limits sit well below Temporal's 2 MB payload limit so that a complaint, its timeline and a
continue-as-new carrier always fit, whatever a caller sends.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

SUBJECT_MAX = 200
TEXT_MAX = 4_000

# Line breaks and tabs are legitimate in free text; every other control character is not, C1
# included (U+0085 NEL and U+009B CSI act on a terminal).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What a reader's screen breaks a line at: allowed in free text, not in one line.
_LINE_BREAK = re.compile(r"[\n\r\u2028\u2029]")


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _single_line(value: str) -> str:
    if _LINE_BREAK.search(value):
        raise ValueError("must be a single line")
    return value


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX),
    AfterValidator(_no_control_characters),
]
"""Free text written by a person: a description, a reply, a note."""

Line = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=SUBJECT_MAX),
    AfterValidator(_no_control_characters),
    AfterValidator(_single_line),
]
"""One line of text: a subject, a product name, a place."""

Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$"),
]
"""A machine id: complaint id, agent id, account id. Safe inside a Temporal workflow id."""

Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 -]{4,19}$")]
# Nothing a mail header would read as a second recipient, a display name or a comment.
_ADDRESS_PART = r"[^@\s,;<>\"()\[\]\\\x00-\x1f\x7f-\x9f\u2028\u2029]+"
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=254,
        pattern=rf"^{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}$",
    ),
]
"""One e-mail address (an addr-spec): never a list, a display name or a comment."""
