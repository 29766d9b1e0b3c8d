import asyncio
import email
import email.policy
import time
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage

import pytest

from inserecho.send.delivery import DeliveryOptions, DeliveryReport, Progress, deliver
from inserecho.send.ratelimit import Rate
from inserecho.send.transport.outbox import MaildirOutbox
from inserecho.send.transport.pool import SmtpTransport
from inserecho.send.transport.relay import RelayConfig
from inserecho.send.transport.replies import OutgoingMessage

SENDER = "lettre@inser-eco93.example.org"
FAST = DeliveryOptions(connections=3, backoff_base=0.002, backoff_max=0.01)


@dataclass(frozen=True)
class Person:
    email: str
    name: str


def people(count: int) -> list[Person]:
    return [Person(f"abonne{n:03}@example.org", f"Abonné·e {n}") for n in range(count)]


def compose(person: Person) -> OutgoingMessage:
    built = EmailMessage()
    built["From"] = f"Inser'Echo <{SENDER}>"
    built["To"] = f"{person.name} <{person.email}>"
    built["Subject"] = "Inser'Echo n° 42 : les marchés réservés"
    built.set_content(f"Bonjour {person.name},\nvoici la lettre.\n")
    return OutgoingMessage(SENDER, person.email, built.as_bytes(policy=email.policy.SMTP))


def send(
    server,
    journal,
    recipients,
    *,
    campaign="2026-12",
    transport=None,
    stop=None,
    progress=None,
    **options,
) -> DeliveryReport:
    settings = DeliveryOptions(**{**FAST.__dict__, **options})

    async def main():
        used = transport or SmtpTransport(RelayConfig.from_url(server.url, environ={}), settings.connections)
        async with used:
            return await deliver(campaign, recipients, compose, used, journal, settings, progress, stop)

    return asyncio.run(main())


def test_everyone_gets_one_well_formed_message(smtp_server, journal):
    events: list[Progress] = []
    report = send(smtp_server, journal, people(40), progress=events.append)

    assert report.complete
    assert (report.recipients, report.to_send, report.sent, report.remaining) == (40, 40, 40, 0)
    assert report.counts["sent"] == 40
    received = smtp_server.handler.received
    assert Counter(m.rcpt for m in received) == Counter(p.email for p in people(40))
    for message in received:
        parsed = email.message_from_bytes(message.data, policy=email.policy.default)
        assert parsed["Subject"] == "Inser'Echo n° 42 : les marchés réservés"
        assert message.rcpt in parsed["To"]
    assert [e.sent for e in events] == list(range(1, 41))
    assert events[-1] == Progress(sent=40, failed=0, remaining=0, total=40)


def test_duplicates_in_the_list_get_one_message(smtp_server, journal):
    recipients = [Person("marie@example.org", "Marie"), Person("Marie@Example.org", "Marie bis")]
    report = send(smtp_server, journal, recipients)
    assert report.recipients == report.sent == 1
    assert len(smtp_server.handler.received) == 1


def test_resume_sends_to_nobody_twice_and_skips_nobody(smtp_server, journal):
    stop = asyncio.Event()

    def stop_after_ten(event: Progress):
        if event.sent == 10:
            stop.set()

    first = send(smtp_server, journal, people(50), stop=stop, progress=stop_after_ten)
    assert first.interrupted and not first.complete
    assert 10 <= first.sent < 50 and first.remaining == 50 - first.sent

    second = send(smtp_server, journal, people(50))
    assert second.complete
    assert second.to_send == 50 - first.sent
    assert smtp_server.handler.recipients() == Counter(p.email for p in people(50))  # once each

    third = send(smtp_server, journal, people(50))
    assert third.to_send == 0 and third.complete
    assert len(smtp_server.handler.received) == 50


def test_temporary_failure_retried_then_delivered(smtp_server, journal):
    smtp_server.handler.script("abonne001@example.org", "450 4.2.1 Boîte occupée", "450 4.2.1 Boîte occupée")
    report = send(smtp_server, journal, people(5))
    assert report.complete and report.sent == 5
    assert smtp_server.handler.attempts["abonne001@example.org"] == 3
    assert journal.failures("2026-12") == []


