"""The sample issue as a subscriber receives it, seen in headless Chromium.

Every test loads the HTML part of a message that ``inserecho send --outbox`` wrote, not
``email.html``: what is checked is what leaves. Many checks run twice, with the
``<style>`` block and without it (Gmail's apps with non-Google accounts and several
French webmails drop it). Screenshots land in ``build/screenshots/``.
"""

from __future__ import annotations

import re

import pytest

from browser_support import (  # noqa: F401  (fixtures browser and page)
    SentMessage,
    accessibility_problems,
    browser_fixture,
    copy_sample_folder,
    open_sent,
    page_fixture,
    screenshot,
    send_to_outbox,
)

pytestmark = pytest.mark.browser

STYLES = pytest.mark.parametrize("with_style", [True, False], ids=["avec-style", "sans-style"])
WIDTHS = pytest.mark.parametrize("width", [600, 375])


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> SentMessage:
    """The first message of ``inserecho send 2026-12 --outbox`` on a copy of the sample folder."""
    return send_to_outbox(copy_sample_folder(tmp_path_factory.mktemp("lettre")))


def shot_name(width: int, with_style: bool, extra: str = "") -> str:
    return f"courriel-{width}px{'' if with_style else '-sans-style'}{extra}"


@WIDTHS
@STYLES
def test_nothing_sticks_out_of_the_screen(page, sent: SentMessage, width: int, with_style: bool) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    open_sent(page, sent, with_style)
    screenshot(page, shot_name(width, with_style))

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    beyond = page.evaluate("""(width) => [...document.body.querySelectorAll('*')]
        .filter((el) => el.getBoundingClientRect().right > width + 0.5)
        .map((el) => el.outerHTML.slice(0, 100))""", width)
    assert beyond == []
    container = page.eval_on_selector(".container", "(el) => el.getBoundingClientRect().width")
    assert container == min(width, 600)
    assert accessibility_problems(page) == []


@WIDTHS
@STYLES
def test_every_button_is_a_padded_cell_at_least_44px_tall(
    page, sent: SentMessage, width: int, with_style: bool
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    open_sent(page, sent, with_style)
    buttons = page.eval_on_selector_all("td.button-cell", """(cells) => cells.map((cell) => {
        const link = cell.querySelector('a'), box = cell.getBoundingClientRect(), target = link.getBoundingClientRect();
        return {style: cell.getAttribute('style'), bgcolor: cell.getAttribute('bgcolor'), height: box.height,
                covered: Math.abs(box.width - target.width) < 1 && Math.abs(box.height - target.height) < 1,
                text: link.textContent, label: link.getAttribute('aria-label')};
    })""")

    assert len(buttons) == 15, "one call to action per item of the sample issue"
    for button in buttons:
        assert "mso-padding-alt:12px 20px" in button["style"], "Outlook pads the cell, not the link"
        assert button["bgcolor"] == "#0b6e69"
        assert button["height"] >= 44 and button["covered"], f"{button['text']}: the whole button is the link"
        assert button["label"].startswith(button["text"] + "\u00a0: ")
    labels = [button["label"] for button in buttons]
    assert len(set(labels)) == len(labels), "each link says where it goes"
    assert "Candidater\u00a0: Agent·e de tri et de valorisation en recyclerie (6 postes)" in labels


def test_the_outlook_head_and_ghost_table_are_sent(sent: SentMessage) -> None:
    html = sent.html
    head = html[: html.index("</head>")]

    assert 'xmlns:o="urn:schemas-microsoft-com:office:office"' in html
    mso = re.search(r"<!--\[if mso\]>(.*?)<!\[endif\]-->", head, re.DOTALL)
    assert mso, "premailer keeps the conditional comment of the head"
    assert "<o:PixelsPerInch>96</o:PixelsPerInch>" in mso[1]
    assert "mso-table-lspace: 0pt; mso-table-rspace: 0pt;" in mso[1]
    ghost = re.findall(r"<!--\[if mso\]>(<table[^>]*>)<tr><td[^>]*><!\[endif\]-->", html)
    assert len(ghost) == 1 and 'width="600"' in ghost[0]
    assert html.count("<!--[if mso]></td></tr></table><![endif]-->") == 1
    assert "mso-line-height-rule:exactly" in html


def test_the_accent_bar_is_six_pixels_without_font_size_zero(page, sent: SentMessage) -> None:
    open_sent(page, sent, with_style=False)
    accent = page.eval_on_selector(
        ".accent", "(td) => [td.getAttribute('height'), td.getAttribute('style'), td.getBoundingClientRect().height]"
    )

    assert accent[0] == "6" and accent[2] == 6
    assert "font-size:0" not in accent[1] and "line-height:6px" in accent[1]


def test_fonts_and_language_are_on_the_cells_gmail_keeps(page, sent: SentMessage) -> None:
    open_sent(page, sent, with_style=False)
    article = page.eval_on_selector(
        "[role=article]", "(el) => [el.lang, el.dir, el.getAttribute('aria-label'), el.parentElement.tagName]"
    )
    cells = page.eval_on_selector_all(
        ".masthead, .greeting, .editorial, .toc-cell, .card-body, .footer, .topbar, .button-link",
        "(cells) => cells.map((cell) => cell.getAttribute('style') || '')")

    assert article[:2] == ["fr", "ltr"] and article[2].startswith("Inser’Echo n°") and article[3] == "BODY"
    assert len(cells) > 30
    assert all("font-family:Arial, Helvetica, sans-serif" in style for style in cells)


def test_badges_are_text_on_a_background(page, sent: SentMessage) -> None:
    open_sent(page, sent, with_style=False)
    badges = page.eval_on_selector_all(
        "span.badge", "(spans) => spans.map((s) => [s.getAttribute('style'), s.hasAttribute('bgcolor')])"
    )

    assert len(badges) > 20
    for style, has_bgcolor in badges:
        assert "background-color:" in style and not has_bgcolor
        assert "border-radius" not in style and "margin" not in style
    assert page.locator("span[bgcolor]").count() == 0


@WIDTHS
@STYLES
def test_images_fill_the_card_and_are_sharp(page, sent: SentMessage, width: int, with_style: bool) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    open_sent(page, sent, with_style)
    images = page.eval_on_selector_all("img.card-image", """(imgs) => imgs.map((img) => {
        const cell = img.closest('td'), pad = parseFloat(getComputedStyle(cell).paddingRight);
        return {width: img.getAttribute('width'), style: img.getAttribute('style'), natural: img.naturalWidth,
                gap: cell.getBoundingClientRect().right - pad - img.getBoundingClientRect().right};
    })""")

    assert images, "the sample issue has an image"
    for image in images:
        assert image["width"] == "514" and "width:100%" in image["style"] and "height:auto" in image["style"]
        assert image["natural"] >= 2 * 514, "sharp on a phone screen (2×)"
        assert abs(image["gap"]) < 1, "no gap on the right of the card"


def test_dark_mode_keeps_the_light_palette_on_purpose(page, sent: SentMessage) -> None:
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 375, "height": 800})
    open_sent(page, sent)
    screenshot(page, "courriel-375px-sombre")

    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert page.eval_on_selector("meta[name=color-scheme]", "(m) => m.content") == "light"
    assert page.eval_on_selector("meta[name=supported-color-schemes]", "(m) => m.content") == "light"
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "light"
    colours = page.eval_on_selector(
        ".container",
        "(el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el.querySelector('.card-text')).color]",
    )
    assert colours == ["rgb(255, 255, 255)", "rgb(31, 41, 51)"]
    assert accessibility_problems(page) == []


