"""Rendering an issue once: inlined HTML and plain text that still hold the per-recipient slots."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from inserecho.content.loader import load_issue
from inserecho.french.typography import NBSP, NNBSP
from inserecho.render import slots
from inserecho.render.renderer import RenderedIssue, render_issue, web_url
from inserecho.settings import Settings, load_settings
from issuefolder import ITEMS, SETTINGS, SLUG, make_folder, run_cli, write_files

TYPOGRAPHY = """\
    ---
    section: news
    title: "L'IAE en \\"chiffres\\" : le bilan"
    link: https://example.org/l'iae?annee=2025&format=pdf
    ---
    Le programme "Relance-Transition" démarre : voir [la page](https://example.org/d'envol?x=1&y=2) !
    """


def render(root: Path, variant: str = "email") -> tuple[RenderedIssue, Settings]:
    settings = load_settings(root)
    return render_issue(load_issue(root / "issues" / SLUG, settings), settings, variant), settings


def test_the_email_keeps_its_slots_for_each_recipient(tmp_path):
    news = ITEMS["voeux.md"].replace(
        "    ---\n    Rendez", "    image: voeux.png\n    image_alt: Carte de vœux\n    ---\n    Rendez"
    )
    rendered, settings = render(make_folder(tmp_path, {"voeux.md": news, "voeux.png": b"\x89PNG\r\n\x1a\n"}))

    assert f'<img class="card-image" src="{slots.ASSETS}/voeux.png"' in rendered.html
    assert slots.GREETING in rendered.html and slots.UNSUBSCRIBE_URL in rendered.html
    assert slots.GREETING in rendered.text and slots.UNSUBSCRIBE_URL in rendered.text
    assert rendered.images == (Path("voeux.png"),)
    assert rendered.subject == f"Inser’Echo n°{NBSP}43{NBSP}: les vœux du réseau"
    assert rendered.preheader == "Un marché réservé, un appel à projets et une offre d’emploi."


def test_the_web_version_has_no_greeting_nor_unsubscribe_link(tmp_path):
    rendered, _ = render(make_folder(tmp_path), "web")

    assert slots.GREETING not in rendered.html and slots.UNSUBSCRIBE_URL not in rendered.html
    assert "Se désinscrire" not in rendered.html and "Voir dans le navigateur" not in rendered.html
    assert slots.UNSUBSCRIBE_URL not in rendered.text


def test_without_an_archive_there_is_no_link_to_the_web_version(tmp_path):
    root = make_folder(
        tmp_path, settings=SETTINGS.replace('archive_url: "https://inser-eco93.example.org/inserecho/"', "")
    )

    rendered, settings = render(root)

    assert web_url(settings, SLUG) is None
    assert "Voir dans le navigateur" not in rendered.html + rendered.text


def test_web_url_is_the_archive_address_plus_the_slug():
    settings = Settings(root=Path("."), archive_url="https://inser-eco93.example.org/inserecho")

    assert web_url(settings, "2027-01") == "https://inser-eco93.example.org/inserecho/2027-01/"


def test_french_typography_in_the_text_but_not_in_urls_or_attributes(tmp_path):
    rendered, _ = render(make_folder(tmp_path, {"iae.md": TYPOGRAPHY}))

    html = lxml.html.fromstring(rendered.html)
    [title] = html.find_class("card-title")
    assert title.text_content() == f"L’IAE en «{NBSP}chiffres{NBSP}»{NBSP}: le bilan"
    [body] = html.find_class("card-text")
    assert body.text_content() == f"Le programme «{NBSP}Relance-Transition{NBSP}» démarre{NBSP}: voir la page{NNBSP}!"
    hrefs = [a.get("href") for a in html.iter("a")]
    assert "https://example.org/d'envol?x=1&y=2" in hrefs
    assert "https://example.org/l'iae?annee=2025&format=pdf" in hrefs
    assert f"L’IAE en «{NBSP}chiffres{NBSP}»{NBSP}: le bilan" in rendered.text
    assert f"(https://example.org/d'envol?x=1&y=2){NNBSP}!" in rendered.text
    assert f"En savoir plus{NBSP}: https://example.org/l'iae?annee=2025&format=pdf" in rendered.text


def test_items_appear_in_their_sorted_order(tmp_path):
    offer = ITEMS["offre.md"]
    root = make_folder(tmp_path, {
        "a.md": offer.replace("deadline: 2027-01-15", "deadline: 2027-03-01"),
        "b.md": offer,
        "c.md": offer.replace("deadline: 2027-01-15", "deadline: 2027-04-01\n    order: 1"),
    })

    rendered, _ = render(root)

    cards = lxml.html.fromstring(rendered.html).find_class("card")
    assert [card.get("id") for card in cards] == ["article-c", "article-b", "article-a"]


def test_a_folder_may_override_one_template_file(tmp_path):
    root = make_folder(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "email.css").write_text(".title { color: #123456; }\n", encoding="utf-8")

    rendered, _ = render(root)

    [title] = lxml.html.fromstring(rendered.html).find_class("title")
    assert title.get("style") == "color:#123456"
    assert "Voir dans le navigateur" in rendered.html  # the rest still comes from the packaged templates


def _built_with(tmp_path: Path, templates: dict[str, str | bytes]):
    root = make_folder(tmp_path)
    write_files(root, {f"templates/{name}": content for name, content in templates.items()})
    return root, run_cli(root, "build", SLUG)


def test_a_template_override_that_is_not_utf8_is_named_at_its_line(tmp_path):
    _, run = _built_with(tmp_path, {"email.css": b"p { color: red; }\n/* \xe9 */\n"})

    assert run.code == 1, run.output
    assert "templates/email.css:2: " in run.err and "UTF-8" in run.err


def test_an_item_template_that_is_not_utf8_is_named(tmp_path):
    _, run = _built_with(tmp_path, {"item.html": b"<p>\xe9</p>\n"})

    assert run.code == 1, run.output
    assert "templates/item.html:1: " in run.err and "UTF-8" in run.err


def test_a_template_that_includes_itself_is_a_message(tmp_path):
    _, run = _built_with(tmp_path, {"item.html": '{% include "item.html" %}\n'})

    assert run.code == 1, run.output
    assert "templates" in run.err and "lui-même" in run.err


def test_an_undefined_name_in_a_template_is_named_at_its_file_and_line(tmp_path):
    _, run = _built_with(tmp_path, {"item.html": "<p>Article</p>\n<p>{{ nope }}</p>\n"})

    assert run.code == 1, run.output
    assert "templates/item.html:2: " in run.err and "« nope » n'est pas défini" in run.err


def test_a_template_linked_outside_the_folder_is_not_read(tmp_path):
    root = make_folder(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "email.txt").symlink_to("/etc/passwd")

    run = run_cli(root, "build", SLUG)

    assert run.code == 1, run.output
    assert "templates/email.txt: " in run.err and "root:" not in (run.output + "".join(
        p.read_text(errors="replace") for p in (root / "build").rglob("*.txt")))
