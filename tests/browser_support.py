"""Headless Chromium for the browser tests: playwright driving the system's Chromium.

A test module imports the fixtures (``browser_fixture`` and ``page_fixture``, known to
tests as ``browser`` and ``page``, so that test parameters do not shadow the import)::

    from browser_support import browser_fixture, page_fixture, screenshot  # noqa: F401

``page`` fails the test when the page logs a console error, throws, or asks for anything
outside the site (only ``file:``, ``data:`` and http://127.0.0.1 are allowed).
Screenshots land in the repository's ``build/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "build" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_SCHEMES = {"file", "data", "about", "blob"}
SAMPLE = "2026-12"
"""The sample issue shipped in the repository's own newsletter folder."""


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[object]:
    """The headless system Chromium, skipped with the reason when it is not installed.

    One per test module rather than per session: playwright's sync API leaves its event
    loop marked as running on the main thread, which would break ``asyncio.run`` in the
    sending tests that come after.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package (make browser) or set CHROMIUM")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(name="page")
def page_fixture(browser) -> Iterator[object]:
    """A fresh page (1280×900, French locale) that fails the test on errors or outside requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    failures: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        if is_inside(url):
            route.continue_()
        else:
            failures.append(f"request outside the site: {url}")
            route.abort()

    context.route("**/*", guard)
    new_page = context.new_page()
    new_page.on("console", lambda message: message.type == "error" and failures.append(
        f"console error: {message.text} at {message.location.get('url')}"))
    new_page.on("pageerror", lambda error: failures.append(f"uncaught exception: {error}"))
    yield new_page
    context.close()
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


def is_inside(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.scheme in ("http", "https") and parts.hostname == "127.0.0.1")


def copy_sample_folder(root: Path) -> Path:
    """A newsletter folder in ``root`` with the repository's settings and sample issue."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "inserecho.yaml", root / "inserecho.yaml")
    shutil.copytree(REPO / "issues" / SAMPLE, root / "issues" / SAMPLE)
    return root


@dataclass(frozen=True)
class SentMessage:
    """One message as the outbox wrote it, with its parts and where its images live."""

    message: EmailMessage
    html: str
    text: str
    text_part: EmailMessage
    html_file: Path
    """The HTML part saved alone, for the browser to load."""
    asset_base: str
    """The absolute URL the message's images point under (the archive of the issue)."""
    issue_dir: Path


def send_to_outbox(root: Path, slug: str = SAMPLE) -> SentMessage:
    """``inserecho send SLUG --outbox outbox`` to the example subscribers in the folder ``root``,
    then its first message, parsed."""
    # A child process: playwright's sync API keeps an event loop running in this one.
    from inserecho.settings import load_settings
    from issuefolder import run_process  # tests/ is on the path when tests run

    shutil.copyfile(REPO / "subscribers.example.yaml", root / "subscribers.example.yaml")
    run = run_process(root, "send", slug, "--subscribers", "subscribers.example.yaml", "--outbox", "outbox", "--yes")
    assert run.code == 0, run.stdout + run.stderr
    box = mailbox.Maildir(root / "outbox", create=False)
    first = min(box.keys())
    message = email.message_from_bytes(box.get_bytes(first), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None and html_part is not None
    html = html_part.get_content()
    html_file = root / "sent.html"
    html_file.write_text(html, encoding="utf-8")
    archive = load_settings(root).archive_url
    assert archive, "the images of a sent message live in the archive"
    return SentMessage(message, html, text_part.get_content(), text_part, html_file,
                       archive.rstrip("/") + f"/{slug}/", root / "issues" / slug)


def open_sent(page, sent: SentMessage, with_style: bool = True) -> None:
    """Load the HTML part, its images served from the issue folder (as the archive would),
    and, unless ``with_style``, every ``<style>`` block removed, as Gmail's apps do."""

    def serve(route) -> None:
        route.fulfill(path=str(sent.issue_dir / route.request.url[len(sent.asset_base):]))

    page.route(sent.asset_base + "**", serve)
    page.goto(sent.html_file.as_uri())
    if not with_style:
        page.evaluate("() => document.querySelectorAll('style').forEach((style) => style.remove())")


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save ``build/screenshots/NAME.png`` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


_AUDIT = """() => {
  const problems = [];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const label = (el) => `<${el.tagName.toLowerCase()}> "${(el.textContent || "").trim().slice(0, 40)}"`;
  if (document.documentElement.lang !== "fr") problems.push(`html lang is "${document.documentElement.lang}"`);
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(visible);
  const h1 = headings.filter((h) => h.tagName === "H1").length;
  if (h1 !== 1) problems.push(`${h1} h1 elements instead of one`);
  let previous = 0;
  for (const heading of headings) {
    const level = Number(heading.tagName[1]);
    if (level > previous + 1) problems.push(`${label(heading)} comes after an h${previous}`);
    previous = level;
  }
  for (const control of document.querySelectorAll("input, select, textarea")) {
    if (control.type === "hidden") continue;
    if (!control.labels.length && !control.getAttribute("aria-label") && !control.getAttribute("aria-labelledby"))
      problems.push(`${label(control)} has no label`);
  }
  const rgba = (text) => (text.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number).concat([1]).slice(0, 4);
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const background = (el) => {
    const chain = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement)
      chain.push(rgba(getComputedStyle(node).backgroundColor));
    return chain.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!hasText || !visible(el) || Number(getComputedStyle(el).opacity) === 0) continue;
    const back = background(el);
    const fore = over(rgba(getComputedStyle(el).color), back);
    const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    if (ratio < 4.5) problems.push(`${label(el)}: contrast ${ratio.toFixed(2)}:1`);
  }
  return problems;
}"""


def accessibility_problems(page) -> list[str]:
    """What the page gets wrong among: ``lang="fr"``, one ``h1``, heading levels in order,
    a label on every form control, text contrast of at least 4.5:1."""
    return page.evaluate(_AUDIT)
