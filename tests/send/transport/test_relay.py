import pytest

from inserecho.problems import UsageProblem
from inserecho.send.transport.relay import RelayConfig

SECRET = "p@ss:w/rd?#très-secret"
NO_ENV: dict[str, str] = {}


def test_smtps_url_with_user_and_default_port():
    config = RelayConfig.from_url("smtps://lettre@smtp.example.org", environ=NO_ENV)
    assert (config.scheme, config.host, config.port, config.username) == ("smtps", "smtp.example.org", 465, "lettre")
    assert config.implicit_tls
    assert config.password is None
    assert config.describe() == "smtps://lettre@smtp.example.org:465"


@pytest.mark.parametrize(
    "url, port",
    [("smtp://relay.example.org", 25), ("smtp://relay.example.org:587", 587), ("SMTP://relay.example.org:2525/", 2525)],
)
def test_ports(url, port):
    config = RelayConfig.from_url(url, environ=NO_ENV)
    assert config.port == port
    assert not config.implicit_tls


def test_password_from_environment():
    config = RelayConfig.from_url(
        "smtp://lettre@relay.example.org:587", environ={"INSERECHO_SMTP_PASSWORD": SECRET}
    )
    assert config.password == SECRET


def test_password_from_url_is_percent_decoded_and_wins():
    config = RelayConfig.from_url(
        "smtp://lettre%40asso.org:p%40ss%3Aw%2Frd@relay.example.org:587",
        environ={"INSERECHO_SMTP_PASSWORD": "other"},
    )
    assert config.username == "lettre@asso.org"
    assert config.password == "p@ss:w/rd"


def test_password_never_shown():
    config = RelayConfig.from_url("smtp://lettre@relay.example.org", environ={"INSERECHO_SMTP_PASSWORD": SECRET})
    assert "password" not in repr(config)
    for text in (repr(config), str(config), config.describe(), f"{config}"):
        assert SECRET not in text
        assert "relay.example.org" in text


def test_ipv6_loopback():
    config = RelayConfig.from_url("smtp://[::1]:1025", environ=NO_ENV)
    assert config.host == "::1" and config.port == 1025
    assert config.describe() == "smtp://[::1]:1025"
    assert config.is_loopback


@pytest.mark.parametrize(
    "host, loopback",
    [("localhost", True), ("LOCALHOST", True), ("127.0.0.1", True), ("127.8.9.10", True),
     ("[::1]", True), ("relay.example.org", False), ("10.0.0.5", False), ("localhost.example.org", False)],
)
def test_tls_is_required_off_loopback(host, loopback):
    config = RelayConfig.from_url(f"smtp://{host}:25", environ=NO_ENV)
    assert config.is_loopback is loopback
    assert config.requires_tls is not loopback
    insecure = RelayConfig.from_url(f"smtp://{host}:25", environ=NO_ENV, insecure=True)
    assert not insecure.requires_tls


@pytest.mark.parametrize(
    "url, words",
    [
        ("relay.example.org", "incomplète"),
        ("smpt://relay.example.org", "vouliez-vous dire « smtp »"),
        ("http://relay.example.org", "protocole « http » inconnu"),
        ("smtp://relay.example.org:abc", "port « abc » invalide"),
        ("smtp://relay.example.org:70000", "port « 70000 » invalide"),
        ("smtp://:1025", "nom du serveur SMTP manquant"),
        ("smtp://relay.example.org/boite", "ni chemin ni paramètres"),
        ("smtp://relay.example.org:25?tls=non", "ni chemin ni paramètres"),
    ],
)
def test_invalid_urls_explained_in_french(url, words):
    with pytest.raises(UsageProblem) as error:
        RelayConfig.from_url(url, environ=NO_ENV)
    assert words in str(error.value)
    assert "smtps://identifiant@serveur:465" in str(error.value)


@pytest.mark.parametrize(
    "url",
    [
        "smtp://lettre:Zq9/xK7w@relay.example.org:587",  # an unencoded "/" cuts the URL short
        "smtp://lettre:Zq9#xK7w@relay.example.org:587",
        "smtp://lettre:Zq9?xK7w@relay.example.org",
        "smtp://:Zq9xK7w@relay.example.org",
        "smtp://lettre:Zq9xK7w@relay.example.org:bad",
    ],
)
def test_errors_never_contain_the_password(url):
    with pytest.raises(UsageProblem) as error:
        RelayConfig.from_url(url, environ=NO_ENV)
    for piece in ("Zq9", "xK7w"):
        assert piece not in str(error.value)
