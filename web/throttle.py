"""Slowing down guessing and flooding on the web's doors: sign-in, and a customer's link.

Sign-in: every failed password counts against the account *and* the client address. After a
few free attempts each further failure locks that account (or address) out for a delay that
doubles each time, up to a cap; while locked, an attempt is refused before any password is
hashed, so guessing costs the server nothing. A successful sign-in clears the account's and the
address's count. A customer's progress link: so many messages a minute per case (a token bucket,
`api.rate_limit`), since a link is a bearer credential anyone holding it can post from.

State is kept in this process, like the API's rate buckets: behind a balancer with N processes
an attacker gets up to N times the attempts (pin sign-in to one process, or throttle at the
balancer too). Memory stays bounded: the oldest entries are forgotten past `MAX_TRACKED`.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from api.rate_limit import RateLimits

Monotonic = Callable[[], float]
MAX_TRACKED = 10_000


@dataclass
class _Failures:
    count: int
    locked_until: float


@dataclass(frozen=True)
class SignInRules:
    """How much guessing is let through before the growing delays start."""

    free_attempts: int = 5
    first_delay: float = 2.0  # seconds, doubled with each further failure
    longest_delay: float = 15 * 60


class SignInThrottle:
    def __init__(self, rules: SignInRules, clock: Monotonic = time.monotonic) -> None:
        self.rules = rules
        self.clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()

    @staticmethod
    def keys(username: str, address: str | None) -> tuple[str, ...]:
        """What a sign-in attempt counts against: the account and the client's address."""
        return (f"account:{username.strip().casefold()}", f"address:{address or '-'}")

    def wait(self, keys: tuple[str, ...]) -> int | None:
        """Seconds until an attempt may be made again (rounded up), or None: go ahead."""
        now = self.clock()
        longest = max(
            (f.locked_until - now for k in keys if (f := self._failures.get(k))), default=0.0
        )
        return math.ceil(longest) if longest > 0 else None

    def failed(self, keys: tuple[str, ...]) -> None:
        now = self.clock()
        for key in keys:
            entry = self._failures.pop(key, None) or _Failures(0, now)
            entry.count += 1
            beyond = entry.count - self.rules.free_attempts  # 0: the last free one just went
            if beyond >= 0:
                delay = self.rules.first_delay * 2 ** min(beyond, 30)
                entry.locked_until = now + min(delay, self.rules.longest_delay)
            self._failures[key] = entry  # (re)inserted last: the most recent stay
        while len(self._failures) > MAX_TRACKED:
            self._failures.popitem(last=False)

    def succeeded(self, keys: tuple[str, ...]) -> None:
        for key in keys:
            self._failures.pop(key, None)


class MessageThrottle:
    """So many customer messages a minute per case, a few at once."""

    def __init__(self, per_minute: int, burst: int, clock: Monotonic = time.monotonic) -> None:
        self.rate = per_minute / 60
        self.burst = burst
        self.clock = clock
        self._buckets = RateLimits()

    def take(self, complaint_id: str) -> int | None:
        """None: the message may go; else the seconds until one may (rounded up)."""
        if len(self._buckets.buckets) > MAX_TRACKED:
            self._buckets.buckets.clear()  # every bucket refills within a minute anyway
        wait = self._buckets.take(complaint_id, self.rate, self.burst, self.clock())
        return None if wait is None else math.ceil(wait)
