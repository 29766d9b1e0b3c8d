"""The built sample email, seen in a real browser at desktop and phone widths."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import (  # noqa: F401  (fixtures browser and page)
    SAMPLE,
    browser_fixture,
    copy_sample_folder,
    page_fixture,
    screenshot,
)

from inserecho.render.build import write_build
from inserecho.content.loader import load_issue
from inserecho.render.renderer import render_issue
from inserecho.settings import load_settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def email_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``inserecho build 2026-12`` on a copy of the repository's folder (its build/ untouched)."""
    settings = load_settings(copy_sample_folder(tmp_path_factory.mktemp("lettre")))
    issue = load_issue(settings.issues_dir / SAMPLE, settings)
    return write_build(issue, render_issue(issue, settings), settings).html_path


@pytest.mark.parametrize("width", [600, 375])
def test_nothing_sticks_out_of_the_screen(page, email_html: Path, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(email_html.as_uri())
    screenshot(page, f"email-{width}px")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    beyond = page.evaluate("""(width) => [...document.body.querySelectorAll('*')]
        .filter((el) => el.getBoundingClientRect().right > width + 0.5)
        .map((el) => el.outerHTML.slice(0, 100))""", width)
    assert beyond == []


def test_every_image_has_a_description(page, email_html: Path) -> None:
    page.goto(email_html.as_uri())
    images = page.eval_on_selector_all(
        "img", "(imgs) => imgs.map((img) => [img.src, img.getAttribute('alt') || '', img.naturalWidth])")
    assert images, "the sample issue has an image"
    for src, alt, natural_width in images:
        assert alt.strip(), f"{src} has no alt text"
        assert natural_width > 0, f"{src} did not load"


def test_table_of_contents_links_reach_their_sections(page, email_html: Path) -> None:
    page.goto(email_html.as_uri())
    targets = page.eval_on_selector_all("a[href^='#']", "(links) => links.map((a) => a.getAttribute('href').slice(1))")
    assert len(targets) >= 4, "one link per section of the sample issue"
    missing = [t for t in targets if not page.evaluate("(id) => document.getElementById(id) !== null", t)]
    assert missing == []
    page.click(f"a[href='#{targets[-1]}']")
    assert page.evaluate("(id) => document.getElementById(id).getBoundingClientRect().top", targets[-1]) < 50
