import email
from dataclasses import dataclass, replace
from email import policy
from pathlib import Path

import pytest

from inserecho.content.loader import load_issue
from inserecho.render import slots
from inserecho.render.renderer import render_issue
from inserecho.send.message import MESSAGE_ID, Composer, HeaderError, message_id_key
from inserecho.send.tokens import TokenSigner
from inserecho.send.verp import Verp
from inserecho.settings import load_settings

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Person:
    email: str
    name: str | None = None
    first_name: str | None = None


@pytest.fixture(scope="module")
def settings():
    # the packaged settings leave the one-click page out: nothing serves it by default
    return replace(load_settings(REPO), unsubscribe_url="https://inser-eco93.example.org/desinscription")


@pytest.fixture(scope="module")
def rendered(settings):
    return render_issue(load_issue(REPO / "issues" / "2026-12", settings), settings)


def make_composer(rendered, settings, **kwargs):
    signer = TokenSigner(b"test-secret", settings.list_id)
    return Composer(rendered, settings, signer, "2026-12", "https://archive.example.org/2026-12", **kwargs)


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def test_every_message_is_multipart_alternative_with_the_list_headers(rendered, settings):
    message = make_composer(rendered, settings).compose(Person("marie@example.org", "Marie Dupont"))
    parsed = parse(message.data)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parsed.iter_parts())
    assert parsed["To"] == "Marie Dupont <marie@example.org>"
    assert parsed["From"].addresses[0].addr_spec == "lettre@inser-eco93.example.org"
    assert parsed["Reply-To"] == "contact@inser-eco93.example.org"
    assert parsed["Subject"] == rendered.subject
    assert parsed["Message-ID"].endswith("@inser-eco93.example.org>")
    assert parsed["Date"]
    assert parsed["List-Id"] == "Inser'Echo <inserecho.inser-eco93.example.org>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mailto, https = parsed["List-Unsubscribe"].split(", ")
    assert mailto.startswith("<mailto:desinscription@inser-eco93.example.org?subject=unsubscribe%20")
    assert https.startswith("<https://inser-eco93.example.org/desinscription?token=")
    assert message.sender == "lettre@inser-eco93.example.org"
    assert message.recipient == "marie@example.org"
    assert not message.smtputf8


def test_only_the_greeting_and_the_unsubscribe_link_change_per_recipient(rendered, settings):
    composer = make_composer(rendered, settings)
    signer = TokenSigner(b"test-secret", settings.list_id)
    parsed = parse(composer.compose(Person("marie@example.org", "Marie")).data)
    html = parsed.get_body(("html",)).get_content()
    text = parsed.get_body(("plain",)).get_content()
    unsubscribe = f"https://inser-eco93.example.org/desinscription?token={signer.token('marie@example.org')}"
    values = {
        slots.GREETING: "Bonjour Marie,",
        slots.UNSUBSCRIBE_URL: unsubscribe,
        slots.ASSETS: "https://archive.example.org/2026-12",
    }
    # decoded parts are exactly the rendered issue with its slots filled
    assert html == slots.fill_html(rendered.html, values)
    assert text.replace("\r\n", "\n") == slots.fill_text(rendered.text, values)
    assert "https://archive.example.org/2026-12/images/" in html


def test_a_subscriber_without_a_name_gets_a_neutral_greeting(rendered, settings):
    parsed = parse(make_composer(rendered, settings).compose(Person("anonyme@example.org")).data)
    assert parsed["To"] == "anonyme@example.org"
    assert parsed.get_body(("plain",)).get_content().startswith("Bonjour,\n")


def test_display_names_are_encoded_and_message_ids_stable_per_recipient(rendered, settings):
    composer = make_composer(rendered, settings)
    first = composer.compose(Person("andre@example.org", "André Lefèvre"))
    assert b"=?utf-8?" in first.data.split(b"\n", 1)[0]  # the To line is RFC 2047 encoded
    assert parse(first.data)["To"] == "André Lefèvre <andre@example.org>"
    again = composer.compose(Person("andre@example.org", "André Lefèvre"))
    assert parse(first.data)["Message-ID"] == parse(again.data)["Message-ID"]
    other = composer.compose(Person("zoe@example.org"))
    assert parse(first.data)["Message-ID"] != parse(other.data)["Message-ID"]


def test_internationalised_addresses_use_smtputf8_only_when_the_local_part_needs_it(rendered, settings):
    composer = make_composer(rendered, settings)
    idn_domain = composer.compose(Person("marie@exämple.org"))
    assert (idn_domain.recipient, idn_domain.smtputf8) == ("marie@xn--exmple-cua.org", False)
    eai = composer.compose(Person("andré@example.org"))
    assert (eai.recipient, eai.smtputf8) == ("andré@example.org", True)


def test_a_test_copy_is_marked_in_the_subject_and_gets_a_fresh_message_id(rendered, settings):
    composer = make_composer(rendered, settings, test=True)
    one, two = (parse(composer.compose(Person("moi@example.org")).data) for _ in range(2))
    assert one["Subject"].startswith("[Test] ")
    assert one["Message-ID"] != two["Message-ID"]