def test_table_of_contents_links_reach_their_sections(page, sent: SentMessage) -> None:
    open_sent(page, sent)
    targets = page.eval_on_selector_all("a[href^='#']", "(links) => links.map((a) => a.getAttribute('href').slice(1))")
    assert len(targets) >= 4, "one link per section of the sample issue"
    missing = [t for t in targets if not page.evaluate("(id) => document.getElementById(id) !== null", t)]
    assert missing == []
    page.click(f"a[href='#{targets[-1]}']")
    assert page.evaluate("(id) => document.getElementById(id).getBoundingClientRect().top", targets[-1]) < 50


def test_the_text_part_is_flowed(sent: SentMessage) -> None:
    part = sent.text_part
    assert part.get_content_type() == "text/plain" and part.get_param("format") == "flowed"
    lines = sent.text.split("\n")

    assert all(len(line) <= 78 or " " not in line.strip() for line in lines), "only a long URL may stand alone"
    soft = [number for number, line in enumerate(lines) if line.endswith(" ")]
    assert len(soft) > 50
    assert all(lines[number + 1].strip() for number in soft), "a soft break continues the paragraph"
    assert not any(line.startswith("From ") for line in lines)
    # a reader joins the soft lines: the editorial's first paragraph comes back whole
    joined = "".join(line + ("" if line.endswith(" ") else "\n") for line in lines)
    assert "Ces résultats, nous les devons aux équipes permanentes comme aux salarié·e·s, sur les chantiers" in joined
    # field continuation lines hang under their value, with hard breaks
    hanging = [line for line in lines if line.startswith("  ") and not line.lstrip().startswith("-")]
    assert hanging and all(not line.endswith(" ") for line in hanging)


def test_running_text_keeps_numbers_times_and_addresses_together(sent: SentMessage) -> None:
    assert "4\u202f600 salarié·e·s" in sent.html and "4\u202f600 salarié·e·s" in sent.text
    assert re.search(r'<a href="mailto:[^"]+@[^"]+"', sent.html)
    assert "Seine-Saint-Denis</span>" in sent.html and 'white-space:nowrap">Seine-Saint-Denis' in sent.html
