"""The web archive: every issue as a page, an index, an Atom feed, the calls and offers still open
and the events to come.

Issue pages are the ``web`` variant of :func:`inserecho.render.renderer.render_issue` with its slots
filled; the "en cours" pages list the loader's items (presented by :mod:`inserecho.render.present`),
not anything read back from HTML. Every link inside the site is relative, so the folder works
from a USB stick as well as from a web host; only the feed needs ``archive_url``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

from inserecho.content.loader import ISSUE_FILE, load_issue
from inserecho.content.model import Issue, Item
from inserecho.content.sections import AUDIENCES, ArchivePage
from inserecho.content.territories import TERRITORIES, WHOLE_DEPARTMENT, territory_of_location
from inserecho.french.formats import format_date
from inserecho.french.suggest import fold_words
from inserecho.problems import ContentError, Problem, Severity, UsageProblem
from inserecho.render import slots
from inserecho.render.build import copy_images
from inserecho.render.present import ItemView, SectionView
from inserecho.render.renderer import RenderedIssue, render_issue, web_url
from inserecho.render.templating import render_template, template_environment
from inserecho.settings import SETTINGS_FILE, Settings

SITE_MARKER = ".inserecho-archive"
"""Left in the site folder: only a folder holding it may be replaced by a new build."""
INDEX_PAGE = "index.html"
CALLS_PAGE = "appels-en-cours.html"
OFFERS_PAGE = "offres-en-cours.html"
AGENDA_PAGE = "agenda.html"
FEED_FILE = "feed.xml"
STYLESHEET = "style.css"
UNDATED_OFFER_DAYS = 60
"""An offer without a deadline stays listed this many days after its issue came out."""


class ArchiveError(UsageProblem):
    """A French message: the archive cannot be built where or as asked."""


@dataclass(frozen=True)
class IssueEntry:
    """One issue as the index and the feed list it."""

    slug: str
    number: int
    date: date
    date_text: str
    subject: str
    preheader: str
    href: str
    """Relative to the site's root."""
    url: str | None
    """Absolute, from ``archive_url``."""
    sections: tuple[SectionView, ...]


@dataclass(frozen=True)
class OpenEntry:
    """A call or an offer still open, as the "en cours" pages show it."""

    item: ItemView
    kind: str | None
    """The section's label, when the page mixes sections."""
    territories: tuple[str, ...]
    """Where it is (see :func:`territories_of`); empty for the whole department."""
    issue: IssueEntry
    href: str
    deadline: date | None
    starts: date | None
    """An event's first day (agenda entries only)."""
    starts_text: str
    """That day in French words, or ``""``."""
    expires: date
    """Last day the entry is shown; the page's script hides it afterwards."""
    filters: tuple[tuple[str, str], ...]
    """(filter name, space-separated option values); an empty value matches every option."""


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    everyone: str
    options: tuple[tuple[str, str], ...]
    """(value, label)."""
    note: str = ""


@dataclass(frozen=True)
class OpenPage:
    filename: str
    title: str
    intro: str
    noun: tuple[str, str]
    """Singular and plural, for "3 offres affichées"."""
    empty: str
    filters: tuple[Filter, ...]
    entries: tuple[OpenEntry, ...]
    hidden: str = "les annonces dont la date limite est passée"
    """What the page's script hides as days go by."""


@dataclass(frozen=True)
class ArchiveResult:
    directory: Path
    issues: int
    calls: int
    offers: int
    events: int
    feed: Path | None
    warnings: tuple[Problem, ...]


