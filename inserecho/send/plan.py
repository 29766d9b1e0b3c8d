"""The send's policy, settled before the first message leaves.

From the settings and the command line: the delivery options (a relay's rate limit
does not apply to an outbox), who gets the test copies, where each recipient stands
in the journal, and how long the send will take at the configured rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from inserecho.content.addresses import address_key, normalise_address
from inserecho.problems import InvalidValue, UsageProblem
from inserecho.send.delivery import DeliveryOptions
from inserecho.send.journal import Journal
from inserecho.send.ratelimit import Rate, parse_rate
from inserecho.send.subscribers import Subscriber
from inserecho.settings import Settings


def delivery_options(
    settings: Settings,
    *,
    connections: int | None = None,
    rate: str | None = None,
    retry_failed: bool = False,
    rehearsal: bool = False,
) -> DeliveryOptions:
    """The settings, overridden by the command line's ``connections`` and ``rate``.

    The rate limit is the relay's: a rehearsal, writing files to an outbox, has none.
    """
    wanted = rate or settings.smtp_rate
    return DeliveryOptions(
        connections=connections or settings.smtp_connections,
        rate=parse_rate(wanted) if wanted and not rehearsal else None,
        retry_for=settings.smtp_retry_for,
        max_attempts=settings.smtp_max_attempts,
        retry_failed=retry_failed,
        rehearsal=rehearsal,
    )


def addresses_for_test_copies(given: Iterable[str], settings: Settings) -> tuple[str, ...]:
    """Who gets a test copy: the ``--test`` values (each may be a comma list), else ``test_recipients``.

    Normalised, each address once, in the order given. Raises :class:`UsageProblem`
    naming the address that is not one, or when nobody is named anywhere.
    """
    raw = [part for value in given for part in value.split(",")]
    source = "--test"
    if not any(part.strip() for part in raw):
        raw, source = list(settings.test_recipients), "« test_recipients » dans inserecho.yaml"
    addresses: dict[str, str] = {}
    for part in raw:
        if not part.strip():
            continue
        try:
            address = normalise_address(part)
        except InvalidValue as error:
            raise UsageProblem(f"{source} : {error.message}") from None
        addresses.setdefault(address_key(address), address)
    if not addresses:
        raise UsageProblem(
            "à qui envoyer l'exemplaire de test ? Indiquez --test ADRESSE (répétable, ou plusieurs "
            "adresses séparées par des virgules), ou réglez « test_recipients » dans inserecho.yaml."
        )
    return tuple(addresses.values())


@dataclass(frozen=True)
class Standing:
    """Where a campaign's recipients stand, each counted once."""

    sent: int = 0
    suppressed: int = 0
    failed: int = 0  # failed in an earlier run, and not retried by this one
    to_send: int = 0

    @property
    def recipients(self) -> int:
        return self.sent + self.suppressed + self.failed + self.to_send


def standing(
    campaign: str, recipients: Iterable[Subscriber], journal: Journal | None, *,
    retry_failed: bool = False, rehearsal: bool = False,
) -> Standing:
    """Count the recipients by state in ``journal`` (None: nothing sent yet).

    A rehearsal starts afresh: only the suppression list applies to it.
    """
    states = journal.states(campaign) if journal and not rehearsal else {}
    unsubscribed = journal.suppressed_addresses() if journal else set()
    waiting = {None, "pending", "suppressed", *(("failed_temporary",) if retry_failed else ())}
    sent = suppressed = failed = to_send = 0
    for subscriber in recipients:
        key = address_key(subscriber.email)
        state = states.get(key)
        if state == "sent":
            sent += 1
        elif key in unsubscribed:
            suppressed += 1
        elif state in waiting:  # "suppressed": since taken off the list
            to_send += 1
        else:
            failed += 1
    return Standing(sent, suppressed, failed, to_send)


def estimated_seconds(messages: int, rate: Rate | None) -> float:
    """How long ``messages`` take under ``rate``: 0 when they fit in one window.

    The limiter lets a window's worth go at once, then each later batch a window after
    the previous one, so the last batch starts ``(messages - 1) // count`` windows in;
    the time to hand over each batch is not counted.
    """
    if rate is None or messages <= 0:
        return 0.0
    return (messages - 1) // rate.count * rate.seconds
