"""The fields operators filter cases by in the Temporal UI (R-OP-3).

They must be registered on the namespace first: the local system does it when it starts the dev
server, `complaint-desk setup` does it on a real cluster.
"""

from __future__ import annotations

import re
from typing import Any

from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from schemas.case import CaseSnapshot

STAGE = SearchAttributeKey.for_keyword("ComplaintStage")
SEVERITY = SearchAttributeKey.for_keyword("ComplaintSeverity")
CHANNEL = SearchAttributeKey.for_keyword("ComplaintChannel")
OWNER = SearchAttributeKey.for_keyword("ComplaintOwner")
BREACHED = SearchAttributeKey.for_bool("ComplaintBreached")
REOPEN_COUNT = SearchAttributeKey.for_int("ComplaintReopenCount")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("ComplaintNextDeadline")
# The customer is the account id only, since search attributes are not encrypted: never a name
# or a contact.
RISK = SearchAttributeKey.for_keyword("ComplaintRisk")
CATEGORY = SearchAttributeKey.for_keyword("ComplaintCategory")
PRODUCT = SearchAttributeKey.for_keyword("ComplaintProduct")
CUSTOMER = SearchAttributeKey.for_keyword("ComplaintCustomer")
ESCALATION = SearchAttributeKey.for_keyword("ComplaintEscalation")

# The product attribute shows a product code only: up to six letters, an optional dash, up to six digits ("WM-200", "TV9"). The product field is
# typed by people; anything else (a name, a phone number, a sentence) is not shown at all.
PRODUCT_CODE = re.compile(r"^[A-Z]{1,6}-?[0-9]{1,6}$")


def product_code(product: str | None) -> str | None:
    """The product as a code that cannot carry personal data, or None."""
    if product is None:
        return None
    code = product.strip().upper()
    return code if PRODUCT_CODE.fullmatch(code) else None


ALL: list[SearchAttributeKey[Any]] = [
    STAGE,
    SEVERITY,
    CHANNEL,
    OWNER,
    BREACHED,
    REOPEN_COUNT,
    NEXT_DEADLINE,
    RISK,
    CATEGORY,
    PRODUCT,
    CUSTOMER,
    ESCALATION,
]


def values(case: CaseSnapshot, customer_id: str | None) -> dict[str, object]:
    """The attribute values a case should show; compared between loops to upsert only changes."""
    return {
        STAGE.name: case.stage.value,
        SEVERITY.name: case.severity.value if case.severity else None,
        CHANNEL.name: case.channel.value,
        OWNER.name: case.owner,
        BREACHED.name: any(d.breached_at for d in case.deadlines),
        REOPEN_COUNT.name: case.reopen_count,
        NEXT_DEADLINE.name: case.next_deadline.due_at if case.next_deadline else None,
        RISK.name: case.risk.value if case.risk else None,
        CATEGORY.name: case.category.value if case.category else None,
        PRODUCT.name: product_code(case.product),
        CUSTOMER.name: customer_id,
        ESCALATION.name: case.escalation_level.value,
    }


def updates(
    before: dict[str, object], after: dict[str, object]
) -> list[SearchAttributeUpdate[Any]]:
    keys = {key.name: key for key in ALL}
    changed: list[SearchAttributeUpdate[Any]] = []
    for name, value in after.items():
        if before.get(name, ...) == value:
            continue
        key = keys[name]
        changed.append(key.value_unset() if value is None else key.value_set(value))
    return changed
