from inserecho.send.transport.replies import (
    PermanentFailure,
    Reply,
    TemporaryFailure,
    failure_for,
    is_hard_bounce,
)


def test_hard_bounce_rules():
    assert is_hard_bounce(Reply(550, "5.1.2 Domaine introuvable"))
    assert is_hard_bounce(Reply(550, "5.2.1 Boîte désactivée"))
    assert is_hard_bounce(Reply(553, "Utilisateur inconnu"))
    assert not is_hard_bounce(Reply(550, "5.2.2 Boîte pleine"))
    assert not is_hard_bounce(Reply(450, "4.1.1 Inconnu pour l'instant"))
    assert not is_hard_bounce(Reply(554, "Transaction failed"))
    assert not is_hard_bounce(Reply(553, "5.1.7 <lettre@example.org>: Sender address syntax"))
    assert not is_hard_bounce(Reply(550, "5.1.8 <lettre@example.org>: Sender domain not found"))

def test_a_refusal_is_classified_by_its_code():
    assert isinstance(failure_for(Reply(550, "5.1.1 Inconnu")), PermanentFailure)
    assert isinstance(failure_for(Reply(451, "4.3.0 Réessayez")), TemporaryFailure)
    assert isinstance(failure_for(Reply(None, "connexion coupée")), TemporaryFailure)


def test_throttled_only_when_the_relay_speaks_of_pace():
    assert TemporaryFailure(Reply(421, "4.7.0 Ralentissez")).throttled
    assert TemporaryFailure(Reply(452, "4.5.3 Too many recipients, slow down")).throttled
    assert not TemporaryFailure(Reply(452, "4.2.2 Mailbox full")).throttled
