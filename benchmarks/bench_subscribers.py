"""Time reading a list of 100,000 subscribers (``load_subscribers``), CPU time, best of 5.

CPU time rather than wall-clock: on a shared machine it varies less. The list is the one
``bench_send`` generates (names, organisations, territories, tags, some accented addresses).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench_send import write_subscribers

from inserecho.send.subscribers import load_subscribers

COUNT = 100_000
REPEAT = 5


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "subscribers.yaml"
        write_subscribers(path, COUNT)
        best = float("inf")
        for _ in range(REPEAT):
            start = time.process_time()
            subscribers, problems = load_subscribers(path)
            best = min(best, time.process_time() - start)
    assert len(subscribers) == COUNT and not problems
    print(f"Lecture de {COUNT} abonné·e·s : {best:.2f} s de calcul (meilleur de {REPEAT} essais)")


if __name__ == "__main__":
    main()
