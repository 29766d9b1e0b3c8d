from pathlib import Path

import pytest

from inserecho.problems import UsageProblem
from inserecho.send.plan import Standing, addresses_for_test_copies, delivery_options, estimated_seconds, standing
from inserecho.send.ratelimit import Rate
from inserecho.send.subscribers import Subscriber
from inserecho.settings import Settings

CAMPAIGN = "2027-01"


def subscriber(email: str, line: int = 1) -> Subscriber:
    return Subscriber(email, None, None, (), (), line)


def test_the_rate_is_the_relays_and_the_budget_comes_from_the_settings(tmp_path):
    settings = Settings(root=tmp_path, smtp_rate="300/heure", smtp_connections=3, smtp_retry_for=600)
    real = delivery_options(settings)
    assert (real.rate, real.connections, real.retry_for, real.max_attempts) == (Rate(300, 3600), 3, 600, None)
    assert delivery_options(settings, rate="20/minute", connections=8).rate == Rate(20, 60)
    outbox = delivery_options(settings, rehearsal=True)
    assert outbox.rate is None and outbox.rehearsal  # writing files has no relay to spare


def test_standing_counts_each_recipient_once(journal):
    everyone = [subscriber(f"abonne{n}@example.org") for n in range(6)]
    journal.register(CAMPAIGN, [s.email for s in everyone])
    journal.mark_sent(CAMPAIGN, "abonne0@example.org", "250 ok")
    journal.mark_failed(CAMPAIGN, "abonne1@example.org", "450 4.2.1 occupée", permanent=False)
    journal.mark_failed(CAMPAIGN, "abonne2@example.org", "552 5.2.2 pleine", permanent=True)
    journal.suppress("abonne3@example.org", "unsubscribe")

    counted = standing(CAMPAIGN, everyone, journal)
    assert counted == Standing(sent=1, suppressed=1, failed=2, to_send=2)
    assert counted.recipients == 6
    assert standing(CAMPAIGN, everyone, journal, retry_failed=True).to_send == 3  # the temporary failure too
    assert standing(CAMPAIGN, everyone, journal, rehearsal=True) == Standing(suppressed=1, to_send=5)
    assert standing(CAMPAIGN, everyone, None) == Standing(to_send=6)  # no journal yet


def test_test_copies_go_to_every_address_given_once(tmp_path):
    settings = Settings(root=tmp_path, test_recipients=("equipe@example.org",))
    given = ("moi@example.org", "Collegue@Example.org, moi@example.org", "")
    assert addresses_for_test_copies(given, settings) == ("moi@example.org", "Collegue@example.org")
    assert addresses_for_test_copies(("",), settings) == ("equipe@example.org",)  # --test alone


def test_test_copies_need_an_address_and_refuse_a_bad_one(tmp_path):
    with pytest.raises(UsageProblem, match="test_recipients"):
        addresses_for_test_copies(("",), Settings(root=tmp_path))
    with pytest.raises(UsageProblem, match="^--test"):
        addresses_for_test_copies(("moi@example.org,moi@",), Settings(root=tmp_path))
    with pytest.raises(UsageProblem, match="« test_recipients » dans inserecho.yaml"):
        addresses_for_test_copies((), Settings(root=Path("."), test_recipients=("pas une adresse",)))


@pytest.mark.parametrize(("messages", "hours"), [(0, 0), (300, 0), (301, 1), (2100, 6), (2101, 7)])
def test_the_estimate_counts_the_windows_the_limiter_waits_for(messages, hours):
    assert estimated_seconds(messages, Rate(300, 3600)) == hours * 3600


def test_without_a_rate_there_is_nothing_to_wait_for():
    assert estimated_seconds(5000, None) == 0
