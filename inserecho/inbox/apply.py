"""What the journal and the suppression list get from each message of the mailbox.

A hard bounce or a complaint puts the address on the suppression list at once; a soft
bounce is counted against its campaign, and an address that soft-bounced in
:data:`SOFT_BOUNCE_CAMPAIGNS` different campaigns is suppressed; an unsubscribe
request is honoured. Every message is remembered by its Message-ID, so a second pass
over the same mailbox changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from inserecho.content.addresses import address_key
from inserecho.inbox.classify import Verdict
from inserecho.send.journal import Journal
from inserecho.send.listfile import add_subscriber
from inserecho.send.message import MESSAGE_ID, campaign_label, message_id_key
from inserecho.send.tokens import TokenSigner
from inserecho.send.verp import Verp
from inserecho.web.notices import Notice, PayloadSigner, Signup, read_notice

SOFT_BOUNCE_CAMPAIGNS = 3


@dataclass(frozen=True)
class Applied:
    """``suppressed``: the address went on the suppression list because of this message."""

    verdict: Verdict
    campaign: str | None
    suppressed: bool


class JournalKeys:
    """The :class:`inserecho.inbox.classify.Keys` of a newsletter folder: its journal
    (who was mailed, in which campaign), its VERP tags and unsubscribe tokens."""

    def __init__(
        self, journal: Journal, signer: TokenSigner, verp: Verp, notices: PayloadSigner, domain: str,
        list_id: str, unsubscribe_address: str | None, listed: Iterable[str] = (),
    ):
        self._notices = notices
        self.list_id = list_id
        self.unsubscribe_address = unsubscribe_address
        self._journal, self._signer, self._verp, self._domain = journal, signer, verp, domain.casefold()
        self._listed = {address_key(a) for a in listed}
        self._known: set[str] | None = None
        self._tags: dict[str, str] | None = None
        self._by_label: dict[str, list[str]] | None = None
        self._ids: dict[str, dict[str, str]] = {}

    def verp_tags(self, text: str) -> Iterator[str]:
        for tag in self._verp.find_tags(text):
            if self._tags is None:
                self._tags = self._verp.index(self._known_addresses())
            if tag in self._tags:
                yield self._tags[tag]

    def message_ids(self, text: str) -> Iterator[tuple[str, str]]:
        for key, label, domain in MESSAGE_ID.findall(text):
            if domain.casefold() != self._domain:
                continue
            if self._by_label is None:
                self._by_label = {}
                for name in self._journal.campaigns():
                    self._by_label.setdefault(campaign_label(name), []).append(name)
            for campaign in self._by_label.get(label, []):
                if campaign not in self._ids:
                    self._ids[campaign] = {
                        message_id_key(campaign, a): a for a in self._journal.campaign_addresses(campaign)
                    }
                if key in self._ids[campaign]:
                    yield campaign, self._ids[campaign][key]

    def token_address(self, token: str) -> str | None:
        return self._signer.resolve(token)

    def notice(self, text: str) -> Notice | None:
        return read_notice(text, self._notices)

    def is_listed(self, address: str) -> bool:
        key = address_key(address)
        return key in self._listed or key in self._known_addresses()

    def _known_addresses(self) -> set[str]:
        if self._known is None:
            self._known = self._journal.known_addresses()
        return self._known


def apply(journal: Journal, message_id: str, verdict: Verdict, subscribers: Path | None = None) -> Applied:
    """Record the message and act on it (the caller holds the transaction).

    A confirmed sign-up takes the address off the suppression list (the only way back
    for someone who had left) and adds the reader to ``subscribers`` with the consent
    record, unless ``subscribers`` is ``None`` (a dry run).
    """
    address = verdict.address
    campaign = verdict.campaign
    if address and campaign is None and verdict.kind in ("hard_bounce", "soft_bounce", "complaint", "unsubscribe"):
        campaign = journal.last_campaign_sent_to(address)
    journal.record_message(message_id, verdict.kind, address, campaign, verdict.detail or None)
    if address is None:
        return Applied(verdict, campaign, False)
    where = f" ({campaign})" if campaign else ""
    if verdict.kind == "hard_bounce":
        return Applied(verdict, campaign, journal.suppress(address, "bounce", f"{verdict.detail}{where}"))
    if verdict.kind == "complaint":
        return Applied(verdict, campaign, journal.suppress(address, "complaint", f"plainte{where}"))
    if verdict.kind == "unsubscribe":
        return Applied(verdict, campaign, journal.suppress(address, "unsubscribe", verdict.detail))
    if verdict.kind == "signup" and verdict.notice is not None and verdict.notice.signup is not None:
        journal.unsuppress(address)
        if subscribers is not None:
            add_subscriber(subscribers, _entry(verdict.notice.signup, verdict.notice.time),
                           f"Inscription confirmée par le formulaire le {verdict.notice.time[:10]}")
        return Applied(verdict, campaign, False)
    if verdict.kind == "soft_bounce":
        campaigns = journal.soft_bounce_campaigns(address)
        if len(campaigns) >= SOFT_BOUNCE_CAMPAIGNS:
            source = f"échecs temporaires dans {len(campaigns)} campagnes ({', '.join(sorted(campaigns))})"
            return Applied(verdict, campaign, journal.suppress(address, "bounce", source))
    return Applied(verdict, campaign, False)


def _entry(signup: Signup, time: str) -> dict:
    return {
        "email": signup.email, "name": signup.name, "organisation": signup.organisation,
        "territories": [signup.territory] if signup.territory else [],
        "consent": {"date": time, "source": "formulaire", "version": signup.consent_version},
    }
