"""Preparing a send: images of the articles' text reach the readers as absolute addresses."""

from __future__ import annotations

import email
from email import policy

import pytest

from inserecho.problems import ContentError
from inserecho.send.campaign import prepare_campaign
from inserecho.send.subscribers import Subscriber
from inserecho.settings import load_settings
from issuefolder import ITEMS, NEWS, SETTINGS, SLUG, make_folder

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
WITH_BODY_IMAGE = {
    **ITEMS,
    "voeux.md": NEWS + "\n    ![Le stand du réseau](images/stand.png)\n",
    "images/stand.png": PNG,
}


READER = Subscriber("marie@example.org", "Marie", None, (), (), 1)


def test_a_body_image_is_absolute_in_the_message(tmp_path):
    root = make_folder(tmp_path, WITH_BODY_IMAGE)
    (root / ".inserecho-secret").write_bytes(b"s" * 32)
    settings = load_settings(root)

    campaign = prepare_campaign(settings, root / "issues" / SLUG, None, None)
    message = email.message_from_bytes(campaign.composer.compose(READER).data, policy=policy.default)
    html = message.get_body(("html",)).get_content()

    assert 'src="https://inser-eco93.example.org/inserecho/2027-01/images/stand.png"' in html
    assert "__INSERECHO_" not in html


def test_a_body_image_needs_archive_url_to_be_sent(tmp_path):
    settings_text = SETTINGS.replace('    archive_url: "https://inser-eco93.example.org/inserecho/"\n', "")
    root = make_folder(tmp_path, WITH_BODY_IMAGE, settings=settings_text)

    with pytest.raises(ContentError) as raised:
        prepare_campaign(load_settings(root), root / "issues" / SLUG, None, None)

    [problem] = raised.value.problems
    assert "« archive_url » n'est pas réglé" in problem.message
