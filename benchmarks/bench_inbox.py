"""Benchmark of ``inserecho inbox``: a mailbox of 5,000 messages after a send.

The mix is what a real mailbox holds after a campaign: Postfix DSNs (hard and soft
bounces), ARF complaints, Gmail mailto unsubscribes, out-of-office replies and
readers' replies, each built from a message really composed for a subscriber (the
same real-world fixtures as the tests). They are appended to a Debian Dovecot on
127.0.0.1, then, in the same run:

(a) the baseline: plain imaplib fetching every message of the INBOX (``UID FETCH``
    ``BODY.PEEK[]`` by batches of 200), doing nothing with them;
(b) ``inserecho inbox`` as a real process: fetch, classify, apply to the journal,
    move into the processed folder.

Rates are messages per second; (b) includes the whole command (start-up too).

    python benchmarks/bench_inbox.py [--messages 5000]
"""

from __future__ import annotations

import argparse
import mailbox
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_send import write_subscribers
from common import REPO, make_folder

from inserecho.inbox.imap import FETCH_BATCH

sys.path.insert(0, str(REPO / "tests"))
from dovecot import start_dovecot  # noqa: E402  (the tests' Dovecot, reused as is)
from mailbox_messages import (  # noqa: E402
    complaint,
    hard_bounce,
    mailto_unsubscribe,
    out_of_office,
    recipient_of,
    reply,
    soft_bounce,
)

# One message in ten of each kind but bounces, which are most of a real bounce mailbox.
MIX = (hard_bounce, hard_bounce, hard_bounce, hard_bounce, soft_bounce, soft_bounce,
       complaint, mailto_unsubscribe, out_of_office, reply)


def fetch_all(server) -> int:
    """Plain imaplib: every message of the INBOX, in batches, as inserecho fetches them."""
    imap = server.session()
    try:
        _, count = imap.select("INBOX", readonly=True)
        fetched = 0
        for start in range(1, int(count[0]) + 1, FETCH_BATCH):
            end = min(start + FETCH_BATCH - 1, int(count[0]))
            _, data = imap.uid("FETCH", f"{start}:{end}", "(UID BODY.PEEK[])")
            fetched += sum(1 for item in data if isinstance(item, tuple))
        return fetched
    finally:
        imap.logout()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    count = parser.parse_args().messages

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (slug,) = make_folder(root, issues=1, items=8)
        write_subscribers(root / "subscribers.yaml", count)
        subprocess.run([sys.executable, "-m", "inserecho.cli", "send", slug, "--outbox", "outbox", "--yes"],
                       cwd=root, check=True, stdout=subprocess.DEVNULL)
        sent = sorted((m.as_bytes() for m in mailbox.Maildir(root / "outbox", create=False)), key=recipient_of)
        messages = [MIX[i % len(MIX)](data) for i, data in enumerate(sent)]

        server = start_dovecot()
        try:
            started = time.perf_counter()
            server.append(*messages)
            appended = time.perf_counter() - started

            started = time.perf_counter()
            fetched = fetch_all(server)
            baseline = fetched / (time.perf_counter() - started)

            env = {**os.environ, "INSERECHO_IMAP_PASSWORD": server.password}
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "inserecho.cli", "inbox", "--imap", server.url("imap", "localhost"),
                 "--cafile", str(server.cafile)],
                cwd=root, check=True, env=env, stdout=None if os.environ.get("BENCH_SHOW") else subprocess.DEVNULL,
            )
            whole = time.perf_counter() - started
            left = len(server.messages())
        finally:
            server.stop()

    rate = count / whole
    print(f"Boîte de {count} messages (rebonds, plaintes, désinscriptions, absences, réponses), Dovecot sur 127.0.0.1")
    print(f"  (mise en place : {count} messages déposés en {appended:.1f} s)")
    print(f"  (a) imaplib seul, lecture de tous les messages   {baseline:7.0f} msg/s")
    print(f"  (b) inserecho inbox (commande entière)           {rate:7.0f} msg/s  ({whole:.1f} s)")
    print(f"  inserecho / (a) = {rate / baseline:.0%} ; restés dans la boîte (réponses de lecteurs) : {left}")


if __name__ == "__main__":
    main()