def test_temporary_failure_gives_up_after_max_attempts_then_retry_failed(smtp_server, journal):
    smtp_server.handler.script("abonne001@example.org", *["450 4.2.1 Boîte occupée"] * 3)
    report = send(smtp_server, journal, people(5), max_attempts=3)
    assert (report.sent, report.failed_temporary, report.remaining) == (4, 1, 0)
    (failure,) = journal.failures("2026-12")
    assert (failure.email, failure.state, failure.attempts, failure.reply) == (
        "abonne001@example.org", "failed_temporary", 3, "450 4.2.1 Boîte occupée",
    )

    again = send(smtp_server, journal, people(5))
    assert again.to_send == 0  # a plain resume leaves failures alone

    retried = send(smtp_server, journal, people(5), retry_failed=True)
    assert (retried.to_send, retried.sent) == (1, 1)
    assert journal.counts("2026-12")["sent"] == 5
    assert smtp_server.handler.recipients()["abonne001@example.org"] == 1


def test_permanent_failure_recorded_not_retried(smtp_server, journal):
    smtp_server.handler.script("abonne002@example.org", "552 5.2.2 Boîte pleine")
    report = send(smtp_server, journal, people(5))
    assert (report.sent, report.failed_permanent, report.bounced) == (4, 1, 0)
    assert smtp_server.handler.attempts["abonne002@example.org"] == 1
    (failure,) = journal.failures("2026-12")
    assert (failure.state, failure.reply) == ("failed_permanent", "552 5.2.2 Boîte pleine")
    assert not journal.is_suppressed("abonne002@example.org")

    send(smtp_server, journal, people(5), retry_failed=True)
    assert smtp_server.handler.attempts["abonne002@example.org"] == 1


def test_a_short_list_failing_entirely_is_recorded_when_the_run_ends(smtp_server, journal):
    for person in people(3):
        smtp_server.handler.script(person.email, "552 5.3.4 Message trop gros")
    report = send(smtp_server, journal, people(3))
    assert report.stopped_reason is None and report.failed_permanent == 3
    assert journal.counts("2026-12")["failed_permanent"] == 3


def test_hard_bounce_goes_to_the_suppression_list(smtp_server, journal):
    smtp_server.handler.script("abonne003@example.org", "rcpt:550 5.1.1 Utilisateur inconnu")
    report = send(smtp_server, journal, people(5))
    assert (report.failed_permanent, report.bounced) == (1, 1)
    assert journal.is_suppressed("abonne003@example.org")
    (entry,) = journal.suppressions()
    assert entry.reason == "bounce" and "5.1.1" in entry.source

    next_issue = send(smtp_server, journal, people(5), campaign="2027-01")
    assert next_issue.to_send == 4
    assert journal.counts("2027-01")["suppressed"] == 1
    assert smtp_server.handler.attempts["abonne003@example.org"] == 1


def test_suppressed_addresses_are_never_sent(smtp_server, journal):
    journal.suppress("abonne000@example.org", "unsubscribe", "lien de désinscription")
    report = send(smtp_server, journal, people(3))
    assert report.to_send == 2 and report.complete
    assert "abonne000@example.org" not in smtp_server.handler.recipients()


def test_connection_dropped_mid_transaction_is_retried(smtp_server, journal):
    smtp_server.handler.script("abonne001@example.org", "drop")
    report = send(smtp_server, journal, people(4))
    assert report.complete
    assert smtp_server.handler.dropped == ["abonne001@example.org"]
    assert smtp_server.handler.recipients()["abonne001@example.org"] == 1


