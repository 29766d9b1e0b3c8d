"""Sending rate limits ("300/heure") and an exact sliding-window limiter."""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from inserecho.french.formats import DURATION_UNITS, format_number
from inserecho.french.suggest import did_you_mean
from inserecho.problems import UsageProblem

_UNIT_NAMES = {1: "seconde", 60: "minute", 3600: "heure", 86400: "jour"}
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|par\b|per\b)\s*([^\W\d_]+)\s*$", re.IGNORECASE)
_EXAMPLES = "par exemple « 300/heure », « 100/minute », « 20/seconde » ou « 2000/jour »"


@dataclass(frozen=True)
class Rate:
    """At most ``count`` messages in any ``seconds``-long window."""

    count: int
    seconds: float

    def __str__(self) -> str:
        unit = _UNIT_NAMES.get(int(self.seconds)) if self.seconds == int(self.seconds) else None
        return f"{self.count}/{unit}" if unit else f"{self.count} en {format_number(self.seconds, 3)} s"


def parse_rate(text: str) -> Rate:
    """Parse ``300/heure``, ``20/s``, ``2000 / jour``, ``100 par minute``, ``50/hour``…

    Raises :class:`UsageProblem` with a French message.
    """
    match = _RATE.match(text)
    if not match:
        raise UsageProblem(f"limite d'envoi « {text} » illisible : {_EXAMPLES}")
    count, unit = int(match.group(1)), match.group(2).lower()
    if unit not in DURATION_UNITS:
        raise UsageProblem(
            f"unité « {match.group(2)} » inconnue dans la limite d'envoi « {text} »"
            f"{did_you_mean(unit, ['seconde', 'minute', 'heure', 'jour'])} : {_EXAMPLES}"
        )
    if count == 0:
        raise UsageProblem(f"la limite d'envoi « {text} » doit autoriser au moins 1 message : {_EXAMPLES}")
    return Rate(count, DURATION_UNITS[unit])


class RateLimiter:
    """Never more than ``rate.count`` acquisitions in any window of ``rate.seconds``.

    A sliding log of the last ``count`` acquisition times: a new one is allowed at
    time t only when the oldest of them is at least ``seconds`` old, so every
    half-open window [a, a + seconds) holds at most ``count`` acquisitions. Unlike a
    token bucket there is no burst above the limit at the window edges. Waiters are
    served in arrival order (``asyncio.Lock`` is FIFO), and a waiter cancelled while
    waiting consumes nothing. ``rate=None`` means no limit.
    """

    def __init__(
        self,
        rate: Rate | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        history: Iterable[float] = (),
    ):
        """``history``: times (on ``clock``) of sends made before, by an earlier run."""
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._log: deque[float] = deque(sorted(history), maxlen=rate.count if rate else 0)
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if self.rate is None:
            return
        async with self._lock:
            while True:
                now = self._clock()
                if len(self._log) < self.rate.count:
                    break
                wait = self._log[0] + self.rate.seconds - now
                if wait <= 0:
                    break
                await self._sleep(wait)
            self._log.append(now)  # maxlen drops the oldest
