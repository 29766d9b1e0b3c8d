"""Time reading a list of 100,000 subscribers (``load_subscribers``), CPU time, best of 5,
next to two baselines on the same file in the same run.

The list is the one ``bench_send`` generates, in the layout ``subscribers import`` writes
(names, organisations, territories, tags, consent records, some accented addresses):

1. ``load_subscribers``: each entry matched whole in the import's layout, then checked;
2. the YAML reading that any other layout takes (libyaml's events, every check the same);
3. ``yaml.load`` with libyaml's ``CSafeLoader`` alone: parsing only, nothing checked.

CPU time rather than wall-clock: on a shared machine it varies less.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from bench_send import write_subscribers

from inserecho.content.textfile import read_text
from inserecho.send.subscribers import _checked, _entries, load_subscribers

COUNT = 100_000
REPEAT = 5


def best_cpu(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "subscribers.yaml"
        write_subscribers(path, COUNT)
        text = read_text(path)
        subscribers, problems = load_subscribers(path)
        assert len(subscribers) == COUNT and not problems
        assert _checked(_entries, text, path) == (subscribers, problems)
        usual = best_cpu(lambda: load_subscribers(path), REPEAT)
        through_yaml = best_cpu(lambda: _checked(_entries, text, path), 2)
        parsed = best_cpu(lambda: yaml.load(text, Loader=yaml.CSafeLoader), 2)
    print(f"Lecture de {COUNT} abonné·e·s, temps de calcul (meilleur de plusieurs essais) :")
    print(f"  load_subscribers (disposition de l'import)   {usual:6.2f} s")
    print(f"  lecture YAML (toute autre disposition)       {through_yaml:6.2f} s   {through_yaml / usual:4.1f} ×")
    print(f"  yaml.load (CSafeLoader), sans vérification   {parsed:6.2f} s   {parsed / usual:4.1f} ×")


if __name__ == "__main__":
    main()
