"""Per-key rate limits: a token bucket for each key, in this process.

Each API process keeps its own buckets, so behind a load balancer with N processes a key gets up
to N times its configured rate; set `rate_per_second` to the total divided by the number of
processes (or limit at the balancer). Nothing is shared, so the server stays stateless.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TokenBucket:
    rate: float  # tokens added per second
    capacity: int
    tokens: float
    at: float  # monotonic seconds of the last refill

    @classmethod
    def full(cls, rate: float, capacity: int, now: float) -> TokenBucket:
        return cls(rate, capacity, float(capacity), now)

    def take(self, now: float) -> float | None:
        """Spend one token: None if allowed, else the seconds until one is there again."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate


class RateLimits:
    """One bucket per key name, created full on the key's first request."""

    def __init__(self) -> None:
        self.buckets: dict[str, TokenBucket] = {}

    def take(self, name: str, rate: float, burst: int, now: float) -> float | None:
        bucket = self.buckets.get(name)
        if bucket is None:
            bucket = self.buckets[name] = TokenBucket.full(rate, burst, now)
        return bucket.take(now)
