"""What investigation reads about the complaining customer (R-IV-1, R-CL-4).

A repeat complaint is one by the same customer on the same product within the window; the
current complaint counts itself, so a customer's third complaint on a product has repeat_count 3
whether or not the current one has reached the store yet.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from schemas.store import CustomerHistory, OrderRecord, PastComplaint, ServiceRecord

REPEAT_WINDOW = timedelta(days=90)
RECENT = 20


async def customer_history(
    connection: asyncpg.Connection,
    customer_id: str | None,
    product: str | None,
    complaint_id: str,
    at: datetime,
) -> CustomerHistory:
    if customer_id is None:
        return CustomerHistory()  # anonymous: nothing to look up
    tier = await connection.fetchval(
        "SELECT tier FROM customers WHERE customer_id = $1", customer_id
    )
    orders = await connection.fetch(
        """SELECT order_id, product, amount_yuan, status, ordered_at FROM orders
           WHERE customer_id = $1 ORDER BY ordered_at DESC LIMIT $2""",
        customer_id,
        RECENT,
    )
    records = await connection.fetch(
        """SELECT record_id, kind, summary, at FROM service_records
           WHERE customer_id = $1 ORDER BY at DESC LIMIT $2""",
        customer_id,
        RECENT,
    )
    past = await connection.fetch(
        """SELECT complaint_id, received_at, product, category, subject, outcome FROM complaints
           WHERE customer_id = $1 AND complaint_id <> $2 AND received_at >= $3
           ORDER BY received_at DESC LIMIT $4""",
        customer_id,
        complaint_id,
        at - REPEAT_WINDOW,
        RECENT,
    )
    same_product = 0
    if product is not None:
        same_product = await connection.fetchval(
            """SELECT count(*) FROM complaints
               WHERE customer_id = $1 AND product = $2 AND complaint_id <> $3
                 AND received_at >= $4 AND received_at <= $5""",
            customer_id,
            product,
            complaint_id,
            at - REPEAT_WINDOW,
            at,
        )
    return CustomerHistory(
        customer_id=customer_id,
        tier=tier,
        orders=[OrderRecord(**dict(r)) for r in orders],
        service_records=[ServiceRecord(**dict(r)) for r in records],
        past_complaints=[PastComplaint(**dict(r)) for r in past],
        repeat_count=same_product + 1,
    )


async def recent_on_product(
    connection: asyncpg.Connection,
    product: str | None,
    complaint_id: str,
    at: datetime,
    window: timedelta,
) -> int:
    """Other complaints on `product` received in the `window` before `at` (concentration,
    R-CL-4); served by the (product, received_at) index."""
    if product is None:
        return 0
    count: int = await connection.fetchval(
        """SELECT count(*) FROM complaints
           WHERE product = $1 AND received_at > $2 AND received_at <= $3 AND complaint_id <> $4""",
        product,
        at - window,
        at,
        complaint_id,
    )
    return count
