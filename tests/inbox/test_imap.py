import pytest

from inserecho.inbox.imap import ImapConfig, _utf7
from inserecho.problems import UsageProblem

NO_ENV: dict[str, str] = {}


def test_imaps_with_a_full_address_as_identifier_and_the_password_from_the_environment():
    config = ImapConfig.from_url(
        "imaps://lettre@inser-eco93.example.org@imap.example.org", environ={"INSERECHO_IMAP_PASSWORD": "s3cr3t"}
    )
    assert (config.scheme, config.host, config.port) == ("imaps", "imap.example.org", 993)
    assert config.username == "lettre@inser-eco93.example.org"
    assert config.implicit_tls and config.password == "s3cr3t"
    assert "s3cr3t" not in repr(config) + str(config)


def test_imap_is_starttls_on_143_and_clear_text_only_to_loopback():
    config = ImapConfig.from_url("imap://lettre@imap.example.org", environ=NO_ENV)
    assert config.port == 143 and not config.implicit_tls and config.requires_tls
    assert not ImapConfig.from_url("imap://lettre@127.0.0.1:1143", environ=NO_ENV).requires_tls


@pytest.mark.parametrize("url, words", [
    ("imsp://imap.example.org", "vouliez-vous dire « imap »"),
    ("imaps://imap.example.org:99999", "port « 99999 » invalide pour le serveur IMAP"),
    ("smtps://imap.example.org", "protocole « smtps » inconnu pour le serveur IMAP"),
])
def test_bad_urls_are_explained_in_french(url, words):
    with pytest.raises(UsageProblem) as error:
        ImapConfig.from_url(url, environ=NO_ENV)
    assert words in str(error.value)
    assert "imaps://identifiant@serveur:993" in str(error.value)


def test_folder_names_in_modified_utf7():
    assert _utf7("inserecho-traite") == "inserecho-traite"
    assert _utf7("Traités") == "Trait&AOk-s"
    assert _utf7("A&B") == "A&-B"