@pytest.mark.parametrize("name", ["Marie\r\nBcc: victime@example.org", "Marie\nX-Spam: oui", "Marie\rDupont"])
def test_a_line_break_in_a_name_is_refused_before_anything_is_built(rendered, settings, name):
    composer = make_composer(rendered, settings)
    with pytest.raises(HeaderError, match="saut de ligne"):
        composer.check(Person("marie@example.org", name))
    with pytest.raises(HeaderError):
        composer.compose(Person("marie@example.org", name))


def test_a_line_break_in_the_subject_is_refused(rendered, settings):
    with pytest.raises(HeaderError, match="Subject"):
        make_composer(replace(rendered, subject="Inser'Echo\nBcc: tous@example.org"), settings)


def test_without_an_https_unsubscribe_page_there_is_no_one_click_header(rendered, settings):
    composer = make_composer(rendered, replace(settings, unsubscribe_url=None))
    parsed = parse(composer.compose(Person("marie@example.org")).data)
    assert "List-Unsubscribe-Post" not in parsed
    assert parsed["List-Unsubscribe"].startswith("<mailto:")
    assert (
        "mailto:desinscription@inser-eco93.example.org?subject=unsubscribe" in parsed.get_body(("html",)).get_content()
    )


@pytest.mark.parametrize("name", ["Martin, Elodie", "Élodie Martin", "Élodie \"la cheffe\" Martin"])
def test_an_internationalised_address_keeps_a_well_formed_display_name(rendered, settings, name):
    data = make_composer(rendered, settings).compose(Person("élodie@example.org", name)).data
    # the To line is raw UTF-8 (SMTPUTF8): read it as text, as an SMTPUTF8 server does
    parsed = email.message_from_string(data.decode("utf-8"), policy=policy.default)
    (address,) = parsed["To"].addresses
    assert (address.display_name, address.addr_spec) == (name, "élodie@example.org")


def test_the_envelope_sender_carries_the_recipients_verp_tag(rendered, settings):
    verp = Verp(b"test-secret", settings.list_id, "lettre@inser-eco93.example.org")
    composer = make_composer(rendered, settings, verp=verp)
    message = composer.compose(Person("marie@example.org"))
    assert message.sender == verp.envelope("marie@example.org")
    assert parse(message.data)["From"].addresses[0].addr_spec == "lettre@inser-eco93.example.org"
    assert (
        make_composer(rendered, settings).compose(Person("marie@example.org")).sender
        == "lettre@inser-eco93.example.org"
    )


@pytest.mark.parametrize(
    "name",
    [
        "Camille Dupré",
        "Zoë",
        "Jérôme Lefèvre-Dupré de la Côte-d'Ivoire",
        "Марина",
        "陈静",
        "Martin, Elodie",
        "Élodie \"la cheffe\" Martin",
        "Anaïs_Ben-Ali (SIAE)",
        "Ø",
    ],
)
def test_the_to_header_is_written_as_formataddr_writes_it(rendered, settings, name):
    from email.utils import formataddr

    data = make_composer(rendered, settings).compose(Person("camille@example.org", name)).data
    to = data.split(b"\n", 1)[0].decode("ascii")
    assert to == f"To: {formataddr((name, 'camille@example.org'), charset='utf-8')}"


def test_a_dry_run_composes_the_first_recipient_of_each_header_shape(rendered, settings):
    composer = make_composer(rendered, settings)
    people = [
        Person("a@example.org"),
        Person("b@example.org"),  # same shape as a: no name, ASCII address
        Person("c@example.org", "Claire Martin"),
        Person("d@example.org", "Dominique Lefèvre"),  # a non-ASCII name is encoded: another shape
        Person("e@example.org", "Élise Roux"),
        Person("andré@example.org"),  # SMTPUTF8
        Person("f@exämple.org"),  # an IDN domain, sent as its ASCII form
        Person("g@example.org", first_name="Gaëlle"),  # a greeting without a display name
    ]
    samples = composer.samples(people)
    assert [message.recipient for message in samples] == [
        "a@example.org",
        "c@example.org",
        "d@example.org",
        "andré@example.org",
        "f@xn--exmple-cua.org",
        "g@example.org",
    ]
    assert parse(samples[2].data)["To"] == "Dominique Lefèvre <d@example.org>"  # whole messages, as sent


def test_our_message_id_is_found_behind_any_number_of_broken_ones():
    # A report may be hostile: ids cut after their « @ » once hid ours and, by the
    # thousand, made the search quadratic (256 KB of them took 22 s).
    key = message_id_key("2026-12", "marie@example.org")
    text = ("<" + "0" * 24 + ".a@") * 40_000 + f"<{key}.2026-12@inser-eco93.example.org>"
    assert [match.group(1) for match in MESSAGE_ID.finditer(text)] == [key]