def test_throttling_relay_is_waited_out(smtp_server, journal):
    smtp_server.handler.throttle(12)
    events: list[Progress] = []
    report = send(smtp_server, journal, people(20), max_attempts=2, progress=events.append)
    assert report.complete and report.sent == 20  # 12 refusals, yet nobody failed
    assert len(smtp_server.handler.refused) == 12
    assert journal.failures("2026-12") == []
    assert any(e.waiting and e.waiting.reason == "throttle" for e in events)


GREYLISTED = "451 4.7.1 <{}>: Recipient address rejected: Greylisted, try again later"


def test_greylisting_everyone_is_waited_out_in_one_run(smtp_server, journal):
    everyone = people(20)
    for person in everyone:  # refused for a while, as a greylisting server does for new senders
        smtp_server.handler.script(person.email, *[f"rcpt:{GREYLISTED.format(person.email)}"] * 3)
    events: list[Progress] = []
    report = send(smtp_server, journal, everyone, stop_after_failures=5, retry_for=30, backoff_base=0.02,
                  progress=events.append)

    assert report.complete and report.stopped_reason is None  # 60 refusals in a row, yet no stop
    assert (report.sent, report.failed_temporary) == (20, 0)
    assert smtp_server.handler.recipients() == Counter(p.email for p in everyone)
    assert set(smtp_server.handler.attempts.values()) == {4}
    assert journal.failures("2026-12") == []
    accepted = [e.sent for e in events if e.waiting is None]
    assert accepted == sorted(accepted) and accepted[-1] == 20  # counts only grow, up to everyone
    assert max(e.retrying for e in events) > 0


def test_when_only_retries_are_left_the_run_says_it_waits_and_until_when(smtp_server, journal):
    two = people(2)
    for person in two:
        smtp_server.handler.script(person.email, f"rcpt:{GREYLISTED.format(person.email)}")
    events: list[Progress] = []
    # one connection, retries at least a quarter second away: after both refusals nothing is due
    report = send(smtp_server, journal, two, connections=1, backoff_base=0.5, backoff_max=0.5, progress=events.append)
    assert report.complete and report.sent == 2
    waits = [e for e in events if e.waiting]
    assert waits and {e.waiting.reason for e in waits} == {"retries"}
    assert waits[0].retrying == 2 and waits[0].remaining == 2 and waits[0].sent == 0


def test_greylisting_past_the_budget_is_left_for_retry_failed(smtp_server, journal):
    stubborn = "abonne002@example.org"
    smtp_server.handler.script(stubborn, *[f"rcpt:{GREYLISTED.format(stubborn)}"] * 1000)
    report = send(smtp_server, journal, people(6), retry_for=0.3, backoff_base=0.02)
    assert report.stopped_reason is None
    assert (report.sent, report.failed_temporary, report.remaining) == (5, 1, 0)
    (failure,) = journal.failures("2026-12")
    assert failure.state == "failed_temporary" and "Greylisted" in failure.reply
    assert failure.attempts == smtp_server.handler.attempts[stubborn] > 1

    smtp_server.handler.script(stubborn)
    retried = send(smtp_server, journal, people(6), retry_failed=True)
    assert (retried.to_send, retried.sent) == (1, 1)


def test_the_same_temporary_refusal_for_everyone_that_is_not_greylisting_stops_the_run(smtp_server, journal):
    for person in people(30):
        smtp_server.handler.script(person.email, *["rcpt:451 4.3.0 Erreur locale du relais"] * 100)
    report = send(smtp_server, journal, people(30), stop_after_failures=5, retry_for=30)
    assert "même réponse" in report.stopped_reason and "4.3.0" in report.stopped_reason
    assert report.sent == 0 and journal.counts("2026-12")["pending"] == 30


def test_a_full_rate_window_is_reported_with_its_end(smtp_server, journal):
    events: list[Progress] = []
    report = send(smtp_server, journal, people(5), rate=Rate(2, 0.3), connections=1, progress=events.append)
    assert report.complete
    assert [e.sent for e in events if e.waiting is None] == [1, 2, 3, 4, 5]
    waits = [e for e in events if e.waiting]
    assert waits and {e.waiting.reason for e in waits} == {"rate"}
    assert all(e.waiting.until.tzinfo is not None for e in waits)  # local time, for the officer's clock


