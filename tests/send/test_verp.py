from inserecho.send.verp import Verp

SENDER = "lettre@inser-eco93.example.org"


def test_each_recipient_gets_an_opaque_return_path_that_reads_back():
    verp = Verp(b"secret", "inserecho.example.org", SENDER)
    marie, paul = verp.envelope("Marie@Example.org"), verp.envelope("paul@example.org")
    assert marie.startswith("lettre+b-") and marie.endswith("@inser-eco93.example.org")
    assert marie != paul
    assert "marie" not in marie.casefold()
    index = verp.index(["marie@example.org", "paul@example.org"])
    assert index[verp.tag_of(marie)] == "marie@example.org"
    # some relays and mailboxes change the case of the local part
    assert index[verp.tag_of(f"<{marie.upper()}>")] == "marie@example.org"


def test_addresses_that_are_not_ours_have_no_tag():
    verp = Verp(b"secret", "inserecho.example.org", SENDER)
    assert verp.tag_of("lettre@inser-eco93.example.org") is None
    assert verp.tag_of("autre+b-abc@example.org") is None
    assert verp.tag_of("contact+b-abc@inser-eco93.example.org") is None


def test_another_secret_gives_other_tags():
    one = Verp(b"secret", "inserecho.example.org", SENDER)
    other = Verp(b"another", "inserecho.example.org", SENDER)
    assert one.tag("marie@example.org") != other.tag("marie@example.org")
