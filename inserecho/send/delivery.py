"""Deliver one campaign: concurrent workers, rate limit, retries, journal, clean stop.

Guarantees, given the journal:

- resuming sends to nobody twice and skips nobody: a recipient is ``sent`` only once
  the relay accepted the DATA, and that is committed before the next message, so a
  crash (even ``kill -9``) resends at most the messages that were in flight;
- a 4xx, a time-out or a dropped connection is retried within the run, with backoff
  doubling up to minutes, until ``retry_for`` seconds have passed since the
  recipient's first refusal (greylisting lasts 1 to 15 minutes), while the rest of the
  list goes on; what still fails then is left ``failed_temporary`` for
  ``retry_failed``; a 5xx is ``failed_permanent`` with the relay's reply, never
  retried; a hard bounce also goes to the suppression list;
- a throttling reply (see ``TemporaryFailure.throttled``) pauses every worker and is
  not held against the recipient: the run waits it out;
- when failures concern everyone the run stops by itself, leaving the rest
  ``pending``: a ``FatalRelayError`` (credentials, TLS, unreachable relay), the relay
  throttling without end, or ``stop_after_failures`` distinct recipients failing in a
  row, time-outs included (notably the first ones of the run). A hard bounce counts
  toward that streak until the relay has accepted a message; after that, only when it
  is the very reply the previous recipients got: identical refusals for different
  addresses ("Sender address rejected") speak of the relay or the sender, not of each
  address. Greylisting (see ``TemporaryFailure.greylisted``) refuses everyone at
  first by design: within the budget it is waited out and counts toward no streak.
  While recipients fail, new ones are tried before the failing ones are retried, so
  the streak says quickly whether everyone fails. Failures are only
  written to the journal once a later success shows the relay works (or the run ends
  normally), so a broken relay cannot brand good addresses as failed or bounced;
- ``stop`` (set on Ctrl-C) lets the messages in flight finish and takes no new one;
- the progress callback hears of every accepted message as it is accepted, and of
  every wait (rate window full, relay throttling, only retries left) with its end.

Messages are composed lazily, one per worker at a time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, Literal, Protocol, TypeVar

from inserecho.content.addresses import address_key
from inserecho.send.journal import Journal, State
from inserecho.send.ratelimit import Rate, RateLimiter
from inserecho.send.transport.replies import (
    FatalRelayError,
    OutgoingMessage,
    PermanentFailure,
    Reply,
    TemporaryFailure,
    Transport,
)


class Recipient(Protocol):
    @property
    def email(self) -> str: ...


R = TypeVar("R", bound=Recipient)


@dataclass(frozen=True)
class DeliveryOptions:
    """How to send.

    ``connections``: concurrent workers (match the transport's pool size).
    ``rate``: at most so many messages per window, retries included (None: no limit).
    ``retry_for``: seconds, from a recipient's first temporary refusal, during which it
    is retried before it is left ``failed_temporary``.
    ``max_attempts``: at most so many tries per recipient within a run (None: the budget alone).
    ``backoff_base`` / ``backoff_max``: seconds before a retry, doubling, with jitter;
    ``backoff_max`` None: a quarter of ``retry_for``, at most five minutes, so a
    recipient gets several tries within the budget.
    ``stop_after_failures``: stop when that many distinct recipients failed in a row.
    ``max_throttle_waits``: throttling pauses in a row (no success between) before stopping.
    ``retry_failed``: send only to the ``failed_temporary`` recipients.
    ``rehearsal``: the transport is an outbox; journalled apart, never as the real send.
    """

    connections: int = 4
    rate: Rate | None = None
    retry_for: float = 30 * 60.0
    max_attempts: int | None = None
    backoff_base: float = 2.0
    backoff_max: float | None = None
    stop_after_failures: int = 10
    max_throttle_waits: int = 8
    retry_failed: bool = False
    rehearsal: bool = False

    def backoff(self, n: int) -> float:
        """Delay before the n-th retry: doubling from ``backoff_base``, capped, with jitter."""
        cap = self.backoff_max if self.backoff_max is not None else min(_LONGEST_BACKOFF, self.retry_for / 4)
        delay = min(cap, self.backoff_base * 2 ** (n - 1))
        return delay * random.uniform(0.5, 1.0)


_LONGEST_BACKOFF = 5 * 60.0


@dataclass(frozen=True)
class Waiting:
    """The run waits until ``until`` (local time): for the ``rate`` window to reopen,
    for a ``throttle`` pause the relay asked for, or for ``retries`` to fall due."""

    reason: Literal["rate", "throttle", "retries"]
    until: datetime

    @staticmethod
    def after(reason: Literal["rate", "throttle", "retries"], seconds: float) -> Waiting:
        return Waiting(reason, datetime.now().astimezone() + timedelta(seconds=max(seconds, 0.0)))


@dataclass(frozen=True)
class Progress:
    """Counts for a progress bar.

    ``sent``: accepted by the relay so far; ``retrying``: among ``remaining``, those
    refused for now and due to be tried again; ``waiting``: set when the run just began
    to wait, and with what end.
    """

    sent: int
    failed: int
    remaining: int
    total: int
    retrying: int = 0
    waiting: Waiting | None = None


@dataclass
class DeliveryReport:
    campaign: str
    recipients: int  # distinct addresses given
    to_send: int  # of which this run had to send
    sent: int = 0
    failed_temporary: int = 0
    failed_permanent: int = 0
    bounced: int = 0  # hard bounces among failed_permanent, now on the suppression list
    suppressed: int = 0  # found on the suppression list during the run
    remaining: int = 0  # still to send after this run
    interrupted: bool = False  # stopped on request (Ctrl-C)
    journal_restored: bool = False  # the journal's file was deleted or replaced during the run, then put back
    stopped_reason: str | None = None  # French, when the run stopped by itself
    counts: dict[State, int] = field(default_factory=dict)  # journal, whole campaign, after the run

    @property
    def complete(self) -> bool:
        return self.remaining == 0 and not self.interrupted and self.stopped_reason is None


async def deliver(
    campaign: str,
    recipients: Iterable[R],
    compose: Callable[[R], OutgoingMessage],
    transport: Transport,
    journal: Journal,
    options: DeliveryOptions = DeliveryOptions(),
    progress: Callable[[Progress], None] | None = None,
    stop: asyncio.Event | None = None,
) -> DeliveryReport:
    """Send ``campaign`` to every recipient who has not had it yet; see the module doc."""
    run = _Run(campaign, list(recipients), compose, transport, journal, options, progress, stop)
    return await run.execute()


class _Halted(Exception):
    """The run halted while a worker waited for the rate limiter."""


@dataclass
class _Item(Generic[R]):
    recipient: R
    key: str
    attempts: int = 0  # failed attempts in this run, throttling aside
    throttled: int = 0  # throttling replies for this recipient
    first_refusal: float | None = None  # loop time of the first temporary refusal in this run
    reply: Reply | None = None


class _Run(Generic[R]):
    def __init__(
        self,
        campaign: str,
        recipients: list[R],
        compose: Callable[[R], OutgoingMessage],
        transport: Transport,
        journal: Journal,
        options: DeliveryOptions,
        progress: Callable[[Progress], None] | None,
        stop: asyncio.Event | None,
    ):
        self.campaign = campaign
        self.compose = compose
        self.transport = transport
        self.journal = journal
        self.options = options
        self.progress = progress
        self.stop = stop or asyncio.Event()
        # The limiter sleeps only when the rate binds, and then through _paced_sleep,
        # which a halt cuts short: no task per message just to watch for a stop.
        self.limiter = RateLimiter(options.rate, sleep=self._paced_sleep, history=self._earlier_sends())

        self.rehearsal = options.rehearsal
        if self.rehearsal:
            journal.forget_rehearsal(campaign)
        journal.register(campaign, (r.email for r in recipients), rehearsal=self.rehearsal)
        wanted = journal.to_send(campaign, options.retry_failed, rehearsal=self.rehearsal)
        self.fresh: deque[_Item[R]] = deque()
        seen: set[str] = set()
        for recipient in recipients:
            key = address_key(recipient.email)
            if key not in seen:
                seen.add(key)
                if key in wanted:
                    self.fresh.append(_Item(recipient, key))
        self.report = DeliveryReport(campaign, recipients=len(seen), to_send=len(self.fresh))

        self.retries: list[tuple[float, int, _Item[R]]] = []
        self.sequence = itertools.count()
        self.wakeup = asyncio.Event()  # set when a retry is queued or the run halts
        self.halt = asyncio.Event()
        self.pause_until = 0.0
        self.throttle_waits = 0
        self.failed_shown = 0
        self.workers = 0
        self.idle = 0  # workers waiting for a retry to fall due
        self.streak: set[str] = set()  # recipients failing since the last success, bar proven bounces
        self.alike: set[str] = set()  # recipients given the same reply in a row since the last success
        self.alike_reply = ""
        self.unconfirmed: list[Callable[[], None]] = []  # their journal writes, deferred
        self.error: BaseException | None = None

    async def execute(self) -> DeliveryReport:
        watcher = asyncio.create_task(self._watch())
        try:
            self.workers = max(1, min(self.options.connections, len(self.fresh)))
            await asyncio.gather(*(self._worker() for _ in range(self.workers)))
        finally:
            watcher.cancel()
        if not self.halt.is_set():  # a halted run leaves unconfirmed failures pending
            self._confirm()
        if self.error is not None:
            raise self.error
        report = self.report
        report.journal_restored |= self.journal.restore_if_lost()
        report.remaining = report.to_send - report.sent - report.suppressed - (
            report.failed_temporary + report.failed_permanent
        )
        report.counts = self.journal.counts(self.campaign, rehearsal=self.rehearsal)
        return report

    # Workers

    async def _worker(self) -> None:
        try:
            loop = asyncio.get_running_loop()
            while (item := await self._next()) is not None:
                if self.pause_until > loop.time() and not await self._unless_halted(
                    self._throttle_pause()
                ):
                    break
                if self.journal.is_suppressed(item.key):
                    self.journal.mark_suppressed(self.campaign, item.key, rehearsal=self.rehearsal)
                    self.report.suppressed += 1
                    continue
                message = self.compose(item.recipient)
                try:
                    await self.limiter.acquire()
                except _Halted:
                    break
                if self._halted():  # halted while queued behind another worker's wait
                    break
                try:
                    reply = await self.transport.send(message)
                except TemporaryFailure as failure:
                    self._temporary(item, failure)
                except PermanentFailure as failure:
                    self._permanent(item, failure)
                except FatalRelayError as error:
                    self._stop_run(str(error))
                else:
                    self._sent(item, reply)
        except Exception as error:  # a bug or an unwritable journal: stop cleanly, then raise
            if self.error is None:
                self.error = error
            self._halt()
        finally:
            self.workers -= 1  # one fewer to wait for when telling whether the run waits

    async def _next(self) -> _Item[R] | None:
        loop = asyncio.get_running_loop()
        while not self._halted():
            now = loop.time()
            failing = bool(self.alike) and bool(self.fresh)  # a new recipient tells more than a retry
            if self.retries and self.retries[0][0] <= now and not failing:
                return heapq.heappop(self.retries)[2]
            if self.fresh:
                return self.fresh.popleft()
            if not self.retries:
                return None
            self.wakeup.clear()
            self.idle += 1
            if self.idle == self.workers:  # no worker is sending: the whole run waits
                self._show(waiting=Waiting.after("retries", self.retries[0][0] - now))
            try:
                await asyncio.wait_for(self.wakeup.wait(), self.retries[0][0] - now)
            except TimeoutError:
                pass
            finally:
                self.idle -= 1
        return None

    def _retry_later(self, item: _Item[R], delay: float) -> None:
        ready = asyncio.get_running_loop().time() + delay
        heapq.heappush(self.retries, (ready, next(self.sequence), item))
        self.wakeup.set()

    def _halt(self) -> None:
        self.halt.set()
        self.wakeup.set()

    async def _throttle_pause(self) -> None:
        loop = asyncio.get_running_loop()
        while (delay := self.pause_until - loop.time()) > 0:
            await asyncio.sleep(delay)

    def _earlier_sends(self) -> list[float]:
        """Earlier runs' send times on the loop's clock, so the rate holds across runs."""
        if self.options.rate is None:
            return []
        now, clock = datetime.now(UTC), time.monotonic()  # the limiter's clock
        return [clock - (now - sent).total_seconds() for sent in self.journal.recent_sends(self.options.rate.count)]

    async def _paced_sleep(self, delay: float) -> None:
        """Sleep ``delay`` seconds for the rate limiter; raise :class:`_Halted` if the run halts."""
        self._show(waiting=Waiting.after("rate", delay))
        try:
            await asyncio.wait_for(self.halt.wait(), delay)
        except TimeoutError:
            return
        raise _Halted

    async def _unless_halted(self, awaitable: Awaitable[object]) -> bool:
        """Await ``awaitable`` unless the run halts first (then cancel it and say False)."""
        task = asyncio.ensure_future(awaitable)
        halted = asyncio.ensure_future(self.halt.wait())
        try:
            await asyncio.wait({task, halted}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            halted.cancel()
        if task.done():
            task.result()
            return True
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return False

    async def _watch(self) -> None:
        await self.stop.wait()
        self._halted()

    def _halted(self) -> bool:
        """Whether to take no new message (checked synchronously: a stop acts at once)."""
        if self.stop.is_set() and not self.halt.is_set():
            self.report.interrupted = True
            self._halt()
        return self.halt.is_set()

    # Outcomes

    def _sent(self, item: _Item[R], reply: Reply) -> None:
        self.journal.mark_sent(
            self.campaign, item.key, str(reply), attempts=item.attempts + 1, rehearsal=self.rehearsal
        )
        self.report.journal_restored |= self.journal.restore_if_lost()
        self.report.sent += 1
        self.throttle_waits = 0
        self._confirm()
        self._show()

    def _temporary(self, item: _Item[R], failure: TemporaryFailure) -> None:
        item.reply = failure.reply
        loop = asyncio.get_running_loop()
        if failure.throttled and item.throttled < self.options.max_throttle_waits:
            item.throttled += 1
            if loop.time() >= self.pause_until:  # a new throttling episode
                self.throttle_waits += 1
                if self.throttle_waits > self.options.max_throttle_waits:
                    self._stop_run(
                        f"le relais demande de ralentir depuis trop longtemps (dernière réponse : "
                        f"{failure.reply}) : relancez plus tard, ou baissez « rate » dans inserecho.yaml"
                    )
                    return
                delay = self.options.backoff(self.throttle_waits)
                self.pause_until = loop.time() + delay
                self._show(waiting=Waiting.after("throttle", delay))
            self._retry_later(item, 0)
            return
        item.attempts += 1
        now = loop.time()
        if item.first_refusal is None:
            item.first_refusal = now
        budget_left = item.first_refusal + self.options.retry_for - now
        limit = self.options.max_attempts
        if budget_left <= 0 or (limit is not None and item.attempts >= limit):
            self._failed_attempt(item)
            self._final(item, permanent=False, hard_bounce=False)
            return
        if not failure.greylisted:  # greylisting refuses everyone at first, by design
            self._failed_attempt(item)
        # the last try falls at the budget's end: a greylisting window just shorter is still caught
        self._retry_later(item, min(self.options.backoff(item.attempts), budget_left))
        self._show()

    def _permanent(self, item: _Item[R], failure: PermanentFailure) -> None:
        item.reply = failure.reply
        item.attempts += 1
        hard = failure.hard_bounce
        # once the relay is proven, a bounce is the recipient's own, unless others got it too
        self._failed_attempt(item, own_bounce=hard and self.report.sent > 0)
        self._final(item, permanent=True, hard_bounce=hard)

    def _failed_attempt(self, item: _Item[R], *, own_bounce: bool = False) -> None:
        reply = str(item.reply)
        if reply != self.alike_reply:
            self.alike_reply, self.alike = reply, set()
        self.alike.add(item.key)
        if not own_bounce:
            self.streak.add(item.key)
        count = max(len(self.streak), len(self.alike))
        if count >= self.options.stop_after_failures and not self.halt.is_set():
            same = " avec la même réponse" if len(self.alike) >= len(self.streak) else ""
            self._stop_run(
                f"les {count} derniers destinataires essayés ont tous échoué{same} (dernière "
                f"réponse : {reply}) : le problème vient sans doute du relais, de l'expéditeur "
                "ou du message, pas des destinataires, et personne n'a été désinscrit pour "
                "cela. Ils restent à envoyer : corrigez, puis relancez l'envoi"
            )

    def _final(self, item: _Item[R], *, permanent: bool, hard_bounce: bool) -> None:
        """Record a recipient's failure now, or once the relay is proven to work."""

        def write() -> None:
            reply = str(item.reply)
            self.journal.mark_failed(
                self.campaign, item.key, reply, permanent=permanent, attempts=item.attempts,
                rehearsal=self.rehearsal,
            )
            if permanent:
                self.report.failed_permanent += 1
            else:
                self.report.failed_temporary += 1
            if hard_bounce:
                self.journal.suppress(item.key, "bounce", f"{self.campaign} : {reply}")
                self.report.bounced += 1

        self.failed_shown += 1
        self.unconfirmed.append(write)  # every failure is in a streak: written once confirmed
        self._show()

    def _confirm(self) -> None:
        self.streak.clear()
        self.alike.clear()
        self.alike_reply = ""
        writes, self.unconfirmed = self.unconfirmed, []
        for write in writes:
            write()

    def _stop_run(self, reason: str) -> None:
        if self.report.stopped_reason is None and not self.report.interrupted:
            self.report.stopped_reason = reason
        self._halt()

    def _show(self, waiting: Waiting | None = None) -> None:
        if self.progress is not None:
            report = self.report
            done = report.sent + self.failed_shown + report.suppressed
            self.progress(Progress(
                report.sent, self.failed_shown, report.to_send - done, report.to_send, len(self.retries), waiting
            ))
