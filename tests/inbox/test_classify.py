"""Classification of real-world messages; who they are about comes from a small table
standing for the journal (the journal-backed keys are tested in test_apply)."""

import email
from dataclasses import dataclass, field

import pytest

from inserecho.inbox.classify import classify
from inserecho.web.notices import (
    NOTICE_PURPOSE,
    Notice,
    PayloadSigner,
    notice_message,
    read_notice,
)
from mailbox_messages import MESSAGES, fill

LIST_ID = "inserecho.inser-eco93.example.org"
NOTICES = PayloadSigner(b"secret", LIST_ID, NOTICE_PURPOSE)


@dataclass
class Keys:
    """``ours``: text found in a report -> (campaign, address) of our message it returns."""

    listed: set[str] = field(default_factory=set)
    ours: dict[str, tuple[str, str]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    verp: dict[str, str] = field(default_factory=dict)
    list_id: str = LIST_ID
    unsubscribe_address: str = "desinscription@inser-eco93.example.org"

    def verp_tags(self, text):
        return (address for envelope, address in self.verp.items() if envelope in text)

    def message_ids(self, text):
        return (found for fragment, found in self.ours.items() if fragment in text)

    def token_address(self, token):
        return self.tokens.get(token)

    def is_listed(self, address):
        return address.casefold() in self.listed

    def notice(self, text):
        return read_notice(text, NOTICES)


def verdict(name, keys, **values):
    raw = fill(name, **values)
    return classify(email.message_from_bytes(raw), raw, keys)


@pytest.mark.parametrize(
    "name, address",
    [
        ("postfix_01.eml", "xxxxx@local.ie"),  # Postfix, before DSNs
        ("exim_01.eml", "userx@its.example.nl"),  # Exim
        ("microsoft_01.eml", "userx@example.com"),  # Exchange
        ("simple_17.eml", "userx@example.com"),  # Gmail, the original message removed
        ("dsn_16.eml", "userx@example.com"),  # a DSN, "5.0.0" with "unknown user"
    ],
)
def test_hard_bounces_of_many_mtas_name_the_listed_recipient(name, address):
    result = verdict(name, Keys(listed={address.casefold()}))
    assert (result.kind, result.address) == ("hard_bounce", address.casefold())
    assert "adresse inexistante" in result.detail


def test_a_dsn_with_5_1_1_returning_our_message_is_a_hard_bounce_of_its_campaign():
    ours = {"<mailman.2721.1143482819.1567.gpc-talk@grizz.org>": ("2026-12", "userx@example.com.dk")}
    result = verdict("dsn_14.eml", Keys(ours=ours))
    assert (result.kind, result.address, result.campaign) == ("hard_bounce", "userx@example.com.dk", "2026-12")
    assert "5.1.1" in result.detail


def test_delayed_is_a_soft_bounce_never_a_hard_one():
    ours = {"userx@example.cz": ("2026-12", "userx@example.cz")}
    result = verdict("dsn_05.eml", Keys(ours=ours))
    assert (result.kind, result.address) == ("soft_bounce", "userx@example.cz")
    assert "4.4.1" in result.detail


def test_a_refusal_as_spam_is_not_about_the_address():
    result = verdict("simple_42.eml", Keys(listed={"david...@gmail.com"}))
    assert result.kind == "soft_bounce"


def test_the_verp_envelope_wins_over_a_forwarding_address():
    # the subscriber forwards to an address that bounces: the bounce names the other one
    keys = Keys(listed={"userx@example.com"}, verp={"lettre+b-": "marie@example.org"})
    raw = (
        (MESSAGES / "dsn_16.eml")
        .read_bytes()
        .replace(
            b"To: <mailman-bounces@strategicnetwork.org>", b"To: <lettre+b-abcdefghijklmnop@inser-eco93.example.org>"
        )
    )
    result = classify(email.message_from_bytes(raw), raw, keys)
    assert (result.kind, result.address) == ("hard_bounce", "marie@example.org")


def test_a_bounce_for_an_address_not_on_the_list_is_for_a_human():
    result = verdict("dsn_16.eml", Keys())
    assert result.kind == "human"
    assert "userx@example.com" in result.detail


def test_a_bounce_returning_another_message_changes_nothing():
    # the returned message is someone else's (its Message-ID is not one of ours)
    result = verdict("dsn_14.eml", Keys(listed={"userx@example.com.dk"}))
    assert result.kind == "human"
    assert "autre envoi" in result.detail


def test_a_bounce_of_another_newsletter_changes_nothing():
    raw = (
        (MESSAGES / "simple_17.eml")
        .read_bytes()
        .replace(b"Message removed", b"List-Id: Autre lettre <autre.example.org>\nSubject: autre")
    )
    result = classify(email.message_from_bytes(raw), raw, Keys(listed={"userx@example.com"}))
    assert result.kind == "human"


def test_a_list_id_line_of_angle_brackets_is_read_at_once():
    # Each « < » of a List-Id line made the search run to its end again: 64,000 took 40 s.
    raw = (MESSAGES / "simple_17.eml").read_bytes()
    hostile = raw.replace(b"Message removed", b"List-Id: " + b"<" * 100_000 + b"\nSubject: autre")
    keys = Keys(listed={"userx@example.com"})
    expected = classify(email.message_from_bytes(raw), raw, keys)
    assert classify(email.message_from_bytes(hostile), hostile, keys).kind == expected.kind


def test_a_html_only_mail_of_unclosed_tags_is_read_as_text():
    raw = (b"From: x@example.org\nTo: desinscription@inser-eco93.example.org\nSubject: stop\n"
           b"Content-Type: text/html; charset=utf-8\n\n<p>Merci de me d\xc3\xa9sinscrire</p>" + b"<" * 20_000)
    result = classify(email.message_from_bytes(raw), raw, Keys(listed={"x@example.org"}))
    assert result.kind == "unsubscribe"


def test_an_arf_abuse_report_is_a_complaint():
    original = "Message-ID: <ours>\nSubject: Inser'Echo\n\nBonjour"
    keys = Keys(ours={"<ours>": ("2026-12", "marie@example.org")})
    result = verdict(
        "arf_abuse.eml",
        keys,
        verp="lettre+b-x@inser-eco93.example.org",
        recipient="marie@example.org",
        original=original,
    )
    assert (result.kind, result.address, result.campaign) == ("complaint", "marie@example.org", "2026-12")


def test_an_arf_report_with_a_redacted_original_uses_the_listed_original_recipient():
    keys = Keys(listed={"marie@example.org"})
    result = verdict(
        "arf_abuse.eml", keys, verp="x@example.org", recipient="marie@example.org", original="Subject: (supprimé)\n\n"
    )
    assert (result.kind, result.address) == ("complaint", "marie@example.org")


def test_gmails_mailto_unsubscribe_with_our_token():
    keys = Keys(tokens={"abc.def": "marie@example.org"})
    result = verdict("gmail_unsubscribe.eml", keys, recipient="marie@example.org", subject="unsubscribe abc.def")
    assert (result.kind, result.address) == ("unsubscribe", "marie@example.org")


def test_a_forged_token_is_no_unsubscribe():
    result = verdict("gmail_unsubscribe.eml", Keys(), recipient="x@example.org", subject="unsubscribe abc.forged")
    assert result.kind == "human"


def test_a_plain_request_from_a_listed_address():
    keys = Keys(listed={"marie@example.org"})
    result = verdict("gmail_unsubscribe.eml", keys, recipient="marie@example.org", subject="Désinscription")
    assert (result.kind, result.address) == ("unsubscribe", "marie@example.org")
    stranger = verdict("gmail_unsubscribe.eml", Keys(), recipient="x@example.org", subject="Désinscription")
    assert stranger.kind == "human"


def test_an_out_of_office_is_ignored():
    keys = Keys(listed={"s.nguyen@logis-des-canaux.example.org"})
    result = verdict("out_of_office.eml", keys, recipient="s.nguyen@logis-des-canaux.example.org", message_id="x@y")
    assert result.kind == "auto_reply"


def test_a_readers_reply_quoting_the_unsubscribe_link_is_for_a_human():
    keys = Keys(listed={"k.haddad@regie-exemple.example.org"}, tokens={"abc.def": "k.haddad@regie-exemple.example.org"})
    result = verdict(
        "reader_reply.eml", keys, recipient="k.haddad@regie-exemple.example.org", message_id="x@y", token="abc.def"
    )
    assert result.kind == "human"
    assert "Re: Inser’Echo n° 43" in result.detail


def test_raw_utf8_headers_of_an_internationalised_address():
    # RFC 6532: the reader's address is in UTF-8 in the headers, not encoded
    keys = Keys(listed={"andré.lefèvre@example.org"})
    result = verdict("gmail_unsubscribe.eml", keys, recipient="andré.lefèvre@example.org", subject="Désinscription")
    assert (result.kind, result.address) == ("unsubscribe", "andré.lefèvre@example.org")
    bounce = verdict(
        "postfix_dsn.eml",
        keys,
        verp="x@example.org",
        recipient="andré.lefèvre@example.org",
        action="failed",
        status="5.1.1",
        diagnostic="550 5.1.1 unknown",
        queue_id="1",
        headers="",
    )
    assert (bounce.kind, bounce.address) == ("hard_bounce", "andré.lefèvre@example.org")


def test_a_notice_of_the_web_side_is_applied_only_when_its_signature_holds():
    notice = Notice("unsubscribe", "Marie@example.org", "2027-01-08T10:12:44+01:00")
    raw = notice_message(
        notice, NOTICES, "lettre@inser-eco93.example.org", "desinscription@inser-eco93.example.org"
    ).as_bytes()
    result = classify(email.message_from_bytes(raw), raw, Keys())
    assert (result.kind, result.address, result.notice) == ("unsubscribe", "marie@example.org", notice)
    forged = raw.replace(b"inserecho-avis: ", b"inserecho-avis: x")
    assert classify(email.message_from_bytes(forged), forged, Keys()).kind == "human"
    other = notice_message(notice, PayloadSigner(b"autre", LIST_ID, NOTICE_PURPOSE), "a@b.org", "c@d.org").as_bytes()
    assert "signature invalide" in classify(email.message_from_bytes(other), other, Keys()).detail