def test_endless_throttling_stops_the_run(smtp_server, journal):
    smtp_server.handler.throttle(1000)
    report = send(smtp_server, journal, people(20), max_throttle_waits=3)
    assert "ralentir" in report.stopped_reason
    assert report.sent == 0 and report.remaining == 20
    assert journal.counts("2026-12")["pending"] == 20


def test_first_failures_all_alike_stop_the_run_and_brand_nobody(smtp_server, journal):
    for person in people(30):
        smtp_server.handler.script(person.email, "rcpt:550 5.1.1 Relais mal configuré")
    report = send(smtp_server, journal, people(30), stop_after_failures=5)
    assert "5 derniers destinataires" in report.stopped_reason
    assert report.sent == 0 and report.remaining == 30
    assert journal.counts("2026-12")["pending"] == 30  # not failed, not bounced
    assert journal.suppressed_count() == 0
    assert len(smtp_server.handler.refused) < 10


SENDER_REJECTED = f"rcpt:550 5.1.0 <{SENDER}>: Sender address rejected: Access denied"


def test_identical_refusals_after_accepted_messages_stop_the_run_and_suppress_nobody(smtp_server, journal):
    everyone = people(30)
    for person in everyone[5:]:  # the relay turns against the sender after 5 messages
        smtp_server.handler.script(person.email, SENDER_REJECTED)
    report = send(smtp_server, journal, everyone, connections=1)
    assert "ont tous échoué avec la même réponse" in report.stopped_reason
    assert "Sender address rejected" in report.stopped_reason
    assert (report.sent, report.bounced) == (5, 0)
    assert journal.suppressed_count() == 0
    assert journal.counts("2026-12")["pending"] == 25

    for person in everyone[5:]:  # the relay is fixed: a rerun reaches them
        smtp_server.handler.script(person.email)
    rerun = send(smtp_server, journal, everyone)
    assert rerun.complete and rerun.sent == 25


def test_hard_bounces_worded_for_each_address_still_suppress_them(smtp_server, journal):
    everyone = people(30)
    for person in everyone[5:20]:
        smtp_server.handler.script(
            person.email, f"rcpt:550 5.1.1 <{person.email}>: Recipient address rejected: User unknown"
        )
    report = send(smtp_server, journal, everyone, connections=1)
    assert report.complete and (report.sent, report.bounced) == (15, 15)
    assert journal.suppressed_count() == 15


def test_a_relay_that_never_answers_data_stops_the_run_after_a_few_attempts(smtp_server, journal):
    smtp_server.handler.delay = 3600  # DATA is never answered
    transport = SmtpTransport(RelayConfig.from_url(smtp_server.url, environ={}, timeout=0.3), 4)
    report = send(smtp_server, journal, people(20), transport=transport, connections=4)
    assert "10 derniers destinataires" in report.stopped_reason
    assert "pas de réponse du serveur en 0.3 s" in report.stopped_reason
    attempts = smtp_server.handler.commands.count("MAIL")
    assert attempts <= FAST.stop_after_failures + 4  # the streak, plus what was in flight on 4 connections
    assert journal.counts("2026-12")["pending"] == 20


def test_authentication_failure_stops_the_run(tls_server, journal):
    config = RelayConfig.from_url(
        f"smtp://{tls_server.username}@localhost:{tls_server.starttls_port}",
        environ={"INSERECHO_SMTP_PASSWORD": "Faux-Mot-De-Passe-7"},
        cafile=str(tls_server.cafile),
    )
    report = send(None, journal, people(10), transport=SmtpTransport(config, 3))
    assert "refuse l'identification" in report.stopped_reason
    assert "Faux-Mot-De-Passe-7" not in report.stopped_reason
    assert report.sent == 0 and report.remaining == 10
    assert journal.counts("2026-12")["pending"] == 10
    assert tls_server.handler.commands.count("AUTH") <= 2  # tried once (two mechanisms), not per worker