def build_archive(settings: Settings, out: Path, today: date) -> ArchiveResult:
    """Build the whole site into ``out``, replacing it only once everything is written.

    Raises :class:`ContentError` (every problem of every issue) or :class:`ArchiveError`;
    in both cases ``out`` is left as it was. ``today`` decides which calls and offers are open.
    """
    _check_replaceable(out)
    issues = load_all_issues(settings)
    warnings = [w for issue in issues for w in issue.warnings if w not in issue.unready]
    for issue in issues:
        if not issue.ready:
            warnings.append(
                Problem(
                    issue.folder / ISSUE_FILE,
                    None,
                    f"numéro {issue.slug} laissé hors de l'archive : {_why_unready(issue)}.",
                    Severity.WARNING,
                )
            )
    issues = [issue for issue in issues if issue.ready]
    env = template_environment(settings.templates_dir)
    rendered = [render_issue(issue, settings, variant="web", env=env) for issue in issues]
    entries = [_issue_entry(issue, view, settings) for issue, view in zip(issues, rendered, strict=True)]
    calls = _calls_page(issues, entries, settings, today)
    offers = _offers_page(issues, entries, settings, today)
    agenda = _agenda_page(issues, entries, settings, today)
    if not settings.archive_url:
        warnings.append(
            Problem(
                settings.root / SETTINGS_FILE,
                None,
                "« archive_url » n'est pas renseigné : le site est produit sans flux Atom, qui a besoin de "
                "l'adresse complète du site. Ajoutez par exemple « archive_url: https://votre-site.org/inserecho/ ».",
                Severity.WARNING,
            )
        )
    context = {
        "settings": settings,
        "today": format_date(today),
        "issues": entries,
        "calls": calls,
        "offers": offers,
        "agenda": agenda,
        "pages": {
            "index": INDEX_PAGE,
            "calls": CALLS_PAGE,
            "offers": OFFERS_PAGE,
            "agenda": AGENDA_PAGE,
            "css": STYLESHEET,
            "feed": FEED_FILE if settings.archive_url else None,
        },
        "nav": (
            (INDEX_PAGE, "Tous les numéros"),
            (CALLS_PAGE, "Appels à projets en cours"),
            (OFFERS_PAGE, "Offres en cours"),
            (AGENDA_PAGE, "Agenda"),
        ),
        "base": settings.archive_url.rstrip("/") + "/" if settings.archive_url else None,
    }
    with _staging(out) as site:
        _write(site / SITE_MARKER, "Site produit par « inserecho archive » : ce dossier est remplacé à chaque fois.\n")
        _write(site / STYLESHEET, render_template(env, "archive/site.css", settings.templates_dir))
        nav = render_template(env, "archive/issue_nav.html", settings.templates_dir, **context)
        for issue, view in zip(issues, rendered, strict=True):
            _write_issue_page(site, issue, view, nav)
        _write(
            site / INDEX_PAGE,
            render_template(env, "archive/index.html", settings.templates_dir, **context, current=INDEX_PAGE),
        )
        for page in (calls, offers, agenda):
            _write(
                site / page.filename,
                render_template(
                    env, "archive/open.html", settings.templates_dir, **context, page=page, current=page.filename
                ),
            )
        if settings.archive_url:
            _write(site / FEED_FILE, render_template(env, "archive/feed.xml", settings.templates_dir, **context))
    return ArchiveResult(
        out,
        len(issues),
        len(calls.entries),
        len(offers.entries),
        len(agenda.entries),
        out / FEED_FILE if settings.archive_url else None,
        tuple(warnings),
    )


def load_all_issues(settings: Settings) -> list[Issue]:
    """Every issue of ``issues/``, most recent first; raises one :class:`ContentError` for all."""
    folders = sorted(p for p in settings.issues_dir.glob("*") if p.is_dir() and not p.name.startswith((".", "_")))
    if not folders:
        raise ArchiveError(f"aucun numéro dans {settings.issues_dir} : créez-en un avec « inserecho new 2027-01 ».")
    issues: list[Issue] = []
    problems: list[Problem] = []
    for folder in folders:
        try:
            issues.append(load_issue(folder, settings))
        except ContentError as error:
            problems.extend(error.problems)
    if any(p.is_error for p in problems):
        raise ContentError(problems)
    return sorted(issues, key=lambda i: (i.meta.date, i.meta.number), reverse=True)


def _why_unready(issue: Issue) -> str:
    draft = "c'est un brouillon (« draft: oui » dans issue.yaml)" if issue.meta.draft else ""
    examples = [p.path.name for p in issue.unready[1 if issue.meta.draft else 0 :]]  # the draft flag comes first
    texts = f"des textes d'exemple restent dans {', '.join(dict.fromkeys(examples))}" if examples else ""
    return " et ".join(filter(None, (draft, texts)))


def territories_of(item: Item) -> tuple[str, ...]:
    """The territories an item concerns; empty when it concerns the whole department.

    A job offer without ``territory`` is placed by the commune of its ``location``.
    """
    named = tuple(t for t in item.territories if t != WHOLE_DEPARTMENT)
    if item.territories:
        return named
    territory = territory_of_location(str(item.fields.get("location", "")))
    return (territory,) if territory else ()


def _slug(text: str) -> str:
    return "-".join(fold_words(text).split())


def _issue_entry(issue: Issue, rendered: RenderedIssue, settings: Settings) -> IssueEntry:
    view = rendered.view
    return IssueEntry(
        issue.slug,
        view.number,
        issue.meta.date,
        view.date,
        view.subject,
        view.preheader,
        f"{issue.slug}/{INDEX_PAGE}",
        web_url(settings, issue.slug),
        view.sections,
    )


_TERRITORY_FILTER = Filter(
    "territoire",
    "Territoire",
    "Tous les territoires",
    tuple((_slug(t), t) for t in TERRITORIES),
    "Les annonces qui concernent tout le département restent affichées.",
)


def _keys(settings: Settings, page: ArchivePage) -> tuple[str, ...]:
    """The sections whose specification sends their items to ``page``."""
    return tuple(spec.key for spec in settings.sections if spec.archive == page)


def _calls_page(issues: list[Issue], entries: list[IssueEntry], settings: Settings, today: date) -> OpenPage:
    keys = _keys(settings, "calls")
    kinds = tuple((key, spec.label) for key in keys if (spec := settings.section(key)))
    return OpenPage(
        CALLS_PAGE,
        "Appels à projets et marchés en cours",
        "Les marchés publics et les appels à projets parus dans la lettre dont la date limite "
        "n'est pas encore passée, de la plus proche à la plus lointaine.",
        ("appel affiché", "appels affichés"),
        "Aucun appel en cours pour ce choix.",
        (_TERRITORY_FILTER, Filter("rubrique", "Type", "Marchés et appels à projets", kinds)),
        _open_entries(issues, entries, keys, today),
    )


