"""Speed and memory of ``inserecho send``, next to the limit and to the naive way.

Generates an issue of about 40 KB per message and a list of 10,000 subscribers in a
temporary folder, starts ``smtp_sink.py`` in its own process on 127.0.0.1, and
measures in the same run, on the same sink, with 4 connections each:

1. ``inserecho send`` as a real process (journal, rate limiter set high enough not to
   bind, personalisation);
   (a) the limit: a bare aiosmtplib sender (``SMTP.sendmail``) pushing one pre-built
       message, changing only the To and Message-ID bytes; inserecho's transport runs
       MAIL, RCPT and DATA itself and counts the SIZE without the extra pass over the
       message that ``sendmail`` makes, which is why it can beat this "limit";
   (b) the naive way: stdlib smtplib, a new connection and a new EmailMessage per
       recipient (4 threads).
   Rates are those of the sending phase, read from the sink's clock: from the first to
   the last message it accepted, so start-up (imports, render, journal) is left out
   for every sender alike. inserecho and (a) run in turn a few times and the best run
   of each counts: other work on the machine can only slow a run down.
2. The composition alone: ``Composer.compose`` for the 10,000 subscribers.
3. ``inserecho send --dry-run`` over 100,000 subscribers as a process, best of
   ``--runs``, with its peak resident memory, next to the same dry run over 100
   subscribers (what does not depend on the list: start-up, rendering); then its stages
   timed one by one in the benchmark's process: reading the list (entries matched and
   decoded), checking it (addresses, fields, duplicates, headers), rendering the issue,
   composing one message per header shape (every recipient is checked). The package's
   bytecode is compiled first, as installing it does, and a pure-Python reference loop
   is timed, to set the figures of one machine against another's.
4. With ``--rtt 0.02``, instead: a relay 20 ms away. ``delay_proxy.py`` in its own
   process holds every byte back by half the round trip in each direction, in
   front of the sink; inserecho (pipelining, since the sink offers PIPELINING) and
   (a) (one command per round trip) send the same messages through it at 1, 4 and
   8 connections, in turn, in the same run. 300 messages by default: at 20 ms a
   sender waiting for each reply sends about 12 per second and per connection.

With ``--dkim``, the same run also signs every message (DKIM, rsa-sha256, 2048-bit
key): the real command and the composition are measured again with signing on, and
both rates are printed side by side.

Targets on a 2-core machine: inserecho at least 90 % of (a) on loopback, and 1.6 times
(a) at 20 ms and 4 connections; 10,000 messages composed in under 2 s; the
100,000-subscriber dry run in under 2.5 s and 200 MB.

    python benchmarks/bench_send.py [--recipients 10000] [--big 100000] [--runs 3] [--dkim]
    python benchmarks/bench_send.py --dry-run [--big 100000]
    python benchmarks/bench_send.py --rtt 0.02 [--recipients 300] [--runs 1]
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import smtplib
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import aiosmtplib
from common import TERRITORIES, make_folder, median_seconds, seconds, verdict

from inserecho.content.textfile import read_text
from inserecho.render import slots
from inserecho.send.campaign import Campaign, prepare_campaign
from inserecho.send.dkim import new_key
from inserecho.send.plainlist import plain_entries
from inserecho.send.subscribers import USUAL_LAYOUT, load_subscribers
from inserecho.settings import Settings, load_settings

HERE = Path(__file__).resolve().parent
CONNECTIONS = 4
ITEMS = 8  # about 41 KB per message
COMPOSE_REPEAT = 5
TARGET_SHARE = 0.90
TARGET_COMPOSE_SECONDS = 2.0
TARGET_MEMORY_MB = 200
TARGET_DRY_RUN_SECONDS = 2.5
DRY_RUN_FEW = 100
LATENCY_CONNECTIONS = (1, 4, 8)
LATENCY_TARGET_CONNECTIONS = 4
LATENCY_TARGET = 1.6


class Helper:
    """A helper script of this folder in its own process, announcing ``ready PORT``;
    it stops when its standard input closes."""

    def __init__(self, script: str, *args: object) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / script), *map(str, args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self._ask(None).split()[1])

    def _ask(self, command: str | None) -> str:
        if command is not None:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        return self.process.stdout.readline()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


class Sink(Helper):
    """``smtp_sink.py``, driven through its standard input."""

    def __init__(self) -> None:
        super().__init__("smtp_sink.py", 0)

    def reset(self) -> None:
        self._ask("reset")

    def rate(self, expected: int) -> float:
        """Messages per second from the first to the last one accepted since the reset."""
        count, first, last = self._ask("stats").split()
        if int(count) != expected:
            raise SystemExit(f"le puits a reçu {count} messages au lieu de {expected}")
        return (int(count) - 1) / (float(last) - float(first))


def write_subscribers(path: Path, count: int) -> None:
    """A list as the officer's would be after an import and some sign-ups: most with a
    name, some tags, half with the consent record of the import, a tenth signed up on the
    web form (with the wording's version), a few accented addresses."""
    lines = []
    for i in range(count):
        local = f"andré.lefèvre{i}" if i % 100 == 7 else f"prenom.nom{i}"
        lines.append(f"- email: {local}@structure{i % 997}.example.org\n")
        if i % 5:
            lines.append(f"  name: Camille Dupré-{i}\n")
        lines.append(f"  organisation: \"Structure d'insertion n° {i % 997}\"\n")
        lines.append(f"  territories: [{TERRITORIES[i % 4]}]\n")
        lines.append(f"  tags: [{'adherent' if i % 3 else 'partenaire'}]\n")
        if i % 10 == 1:
            lines.append(f'  consent: {{date: "2026-{i % 12 + 1:02d}-14T10:12:44", source: formulaire, version: v1}}\n')
        elif i % 2 == 0:
            lines.append(f'  consent: {{date: "2026-{i % 12 + 1:02d}-08", source: import}}\n')
    path.write_text("".join(lines), encoding="utf-8")


def send_with_inserecho(
    root: Path, slug: str, subscribers: Path, port: int, campaign: str, rate: str, connections: int = CONNECTIONS
) -> float:
    """Run the real command; return its whole duration in seconds."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "inserecho.cli",
            "send",
            slug,
            "--subscribers",
            str(subscribers),
            "--campaign",
            campaign,
            "--smtp",
            f"smtp://127.0.0.1:{port}",
            "--connections",
            str(connections),
            "--rate",
            rate,
            "--yes",
        ],
        cwd=root,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def enable_dkim(root: Path) -> None:
    """A DKIM key in the folder and the ``dkim`` block that makes ``send`` sign with it."""
    new_key(root / "dkim-bench.pem")
    with open(root / "inserecho.yaml", "a", encoding="utf-8") as settings:
        settings.write(
            '\ndkim:\n  domain: "inser-eco93.example.org"\n  selector: "bench"\n  private_key: "dkim-bench.pem"\n'
        )


def send_bare(campaign: Campaign, port: int, connections: int = CONNECTIONS) -> None:
    """The limit: one pre-built message, only its To and Message-ID bytes changed."""
    first = campaign.recipients[0]
    model = campaign.composer.compose(first)
    head, rest = _cut_header(model.data, b"To")
    middle, tail = _cut_header(rest, b"Message-ID")
    queue = (
        (s.email, b"".join((head, s.email.encode(), middle, f"<{n}.bench@example.org>".encode(), tail)))
        for n, s in enumerate(campaign.recipients)
    )
    sender = model.sender

    async def worker() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, local_hostname="localhost")
        await smtp.connect()
        for address, data in queue:
            await smtp.sendmail(sender, [address], data, mail_options=["SMTPUTF8"] if not address.isascii() else [])
        await smtp.quit()

    async def run() -> None:
        await asyncio.gather(*(worker() for _ in range(connections)))

    asyncio.run(run())


def _cut_header(data: bytes, name: bytes) -> tuple[bytes, bytes]:
    """The bytes before and after the value of header ``name`` (one line)."""
    start = data.index(b"\n" + name + b": ") + 1 if not data.startswith(name + b": ") else 0
    start += len(name) + 2
    end = data.index(b"\n", start)
    return data[:start], data[end:]


def send_naive(campaign: Campaign, settings: Settings, port: int) -> None:
    """The naive way: for each recipient a new EmailMessage and a new connection."""
    rendered = campaign.rendered
    sender = campaign.composer.envelope_from

    def one(subscriber) -> None:
        values = {
            slots.GREETING: slots.greeting(subscriber.name),
            slots.UNSUBSCRIBE_URL: settings.unsubscribe_url or "",
            slots.ASSETS: "https://inser-eco93.example.org/inserecho",
        }
        message = EmailMessage()
        message["From"] = settings.sender
        message["To"] = subscriber.email
        message["Subject"] = rendered.subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain="example.org")
        message["List-Unsubscribe"] = f"<mailto:{settings.unsubscribe_mailto}>"
        message.set_content(slots.fill_text(rendered.text, values))
        message.add_alternative(slots.fill_html(rendered.html, values), subtype="html")
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message, sender, [subscriber.email])

    with ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(one, campaign.recipients))


# A small parent for the measured command: on Linux a child's peak memory starts at its
# parent's size when it was spawned, so the benchmark's own memory must not be that parent.
_MEASURE = (
    "import os, subprocess, sys; child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "_, status, usage = os.wait4(child.pid, 0); "
    "print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status))"
)


def peak_memory_mb(args: list[str], cwd: Path) -> tuple[float, float, float]:
    """Run a command; return its peak resident memory (MB), its duration and its CPU time (s).

    On a machine shared with other work the CPU time says more than the duration, which
    counts the time spent waiting for a processor."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args], cwd=cwd, check=True, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    kilobytes, cpu, status = result.stdout.split()
    if int(status):
        raise subprocess.CalledProcessError(int(status), args)
    return int(kilobytes) / 1024, elapsed, float(cpu)  # ru_maxrss is in KB on Linux


def loopback(options: argparse.Namespace) -> None:
    """Part 1 and 2: inserecho, (a) and (b) on the loopback sink; the composition alone."""
    count = options.recipients
    with tempfile.TemporaryDirectory() as directory:
        root, slug, subscribers = _folder(Path(directory), count)
        settings = load_settings(root)
        campaign = prepare_campaign(settings, root / "issues" / slug, None, subscribers)
        size = len(campaign.composer.compose(campaign.recipients[0]).data)

        sink = Sink()
        try:
            limit = _unbinding_rate(count * options.runs)
            inserecho = bare = whole = 0.0
            for run in range(options.runs):
                sink.reset()
                duration = send_with_inserecho(root, slug, subscribers, sink.port, f"essai-{run + 1}", limit)
                if (rate := sink.rate(count)) > inserecho:
                    inserecho, whole = rate, duration
                sink.reset()
                send_bare(campaign, sink.port)
                bare = max(bare, sink.rate(count))
            sink.reset()
            send_naive(campaign, settings, sink.port)
            naive = sink.rate(count)
            signed = signed_whole = signed_compose = 0.0
            if options.dkim:
                enable_dkim(root)
                for run in range(options.runs):
                    sink.reset()
                    duration = send_with_inserecho(root, slug, subscribers, sink.port, f"dkim-{run + 1}", limit)
                    if (rate := sink.rate(count)) > signed:
                        signed, signed_whole = rate, duration
                dkim_campaign = prepare_campaign(load_settings(root), root / "issues" / slug, None, subscribers)
                signed_compose = median_seconds(
                    lambda: [dkim_campaign.composer.compose(s) for s in dkim_campaign.recipients], COMPOSE_REPEAT
                )
        finally:
            sink.close()

        compose = median_seconds(lambda: [campaign.composer.compose(s) for s in campaign.recipients], COMPOSE_REPEAT)

    share = inserecho / bare
    print(
        f"Envoi de {count} messages de {size / 1024:.1f} Ko, {CONNECTIONS} connexions, puits SMTP minimal sur 127.0.0.1"
    )
    print("(débits de la phase d'envoi, horloge du puits : du premier au dernier message accepté ;")
    print(f" inserecho et (a) : meilleur de {options.runs} essais alternés)")
    print(
        f"  inserecho send (processus réel)     {inserecho:7.0f} msg/s  "
        f"(commande entière {whole:.1f} s, dont environ {whole - count / inserecho:.1f} s hors envoi)"
    )
    print(f"  (a) limite : aiosmtplib nu          {bare:7.0f} msg/s")
    print(f"  (b) naïf : smtplib, 1 connexion et 1 EmailMessage par message {naive:5.0f} msg/s")
    print(f"  inserecho / (a) = {share:.0%} ; inserecho / (b) = {inserecho / naive:.1f} ×")
    print(
        f"Composition seule de {count} messages (médiane de {COMPOSE_REPEAT}) : {compose:.2f} s "
        f"({count / compose:.0f} msg/s)"
    )
    if options.dkim:
        print(
            f"Avec signature DKIM (même exécution) : inserecho send {signed:7.0f} msg/s "
            f"(sans : {inserecho:.0f} msg/s, soit {signed / inserecho:.0%} ; commande entière {signed_whole:.1f} s) ; "
            f"composition et signature de {count} messages {signed_compose:.2f} s ({count / signed_compose:.0f} msg/s)"
        )
    print(
        f"Cible : inserecho ≥ {TARGET_SHARE:.0%} de (a) : {'OK' if share >= TARGET_SHARE else 'EN DESSOUS DE LA CIBLE'}"
    )
    print(f"Cible : composition < {TARGET_COMPOSE_SECONDS:g} s : {verdict(compose < TARGET_COMPOSE_SECONDS)}")


def latency(options: argparse.Namespace) -> None:
    """Part 4: inserecho and (a) through the delay proxy, at 1, 4 and 8 connections."""
    count = options.recipients
    with tempfile.TemporaryDirectory() as directory:
        root, slug, subscribers = _folder(Path(directory), count)
        campaign = prepare_campaign(load_settings(root), root / "issues" / slug, None, subscribers)
        size = len(campaign.composer.compose(campaign.recipients[0]).data)
        sink = Sink()
        proxy = Helper("delay_proxy.py", sink.port, options.rtt)
        rows = []
        try:
            limit = _unbinding_rate(count * options.runs * len(LATENCY_CONNECTIONS))
            for connections in LATENCY_CONNECTIONS:
                inserecho = bare = 0.0
                for run in range(options.runs):
                    sink.reset()
                    send_with_inserecho(
                        root, slug, subscribers, proxy.port, f"rtt-{connections}-{run + 1}", limit, connections
                    )
                    inserecho = max(inserecho, sink.rate(count))
                    sink.reset()
                    send_bare(campaign, proxy.port, connections)
                    bare = max(bare, sink.rate(count))
                rows.append((connections, inserecho, bare))
        finally:
            proxy.close()
            sink.close()

    print(
        f"Envoi de {count} messages de {size / 1024:.1f} Ko à un relais à {options.rtt * 1000:g} ms "
        f"(mandataire qui retarde chaque octet de {options.rtt * 500:g} ms dans chaque sens, puits sur 127.0.0.1)"
    )
    print(f"(débits de la phase d'envoi, horloge du puits ; meilleur de {options.runs} essai(s) alterné(s))")
    print("  connexions   inserecho send   (a) aiosmtplib sendmail   rapport")
    for connections, inserecho, bare in rows:
        print(f"  {connections:>10}   {inserecho:8.1f} msg/s   {bare:15.1f} msg/s   {inserecho / bare:5.2f} ×")
    share = dict((c, i / b) for c, i, b in rows).get(LATENCY_TARGET_CONNECTIONS)
    if share is not None:
        print(
            f"Cible : à {LATENCY_TARGET_CONNECTIONS} connexions, inserecho ≥ {LATENCY_TARGET:g} × (a) : "
            f"{'OK' if share >= LATENCY_TARGET else 'EN DESSOUS DE LA CIBLE'}"
        )


def dry_run(options: argparse.Namespace) -> None:
    """Part 3: ``send --dry-run`` over a big list, as a process, and its stages in this one."""
    compileall.compile_dir(str(HERE.parent / "inserecho"), quiet=1)  # as pip leaves an installed package
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (slug,) = make_folder(root, issues=1, items=ITEMS)
        big, small = root / "abonnes.yaml", root / "quelques-abonnes.yaml"
        write_subscribers(big, options.big)
        write_subscribers(small, DRY_RUN_FEW)
        command = [sys.executable, "-m", "inserecho.cli", "send", slug, "--dry-run", "--subscribers"]
        runs = [peak_memory_mb([*command, str(big)], root) for _ in range(options.runs)]
        few = min(peak_memory_mb([*command, str(small)], root)[1] for _ in range(options.runs))
        memory = max(run[0] for run in runs)
        whole, cpu = min(run[1] for run in runs), min(run[2] for run in runs)
        stages = dry_run_stages(root, slug, big)

    print(
        f"Essai à blanc sur {options.big} abonné·e·s (send --dry-run, processus réel, meilleur de {options.runs}) : "
        f"durée {whole:.2f} s (temps processeur {cpu:.2f} s), mémoire maximale {memory:.0f} Mo"
    )
    print(f"  le même sur {DRY_RUN_FEW} abonné·e·s (démarrage, rendu, relais) : {few:.2f} s")
    print(
        "  étapes, temps processeur mesuré à part dans ce processus : "
        + " ; ".join(f"{name} {seconds:.2f} s" for name, seconds in stages)
    )
    print(f"  référence de la machine : {reference_loop_seconds():.2f} s pour 10 millions de tours de boucle Python")
    print(f"Cible : durée < {TARGET_DRY_RUN_SECONDS:g} s : {verdict(whole < TARGET_DRY_RUN_SECONDS)}")
    print(f"Cible : mémoire < {TARGET_MEMORY_MB} Mo : {verdict(memory < TARGET_MEMORY_MB)}")


def dry_run_stages(root: Path, slug: str, subscribers: Path) -> list[tuple[str, float]]:
    """What a dry run does, stage by stage (CPU time): read the list (its entries matched
    and their values decoded, nothing checked), check it (addresses, fields, duplicates,
    headers), render, compose (the first message of each header shape)."""
    settings = load_settings(root)
    clock = time.process_time
    text = read_text(subscribers)
    started = clock()
    entries = sum(1 for _ in plain_entries(text, subscribers, [], replace(USUAL_LAYOUT, build=_as_read)))
    load = clock() - started
    started = clock()
    loaded, _ = load_subscribers(subscribers)
    validate = clock() - started - load  # reading again, plus the checks
    started = clock()
    campaign = prepare_campaign(settings, root / "issues" / slug, None, None, dry_run=True)
    render = clock() - started
    started = clock()
    for subscriber in loaded:
        campaign.composer.check(subscriber)
    validate += clock() - started
    started = clock()
    campaign.composer.samples(loaded)  # one message per header shape, as the dry run composes them
    compose = clock() - started
    assert entries == len(loaded)
    return [("lecture", load), ("vérification", validate), ("rendu", render), ("composition", compose)]


def _as_read(values: tuple[object, ...], line: int) -> tuple[object, ...]:
    return values


def reference_loop_seconds() -> float:
    """The best of three pure-Python loops, to set this machine's figures against another's."""
    def loop() -> int:
        total = 0
        for i in range(10_000_000):
            total += i
        return total

    return min(seconds(loop) for _ in range(3))


def _folder(root: Path, count: int) -> tuple[Path, str, Path]:
    (slug,) = make_folder(root, issues=1, items=ITEMS)
    subscribers = root / "abonnes.yaml"
    write_subscribers(subscribers, count)
    return root, slug, subscribers


def _unbinding_rate(messages: int) -> str:
    """A limit the limiter enforces without ever waiting: more per minute than all the runs
    send together (it also counts the sends of the runs before, from the journal)."""
    return f"{max(100_000, 2 * messages)}/minute"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, help="messages par envoi (10 000 ; 300 avec --rtt)")
    parser.add_argument("--big", type=int, default=100_000, help="abonné·e·s de l'essai à blanc")
    parser.add_argument(
        "--runs", type=int, help="essais alternés d'inserecho et de (a) ; le meilleur compte (3 ; 1 avec --rtt)"
    )
    parser.add_argument("--rtt", type=float, help="seulement l'envoi à un relais à RTT secondes (par exemple 0.02)")
    parser.add_argument("--dry-run", action="store_true", help="seulement l'essai à blanc sur --big abonné·e·s")
    parser.add_argument("--dkim", action="store_true", help="mesurer aussi l'envoi avec signature DKIM")
    options = parser.parse_args()
    if options.rtt is not None:
        options.recipients = options.recipients or 300
        options.runs = options.runs or 1
        latency(options)
        return
    options.recipients = options.recipients or 10_000
    options.runs = options.runs or 3
    if not options.dry_run:
        loopback(options)
    dry_run(options)


if __name__ == "__main__":
    main()
