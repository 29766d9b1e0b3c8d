"""Prepare a send: the rendered issue, the selected recipients, the composer.

Everything that can be wrong (content, subscriber file, segment, header values,
settings) is found here, before a single message leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inserecho.content.loader import ISSUE_FILE, load_issue
from inserecho.problems import ContentError, Problem
from inserecho.render.build import check_warnings
from inserecho.render.renderer import RenderedIssue, render_issue, web_url
from inserecho.send.dkim import DkimKey, DkimKeyError, DkimSigner
from inserecho.send.message import Composer, HeaderError
from inserecho.send.subscribers import Subscriber, load_subscribers, select
from inserecho.send.tokens import TokenSigner, load_secret
from inserecho.send.verp import Verp
from inserecho.settings import SETTINGS_FILE, Settings


@dataclass(frozen=True)
class Campaign:
    name: str
    slug: str
    rendered: RenderedIssue
    composer: Composer
    recipients: tuple[Subscriber, ...]
    segment: str
    subscribers_file: Path | None
    unready: tuple[Problem, ...] = ()
    """Why the issue may not go out for real yet (a draft, example texts left)."""
    warnings: tuple[Problem, ...] = ()
    """What ``check`` would warn of, recalled before the send asks to go."""


def signer_for(settings: Settings, secret: bytes) -> TokenSigner:
    """The folder's token signer, with the secret :func:`load_secret` read once for the run."""
    return TokenSigner(secret, settings.list_id)


def dkim_for(settings: Settings) -> DkimSigner | None:
    """The DKIM signer of the ``dkim`` settings, if any; raises :class:`ContentError`."""
    if not (settings.dkim_domain and settings.dkim_selector and settings.dkim_private_key):
        return None
    sender_domain = settings.sender_domain
    domain = settings.dkim_domain.casefold()
    if sender_domain != domain and not sender_domain.endswith("." + domain):
        raise ContentError(
            [
                Problem(
                    settings.root / SETTINGS_FILE,
                    None,
                    f"« dkim.domain » ({settings.dkim_domain}) n'est pas le domaine de l'expéditeur "
                    f"({sender_domain}) : "
                    "les messageries n'en tiendraient pas compte (DMARC). Signez avec le domaine de « sender.from ».",
                )
            ]
        )
    key = DkimKey(settings.dkim_domain, settings.dkim_selector, settings.root / settings.dkim_private_key)
    try:
        return DkimSigner.from_file(key)
    except DkimKeyError as error:
        raise ContentError([Problem(settings.root / SETTINGS_FILE, None, str(error))]) from None


def verp_for(settings: Settings, secret: bytes) -> Verp:
    """Envelope senders per recipient, derived from the From address (``sender.from``)."""
    return Verp(secret, settings.list_id, settings.sender_address)


def prepare_campaign(
    settings: Settings,
    issue_folder: Path,
    name: str | None,
    subscribers_file: Path | None,
    only: tuple[str, ...] = (),
    test: bool = False,
    dry_run: bool = False,
) -> Campaign:
    """Load, render once and check everything.

    Raises :class:`ContentError`, or :class:`UsageProblem` for a segment that cannot be selected.
    """
    issue = load_issue(issue_folder, settings)
    rendered = render_issue(issue, settings)
    asset_base = web_url(settings, issue.slug)
    if rendered.images and not asset_base:
        raise ContentError(
            [
                Problem(
                    settings.root / SETTINGS_FILE,
                    None,
                    "le numéro contient des images mais « archive_url » n'est pas réglé : les messageries "
                    "ne pourraient pas les afficher. Indiquez l'adresse où l'archive est publiée.",
                )
            ]
        )
    campaign_name = name or issue.slug
    try:
        secret = load_secret(settings.root, create=not dry_run)  # a dry run writes nothing
        verp = verp_for(settings, secret) if settings.verp else None
        composer = Composer(
            rendered,
            settings,
            signer_for(settings, secret),
            campaign_name,
            asset_base or "",
            test,
            verp,
            dkim_for(settings),
        )
    except HeaderError as error:  # the subject comes from the issue, the rest from the settings
        source = issue_folder / ISSUE_FILE if error.header == "Subject" else settings.root / SETTINGS_FILE
        raise ContentError([error.at(source, None)]) from None
    recipients: list[Subscriber] = []
    segment = ""
    if subscribers_file is not None:
        loaded, problems = load_subscribers(subscribers_file)
        if any(p.is_error for p in problems):
            raise ContentError(problems)
        recipients, segment = select(loaded, only)
        injection = []
        for subscriber in recipients:
            try:
                composer.check(subscriber)
            except HeaderError as error:
                injection.append(error.at(subscribers_file, subscriber.line))
        if injection:
            raise ContentError(injection)
    return Campaign(
        campaign_name,
        issue.slug,
        rendered,
        composer,
        tuple(recipients),
        segment,
        subscribers_file,
        issue.unready,
        check_warnings(issue, rendered, settings),
    )