def _offers_page(issues: list[Issue], entries: list[IssueEntry], settings: Settings, today: date) -> OpenPage:
    return OpenPage(
        OFFERS_PAGE,
        "Offres d'emploi et de formation en cours",
        "Les offres parues dans la lettre dont la date limite n'est pas encore passée, de la plus "
        f"proche à la plus lointaine. Une offre sans date limite reste affichée {UNDATED_OFFER_DAYS} jours "
        "après sa parution.",
        ("offre affichée", "offres affichées"),
        "Aucune offre en cours pour ce choix.",
        (_TERRITORY_FILTER, Filter("public", "Public", "Tous les publics", tuple(AUDIENCES.items()))),
        _open_entries(issues, entries, _keys(settings, "offers"), today),
    )


def _agenda_page(issues: list[Issue], entries: list[IssueEntry], settings: Settings, today: date) -> OpenPage:
    return OpenPage(
        AGENDA_PAGE,
        "Agenda",
        "Les événements annoncés dans la lettre qui n'ont pas encore eu lieu, du plus proche au plus lointain.",
        ("événement affiché", "événements affichés"),
        "Aucun événement à venir pour ce choix.",
        (_TERRITORY_FILTER,),
        _open_entries(issues, entries, _keys(settings, "agenda"), today, agenda=True),
        hidden="les événements passés",
    )


def _open_entries(
    issues: list[Issue],
    entries: list[IssueEntry],
    keys: tuple[str, ...],
    today: date,
    agenda: bool = False,
) -> tuple[OpenEntry, ...]:
    """Items of the ``keys`` sections still current on ``today``, soonest first.

    Calls and offers are current until their deadline (or :data:`UNDATED_OFFER_DAYS` after
    their issue), events until their last day. An item repeated in several issues (a reminder)
    is listed once, as the latest issue words it.
    """
    found: dict[tuple, tuple[tuple, OpenEntry]] = {}
    for issue, entry in zip(issues, entries, strict=True):  # most recent issue first
        for items, section in zip(issue.sections, entry.sections, strict=True):
            if section.key not in keys:
                continue
            for item, view in zip(items.items, section.items, strict=True):
                starts: date | None = item.fields.get("date") if agenda else None
                if starts is not None:
                    expires = item.fields.get("end_date") or starts
                else:
                    expires = item.deadline or issue.meta.date + timedelta(days=UNDATED_OFFER_DAYS)
                key = (section.key, item.title.casefold(), starts or item.deadline)
                if expires >= today and key not in found:
                    territories = territories_of(item)
                    when = starts or item.deadline
                    soonest = (
                        when is None,
                        when or date.min,
                        item.fields.get("time") or time.min,
                        -issue.meta.date.toordinal(),
                        item.title.casefold(),
                    )
                    found[key] = (
                        soonest,
                        OpenEntry(
                            view,
                            section.label if len(keys) > 1 else None,
                            territories,
                            entry,
                            f"{entry.href}#{view.anchor}",
                            item.deadline,
                            starts,
                            format_date(starts) if starts else "",
                            expires,
                            (
                                ("territoire", " ".join(_slug(t) for t in territories)),
                                ("rubrique", section.key),
                                ("public", item.fields.get("audience", "")),
                            ),
                        ),
                    )
    return tuple(entry for _, entry in sorted(found.values(), key=lambda pair: pair[0]))


def _write_issue_page(site: Path, issue: Issue, rendered: RenderedIssue, nav: str) -> None:
    """The web variant with its slots filled: no greeting, no unsubscribe, images beside the page."""
    html = slots.fill_html(rendered.html, {slots.GREETING: "", slots.UNSUBSCRIBE_URL: "", slots.ASSETS: "."})
    html = re.sub(r"<body\b[^>]*>", lambda m: m.group(0) + nav, html, count=1)
    copy_images(issue, site / issue.slug)
    _write(site / issue.slug / INDEX_PAGE, html)


def _write(path: Path, text: str) -> None:
    """Plain writes: the whole site is staged and swapped in at once (see :func:`_staging`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _check_replaceable(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / SITE_MARKER).exists())):
        raise ArchiveError(
            f"le dossier {out} existe et n'a pas été produit par « inserecho archive » : "
            "choisissez un dossier vide ou qui n'existe pas encore (--out), il ne sera pas écrasé."
        )


@contextmanager
def _staging(out: Path) -> Iterator[Path]:
    """Build the site in a hidden folder beside ``out``; swap it in only once complete."""
    out.parent.mkdir(parents=True, exist_ok=True)
    site = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        yield site
        site.chmod(0o755)  # mkdtemp makes it private; a web server must read it
        _swap_in(site, out)
    except BaseException:
        shutil.rmtree(site, ignore_errors=True)
        raise


def _swap_in(site: Path, out: Path) -> None:
    if not out.exists():
        os.replace(site, out)
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.replace(out, trash / out.name)
    os.replace(site, out)
    shutil.rmtree(trash, ignore_errors=True)