def test_stop_finishes_messages_in_flight_and_takes_no_new_one(smtp_server, journal):
    smtp_server.handler.delay = 0.05
    stop = asyncio.Event()

    def stop_at_first(event: Progress):
        stop.set()

    report = send(smtp_server, journal, people(30), stop=stop, progress=stop_at_first, connections=4)
    assert report.interrupted and report.stopped_reason is None
    assert 1 <= report.sent <= 4  # the first, plus those already in flight
    # every message the server accepted is in the journal: nothing in flight was abandoned
    assert set(smtp_server.handler.recipients()) == {
        p.email for p in people(30) if journal.states("2026-12").get(p.email) == "sent"
    }
    assert report.remaining == 30 - report.sent == journal.counts("2026-12")["pending"]


def test_rate_limited_run(smtp_server, journal):
    report = send(smtp_server, journal, people(10), rate=Rate(1000, 1))
    assert report.complete


class Stamped:
    """A transport that notes, on the rate limiter's clock, when each message is handed to it."""

    def __init__(self, transport):
        self.transport, self.times = transport, []

    async def send(self, message):
        self.times.append(time.monotonic())
        return await self.transport.send(message)

    async def close(self):
        await self.transport.close()

    def describe(self):
        return self.transport.describe()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()


def test_the_rate_limit_spreads_the_sends_over_its_window(smtp_server, journal):
    stamped = Stamped(SmtpTransport(RelayConfig.from_url(smtp_server.url, environ={}), 1))

    report = send(smtp_server, journal, people(5), transport=stamped, connections=1, rate=Rate(2, 1.0))

    assert report.complete and report.sent == 5
    first = stamped.times[0]
    windows = Counter(round(t - first) for t in stamped.times)  # which one-second window each send fell in
    assert windows == {0: 2, 1: 2, 2: 1}


def test_a_run_inherits_the_previous_runs_sends_from_the_journal(smtp_server, journal):
    hourly = Rate(2, 3600)
    assert send(smtp_server, journal, people(2), campaign="2026-11", rate=hourly).sent == 2
    stop = asyncio.Event()

    async def main():
        asyncio.get_running_loop().call_later(0.5, stop.set)  # the second run has had its chance
        options = DeliveryOptions(**{**FAST.__dict__, "rate": hourly})
        async with SmtpTransport(RelayConfig.from_url(smtp_server.url, environ={})) as transport:
            return await deliver("2026-12", [Person("nouvelle@example.org", "Nouvelle")], compose, transport,
                                 journal, options, None, stop)

    report = asyncio.run(main())

    # the quota of two an hour was used by the earlier run: this one waits instead of sending
    assert (report.sent, report.remaining, report.interrupted) == (0, 1, True)
    assert len(smtp_server.handler.received) == 2


def test_compose_error_stops_cleanly_and_raises(smtp_server, journal):
    def broken(person):
        if person.email == "abonne005@example.org":
            raise RuntimeError("gabarit cassé")
        return compose(person)

    async def main():
        async with SmtpTransport(RelayConfig.from_url(smtp_server.url, environ={}), 2) as transport:
            await deliver("2026-12", people(10), broken, transport, journal, FAST)

    with pytest.raises(RuntimeError, match="gabarit cassé"):
        asyncio.run(main())
    sent = {p.email for p in people(10) if journal.states("2026-12").get(p.email) == "sent"}
    assert sent == set(smtp_server.handler.recipients())


def test_maildir_outbox(tmp_path, journal):
    outbox = MaildirOutbox(tmp_path / "boite")
    report = send(None, journal, people(7), transport=outbox)
    assert report.complete
    files = list((tmp_path / "boite" / "new").iterdir())
    assert len(files) == 7
    parsed = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert sorted(p["Delivered-To"] for p in parsed) == [p.email for p in people(7)]
    assert all(p["Subject"] == "Inser'Echo n° 42 : les marchés réservés" for p in parsed)
