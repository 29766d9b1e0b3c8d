"""The web archive: issue pages, index, feed, and the calls and offers still open."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser_support import (  # noqa: F401  (fixtures browser and page)
    SAMPLE,
    accessibility_problems,
    browser_fixture,
    copy_sample_folder,
    page_fixture,
    screenshot,
)
from inserecho.content.model import Item
from inserecho.problems import ContentError
from inserecho.render import slots
from inserecho.settings import load_settings
from inserecho.web.archive import (
    CALLS_PAGE,
    FEED_FILE,
    OFFERS_PAGE,
    ArchiveError,
    build_archive,
    territories_of,
)

ISSUE_DAY = date(2026, 12, 3)
ATOM = "{http://www.w3.org/2005/Atom}"


def archive_of(root: Path, today: date = ISSUE_DAY, out: Path | None = None) -> Path:
    out = out or root / "site"
    build_archive(load_settings(root), out, today)
    return out


def add_issue(root: Path, slug: str, number: int, day: date, items: dict[str, str]) -> None:
    folder = root / "issues" / slug
    folder.mkdir(parents=True)
    (folder / "issue.yaml").write_text(
        f'number: {number}\ndate: {day.isoformat()}\nsubject: "Numéro {number}"\npreheader: "Aperçu du numéro '
        f'{number}."\n',
        encoding="utf-8",
    )
    for name, text in items.items():
        (folder / name).write_text(text, encoding="utf-8")


def expiry_order(page_html: str) -> list[str]:
    return re.findall(r'data-expires="([0-9-]+)"', page_html)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return archive_of(copy_sample_folder(tmp_path_factory.mktemp("lettre")))


def test_issue_page_is_the_web_version_of_the_email(site: Path) -> None:
    html = (site / SAMPLE / "index.html").read_text(encoding="utf-8")
    assert "Se désinscrire" not in html and "Voir dans le navigateur" not in html
    assert not any(marker in html for marker in slots.ALL)
    assert 'href="https://achats.logis-des-canaux.example.org/consultations/LDC-2026-118"' in html
    assert 'src="./images/assemblee-generale.png"' in html
    assert (site / SAMPLE / "images" / "assemblee-generale.png").is_file()
    assert 'href="../index.html"' in html, "a way back to the archive"


def test_index_lists_issues_and_open_counts(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="{SAMPLE}/index.html"' in html
    assert "un CA renouvelé" in html and "Relance-Transition 2027" in html
    assert re.search(r"<h1>[^<]*tous les numéros</h1>", html)
    assert re.search(r'shortcut-count">6<', html) and re.search(r'shortcut-count">5<', html)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in ("href", "src") and value]


def test_links_inside_the_site_are_relative_and_lead_somewhere(site: Path) -> None:
    for page_path in site.rglob("*.html"):
        parser = _Links()
        parser.feed(page_path.read_text(encoding="utf-8"))
        for link in parser.links:
            if re.match(r"(https?:|mailto:|data:|#)", link):
                continue
            assert not link.startswith("/"), f"{page_path.name}: {link} is absolute"
            target = (page_path.parent / link.split("#")[0]).resolve()
            assert target.is_file(), f"{page_path.relative_to(site)}: {link} leads nowhere"


def test_feed_gives_absolute_addresses(site: Path) -> None:
    feed = ET.parse(site / FEED_FILE).getroot()
    base = "https://inser-eco93.example.org/inserecho/"
    assert feed.find(f"{ATOM}id").text == base
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == base + FEED_FILE
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == base + f"{SAMPLE}/"
    assert entry.find(f"{ATOM}updated").text == "2026-12-03T00:00:00Z"
    content = entry.find(f"{ATOM}content").text
    assert f'href="{base}{SAMPLE}/#article-clause-sociale-bailleur"' in content


def test_without_archive_url_the_site_has_no_feed_and_says_why(tmp_path: Path) -> None:
    root = copy_sample_folder(tmp_path)
    settings_file = root / "inserecho.yaml"
    settings_file.write_text(
        re.sub(r"(?m)^archive_url:.*$", "", settings_file.read_text(encoding="utf-8")), encoding="utf-8"
    )
    result = build_archive(load_settings(root), root / "site", ISSUE_DAY)
    assert result.feed is None and not (root / "site" / FEED_FILE).exists()
    assert "feed.xml" not in (root / "site" / "index.html").read_text(encoding="utf-8")
    assert [w.message for w in result.warnings if "archive_url" in w.message]


def test_open_calls_are_soonest_first_and_past_ones_left_out(tmp_path: Path) -> None:
    site = archive_of(copy_sample_folder(tmp_path), today=date(2027, 2, 1))
    calls = (site / CALLS_PAGE).read_text(encoding="utf-8")
    assert expiry_order(calls) == ["2027-02-08", "2027-02-15", "2027-03-05", "2027-03-31"]
    assert "Relance-Transition" not in calls, "closed on 29 January"
    assert expiry_order((site / OFFERS_PAGE).read_text(encoding="utf-8")) == ["2027-02-12", "2027-02-19"]


LATER_ISSUE = {
    "rappel-fonds.md": (
        "---\nsection: funding\ntitle: \"Fonds d'avance remboursable : prochain comité d'engagement\"\n"
        "funder: Inser'Eco93\ndeadline: 2027-02-15\n---\nRappel : plus que quelques semaines.\n"
    ),
    "offre-sans-date.md": (
        "---\nsection: jobs\ntitle: Chauffeur·se livreur·se\nemployer: Régie Exemple\nlocation: Stains\n"
        "contract: CDDI\n---\nPermis B exigé.\n"
    ),
}


def test_a_reminder_is_listed_once_and_undated_offers_expire(tmp_path: Path) -> None:
    root = copy_sample_folder(tmp_path)
    add_issue(root, "2027-01", 43, date(2027, 1, 10), LATER_ISSUE)
    site = archive_of(root, today=date(2027, 1, 12))
    calls = (site / CALLS_PAGE).read_text(encoding="utf-8")
    assert calls.count("prochain comité") == 1 and "Rappel" in calls, "the latest wording wins"
    offers = (site / OFFERS_PAGE).read_text(encoding="utf-8")
    assert expiry_order(offers)[-1] == "2027-03-11", "undated: 60 days after its issue, listed last"
    assert 'data-territoire="plaine-commune"' in offers and "Sans date limite" in offers
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.index("Numéro 43") < index.index("un CA renouvelé"), "most recent first"
    assert "Chauffeur" not in (archive_of(root, today=date(2027, 3, 12)) / OFFERS_PAGE).read_text(encoding="utf-8")


@pytest.mark.parametrize(("fields", "expected"), [
    ({"location": "Saint-Denis"}, ("Plaine Commune",)),
    ({"location": "L’Île-Saint-Denis (93)"}, ("Plaine Commune",)),
    ({"location": "montreuil"}, ("Est Ensemble",)),
    ({"location": "Paris"}, ()),
    ({"location": "Bobigny", "territory": ("Plaine Commune",)}, ("Plaine Commune",)),
    ({"territory": ("Seine-Saint-Denis",)}, ()),
])
def test_territories_come_from_the_item_or_its_commune(fields: dict, expected: tuple[str, ...]) -> None:
    item = Item(Path("x.md"), "article-x", "jobs", "Offre", fields, "")
    assert territories_of(item) == expected


def test_an_issue_with_errors_leaves_the_previous_site_as_it_was(tmp_path: Path) -> None:
    root = copy_sample_folder(tmp_path)
    site = archive_of(root)
    before = (site / "index.html").read_text(encoding="utf-8")
    broken = "---\nsection: funding\ntitle: Appel\nfunder: X\ndeadline: 2027-02-30\n---\nTexte.\n"
    add_issue(root, "2027-01", 43, date(2027, 1, 10), {"casse.md": broken})
    with pytest.raises(ContentError) as raised:
        archive_of(root, today=date(2027, 1, 12))
    [problem] = raised.value.problems
    assert (problem.path.name, problem.line) == ("casse.md", 5)
    assert "n'est pas une date valide" in problem.message
    assert (site / "index.html").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in root.iterdir()) == ["inserecho.yaml", "issues", "site"], "no half-built folder left"


def test_a_folder_it_did_not_make_is_never_replaced(tmp_path: Path) -> None:
    root = copy_sample_folder(tmp_path / "lettre")
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "budget.ods").write_text("précieux", encoding="utf-8")
    with pytest.raises(ArchiveError, match="n'a pas été produit par « inserecho archive »"):
        archive_of(root, out=tmp_path / "documents")
    assert (tmp_path / "documents" / "budget.ods").read_text(encoding="utf-8") == "précieux"
    archive_of(root, out=tmp_path / "vide")
    archive_of(root, out=tmp_path / "vide")  # its own site is replaced without complaint


def test_a_folder_without_issues_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="aucun numéro"):
        archive_of(tmp_path)
    assert not (tmp_path / "site").exists()


def test_command_builds_the_site_and_reports_errors_with_file_and_line(tmp_path: Path) -> None:
    root = copy_sample_folder(tmp_path)
    command = [sys.executable, "-m", "inserecho.cli", "--root", str(root), "archive"]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Archive : 1 numéro(s)" in done.stdout
    assert (root / "build" / "archive" / "index.html").is_file()
    broken = root / "issues" / SAMPLE / "offre-ctti-logistique.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace("contract:", "contrat:"), encoding="utf-8")
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert re.search(r"offre-ctti-logistique\.md:\d+: champ inconnu « contrat »", done.stderr)


# --- in the browser ---------------------------------------------------------------

BROWSER_DAY = datetime(2026, 12, 3, 10, 0)


def open_page(page, site: Path, name: str, hash_: str = "") -> None:
    page.clock.set_fixed_time(BROWSER_DAY)
    page.goto((site / name).as_uri() + hash_)


def visible_titles(page) -> str:
    return " | ".join(page.locator("article.entry:visible h2").all_inner_texts())


@pytest.mark.browser
def test_index_in_the_browser_lists_the_sample_issue(page, site: Path) -> None:
    open_page(page, site, "index.html")
    page.get_by_role("link", name=re.compile("un CA renouvelé")).click()
    assert page.url.endswith(f"{SAMPLE}/index.html")
    assert page.locator("img").first.evaluate("img => img.naturalWidth") > 0
    page.go_back()
    assert page.url.endswith("/index.html")


@pytest.mark.browser
def test_calls_filter_by_territory_and_type(page, site: Path) -> None:
    open_page(page, site, CALLS_PAGE)
    assert page.locator("article.entry:visible").count() == 6
    page.get_by_label("Territoire").select_option(label="Plaine Commune")
    titles = visible_titles(page)
    assert "1\u202f200 logements" in titles and "Fonds d" in titles, (
        "Plaine Commune's call and the department-wide ones"
    )
    assert "Sablons" not in titles and "espaces verts" not in titles
    assert page.locator("#compte").inner_text() == "4 appels affichés"
    page.get_by_label("Type").select_option(label="Achats responsables & marchés")
    assert page.locator("article.entry:visible").count() == 1
    assert "#territoire=plaine-commune&rubrique=procurement" in page.url, "the choice can be shared"
    page.get_by_label("Type").select_option(value="")
    screenshot(page, "archive-appels-plaine-commune")
    page.get_by_label("Territoire").select_option(label="Tous les territoires")
    assert page.locator("article.entry:visible").count() == 6
    assert page.locator(".closing").first.inner_text() == "Clôture dans 53\u00a0jours"


@pytest.mark.browser
def test_offers_filter_by_territory_and_audience_with_the_keyboard(page, site: Path) -> None:
    open_page(page, site, OFFERS_PAGE)
    assert page.locator("article.entry:visible").count() == 5
    territory = page.get_by_label("Territoire")
    for _ in range(10):
        page.keyboard.press("Tab")
        if territory.evaluate("el => el === document.activeElement"):
            break
    assert territory.evaluate("el => el === document.activeElement"), "the filter is reachable with Tab"
    page.keyboard.press("ArrowDown")  # Est Ensemble
    assert territory.input_value() == "est-ensemble"
    assert "Encadrant" in visible_titles(page) and "recyclerie" not in visible_titles(page)
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # people on an integration path
    assert page.locator("article.entry:visible").count() == 1
    assert "commis de cuisine" in visible_titles(page)
    screenshot(page, "archive-offres-est-ensemble-insertion")
    page.goto("about:blank")
    page.goto((site / OFFERS_PAGE).as_uri() + "#territoire=plaine-commune")
    assert page.locator("article.entry:visible").count() == 1, "a shared link opens filtered"
    assert "recyclerie" in visible_titles(page)


@pytest.mark.browser
def test_calls_past_their_deadline_disappear_even_from_an_old_copy(page, site: Path) -> None:
    page.clock.set_fixed_time(datetime(2027, 2, 1, 9, 0))
    page.goto((site / CALLS_PAGE).as_uri())
    assert page.locator("article.entry:visible").count() == 4
    assert page.locator("#compte").inner_text() == "4 appels affichés"


@pytest.mark.browser
@pytest.mark.parametrize("name", ["index.html", CALLS_PAGE, OFFERS_PAGE, f"{SAMPLE}/index.html"])
def test_pages_are_accessible_and_fit_a_phone(page, site: Path, name: str) -> None:
    open_page(page, site, name)
    assert accessibility_problems(page) == []
    shot = "archive-" + name.removesuffix(".html").replace("/index", "").replace("index", "accueil")
    screenshot(page, shot, full_page="/" not in name)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, f"{shot}-375px", full_page=False)
