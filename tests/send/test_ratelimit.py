import asyncio
import random

import pytest

from inserecho.problems import UsageProblem
from inserecho.send.ratelimit import Rate, RateLimiter, parse_rate


@pytest.mark.parametrize(
    "text, rate",
    [
        ("300/heure", Rate(300, 3600)),
        ("300/h", Rate(300, 3600)),
        ("20/seconde", Rate(20, 1)),
        ("20/s", Rate(20, 1)),
        ("2000/jour", Rate(2000, 86400)),
        ("2000/j", Rate(2000, 86400)),
        ("100/minute", Rate(100, 60)),
        ("100/min", Rate(100, 60)),
        (" 100 / Minutes ", Rate(100, 60)),
        ("50/hour", Rate(50, 3600)),
        ("5/second", Rate(5, 1)),
        ("1000/day", Rate(1000, 86400)),
        ("300 par heure", Rate(300, 3600)),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


def test_rate_reads_back_in_french():
    assert str(parse_rate("300/h")) == "300/heure"
    assert str(Rate(3, 7)) == "3 en 7 s"


@pytest.mark.parametrize(
    "text, words",
    [
        ("300/semaine", "unité « semaine » inconnue"),
        ("300/heur", "vouliez-vous dire « heure »"),
        ("beaucoup", "illisible"),
        ("300", "illisible"),
        ("1,5/s", "illisible"),
        ("0/heure", "au moins 1 message"),
    ],
)
def test_bad_rates_explained_in_french(text, words):
    with pytest.raises(UsageProblem) as error:
        parse_rate(text)
    assert words in str(error.value)
    assert "300/heure" in str(error.value)


class FakeTime:
    """A clock that only moves when someone sleeps: a sleep lasts at least its delay."""

    def __init__(self):
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        target = self.now + delay
        await asyncio.sleep(0)
        self.now = max(self.now, target)


def assert_window(times: list[float], rate: Rate) -> None:
    """No half-open window [a, a + seconds) holds more than ``count`` times."""
    times = sorted(times)
    for first, later in zip(times, times[rate.count:], strict=False):
        assert first + rate.seconds <= later


def test_exact_over_any_window_no_burst_at_edges():
    fake, rate = FakeTime(), Rate(3, 10)
    limiter = RateLimiter(rate, clock=fake.clock, sleep=fake.sleep)
    times = []

    async def main():
        for _ in range(3):
            await limiter.acquire()
            times.append(fake.now)
        fake.now = 15.0
        for _ in range(4):
            await limiter.acquire()
            times.append(fake.now)

    asyncio.run(main())
    # 3 at once, then the log (not a fixed window) lets 3 through at 15 and holds the 4th until 25
    assert times == [0, 0, 0, 15, 15, 15, 25]
    assert_window(times, rate)


def test_concurrent_workers_never_exceed_the_rate():
    fake, rate = FakeTime(), Rate(5, 60)
    limiter = RateLimiter(rate, clock=fake.clock, sleep=fake.sleep)
    times = []
    rng = random.Random(7)

    async def worker():
        for _ in range(10):
            await fake.sleep(rng.uniform(0, 30))
            await limiter.acquire()
            times.append(fake.now)

    async def main():
        await asyncio.gather(*(worker() for _ in range(8)))

    asyncio.run(main())
    assert len(times) == 80
    assert_window(times, rate)
    assert max(times) < 80 / 5 * 60 + 60  # and not much slower than the rate allows


def test_waiters_are_served_in_arrival_order():
    fake = FakeTime()
    limiter = RateLimiter(Rate(1, 1), clock=fake.clock, sleep=fake.sleep)
    order = []

    async def worker(number):
        await limiter.acquire()
        order.append(number)

    async def main():
        tasks = []
        for number in range(10):
            tasks.append(asyncio.create_task(worker(number)))
            await asyncio.sleep(0)  # each one queues before the next starts
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order == list(range(10))
    assert fake.now == 9


def test_cancelled_waiter_consumes_nothing():
    fake = FakeTime()

    async def main():
        release = asyncio.Event()

        async def held_sleep(delay):
            await release.wait()
            await fake.sleep(delay)

        limiter = RateLimiter(Rate(1, 10), clock=fake.clock, sleep=held_sleep)
        await limiter.acquire()  # t=0
        waiter = asyncio.create_task(limiter.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        release.set()
        await limiter.acquire()
        return fake.now

    assert asyncio.run(main()) == 10  # the next slot is still at 10, not 20


def test_no_rate_means_no_wait():
    async def forbidden_sleep(delay):
        raise AssertionError("should not sleep")

    async def main():
        limiter = RateLimiter(None, clock=lambda: 0.0, sleep=forbidden_sleep)
        for _ in range(1000):
            await limiter.acquire()

    asyncio.run(main())


def test_sends_of_an_earlier_run_count_against_the_window():
    clock = FakeTime()
    clock.now = 1000.0
    # an earlier run sent 3 messages in the last 10 minutes; the quota is 4 per hour
    limiter = RateLimiter(parse_rate("4/heure"), clock=clock.clock, sleep=clock.sleep, history=[400.0, 700.0, 950.0])
    asyncio.run(limiter.acquire())
    assert clock.now == 1000.0  # the 4th of the hour goes at once
    asyncio.run(limiter.acquire())
    assert clock.now == 400.0 + 3600  # the 5th waits for the first one to leave the window
