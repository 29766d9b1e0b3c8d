"""The readers' side: one-click unsubscribe (RFC 8058) and sign-up with double opt-in,
as a WSGI application that holds no data.

It verifies signed tokens and mails signed notices to the association's mailbox,
which ``inserecho inbox`` applies: the folder and its journal stay the single source
of truth. GET never changes anything (link scanners and previews follow links);
POST does. The same application runs under ``inserecho serve`` (configured from the
folder) or any WSGI host (``inserecho.web:application``, configured by environment
variables, see :func:`config_from_environment`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.util import application_uri

from inserecho.content.addresses import normalise_address
from inserecho.content.territories import TERRITORIES, normalise_territory
from inserecho.content.textfile import one_line
from inserecho.problems import InvalidValue
from inserecho.render.templating import template_environment
from inserecho.send.message import wire_address
from inserecho.send.tokens import TokenSigner
from inserecho.send.transport.pool import (
    FatalRelayError,
    OutgoingMessage,
    SendError,
    SmtpTransport,
)
from inserecho.send.transport.relay import RelayConfig
from inserecho.settings import Settings
from inserecho.web.notices import (
    CONFIRMATION_DAYS,
    LINK_PURPOSE,
    NOTICE_PURPOSE,
    Notice,
    PayloadSigner,
    Signup,
    confirmation_token,
    notice_message,
    now_here,
    read_confirmation,
)

SIGNUP_PATH = "/inscription"
CONFIRM_PATH = "/inscription/confirmer"
DEFAULT_UNSUBSCRIBE_PATH = "/desinscription"
_MAX_BODY = 16_384
ENVIRONMENT = {
    "secret": "INSERECHO_SECRET",
    "list_id": "INSERECHO_LIST_ID",
    "smtp_url": "INSERECHO_SMTP_URL",
    "mailbox": "INSERECHO_MAILBOX",
    "sender": "INSERECHO_SENDER",
}

Mailer = Callable[[EmailMessage], None]
StartResponse = Callable[..., Any]


class MailError(Exception):
    """The message could not be handed to the relay; French, safe to show."""


@dataclass(frozen=True)
class WebConfig:
    """``mailbox``: where notices go (the unsubscribe address); ``sender``: their From and
    that of the confirmation mails; ``signup_url``: the public address of the sign-up
    page, for the links mailed (else the address the request came to)."""

    secret: bytes = field(repr=False)
    list_id: str
    name: str
    mailbox: str
    sender: str
    unsubscribe_path: str = DEFAULT_UNSUBSCRIBE_PATH
    signup_url: str | None = None
    consent_text: str = Settings.consent_text
    consent_version: str = Settings.consent_version

    @classmethod
    def from_settings(cls, settings: Settings, secret: bytes) -> WebConfig:
        if not settings.unsubscribe_mailto:
            raise ValueError(
                "« mailto » sous « unsubscribe » n'est pas réglé dans inserecho.yaml : c'est l'adresse "
                "où le site envoie les désinscriptions et les inscriptions, lues par « inserecho inbox »."
            )
        return cls(
            secret,
            settings.list_id,
            settings.name,
            settings.unsubscribe_mailto,
            settings.sender,
            _path(settings.unsubscribe_url),
            settings.signup_url,
            settings.consent_text,
            settings.consent_version,
        )


def config_from_environment(environ: Mapping[str, str] = os.environ) -> tuple[WebConfig, RelayConfig]:
    """The configuration of ``inserecho.web:application``; raises ``ValueError`` (French).

    Required: ``INSERECHO_SECRET`` (the content of the folder's ``.inserecho-secret``),
    ``INSERECHO_LIST_ID``, ``INSERECHO_SMTP_URL`` (and ``INSERECHO_SMTP_PASSWORD``),
    ``INSERECHO_MAILBOX`` and ``INSERECHO_SENDER``. Optional: ``INSERECHO_NAME``,
    ``INSERECHO_UNSUBSCRIBE_URL``, ``INSERECHO_SIGNUP_URL``, ``INSERECHO_CONSENT``,
    ``INSERECHO_CONSENT_VERSION``.
    """
    missing = [variable for variable in ENVIRONMENT.values() if not environ.get(variable)]
    if missing:
        raise ValueError(f"variables d'environnement manquantes pour le site : {', '.join(missing)}")
    config = WebConfig(
        environ["INSERECHO_SECRET"].encode("utf-8"),
        environ["INSERECHO_LIST_ID"],
        environ.get("INSERECHO_NAME") or Settings.name,
        environ["INSERECHO_MAILBOX"],
        environ["INSERECHO_SENDER"],
        _path(environ.get("INSERECHO_UNSUBSCRIBE_URL")),
        environ.get("INSERECHO_SIGNUP_URL") or None,
        environ.get("INSERECHO_CONSENT") or Settings.consent_text,
        environ.get("INSERECHO_CONSENT_VERSION") or Settings.consent_version,
    )
    return config, RelayConfig.from_url(environ["INSERECHO_SMTP_URL"], environ=environ)


def smtp_mailer(relay: RelayConfig) -> Mailer:
    """Each message through its own short SMTP session (the site mails little)."""

    def send(message: EmailMessage) -> None:
        recipient, smtputf8 = wire_address(parseaddr(str(message["To"]))[1])
        data = message.as_bytes(policy=policy.default.clone(utf8=smtputf8))  # an accented address as written
        outgoing = OutgoingMessage(parseaddr(str(message["From"]))[1], recipient, data, smtputf8)

        async def deliver() -> None:
            async with SmtpTransport(relay, 1, connect_attempts=2) as transport:
                await transport.send(outgoing)

        try:
            asyncio.run(deliver())
        except (SendError, FatalRelayError) as error:
            raise MailError(str(error)) from None

    return send


class ReadersSite:
    """The WSGI application (a callable)."""

    def __init__(self, config: WebConfig, mailer: Mailer, clock: Callable[[], datetime] = now_here):
        self.config, self.mailer, self.clock = config, mailer, clock
        self.tokens = TokenSigner(config.secret, config.list_id)
        self.notices = PayloadSigner(config.secret, config.list_id, NOTICE_PURPOSE)
        self.links = PayloadSigner(config.secret, config.list_id, LINK_PURPOSE)
        self.templates = template_environment(None)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "/").rstrip("/") or "/"
        query = _form(environ.get("QUERY_STRING", ""))
        if method not in ("GET", "HEAD", "POST"):
            return self._message(
                start_response,
                HTTPStatus.METHOD_NOT_ALLOWED,
                "Méthode non prise en charge",
                "Cette adresse s'utilise depuis un navigateur.",
            )
        form = _form(_body(environ)) if method == "POST" else {}
        routes = {
            self.config.unsubscribe_path: self._unsubscribe,
            SIGNUP_PATH: self._signup,
            CONFIRM_PATH: self._confirm,
        }
        handler = routes.get(path)
        if handler is None:
            return self._message(
                start_response,
                HTTPStatus.NOT_FOUND,
                "Page introuvable",
                "Cette page n'existe pas. Vérifiez l'adresse du lien.",
            )
        return handler(environ, start_response, method == "POST", query, form)

    # One-click unsubscribe

    def _unsubscribe(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        post: bool,
        query: dict[str, str],
        form: dict[str, str],
    ) -> Iterable[bytes]:
        token = form.get("token") or query.get("token", "")
        address = self.tokens.resolve(token)
        if address is None:
            return self._message(
                start_response,
                HTTPStatus.BAD_REQUEST,
                "Lien de désinscription invalide",
                (
                    "Ce lien est incomplet ou a été modifié. Utilisez le lien de la dernière "
                    f"lettre reçue, ou écrivez à {self.config.mailbox}."
                ),
            )
        if not post:  # what link scanners and previews do: show, change nothing
            action = f"{self.config.unsubscribe_path}?{urlencode({'token': token})}"
            return self._page(
                start_response,
                HTTPStatus.OK,
                "unsubscribe.html",
                "Se désinscrire",
                email=address,
                token=token,
                action=action,
            )
        notice = Notice("unsubscribe", address, self.clock().isoformat(timespec="seconds"))
        failure = self._mail(notice_message(notice, self.notices, self.config.sender, self.config.mailbox))
        if failure is not None:
            return failure(start_response)
        return self._message(
            start_response,
            HTTPStatus.OK,
            "Désinscription enregistrée",
            f"Vous ne recevrez plus {self.config.name} à l'adresse {address}.",
            "Vous pourrez vous réinscrire à tout moment depuis la page d'inscription.",
        )

    # Sign-up with double opt-in

    def _signup(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        post: bool,
        query: dict[str, str],
        form: dict[str, str],
    ) -> Iterable[bytes]:
        if not post:
            return self._signup_form(start_response, HTTPStatus.OK, {}, {})
        if form.get("website"):  # the trap field, invisible to people: a bot filled it; it is told nothing
            return self._check_your_mail(start_response)
        signup, errors = self._read_signup(form)
        if signup is None:
            return self._signup_form(start_response, HTTPStatus.BAD_REQUEST, form, errors)
        token = confirmation_token(self.links, signup, self.clock())
        base = self.config.signup_url or application_uri(environ).rstrip("/") + SIGNUP_PATH
        link = f"{base.rstrip('/')}/confirmer?{urlencode({'jeton': token})}"
        failure = self._mail(self._confirmation_mail(signup, link))
        return failure(start_response) if failure is not None else self._check_your_mail(start_response)

    def _check_your_mail(self, start_response: StartResponse) -> Iterable[bytes]:
        return self._message(
            start_response,
            HTTPStatus.OK,
            "Vérifiez votre boîte aux lettres",
            (
                "Nous venons de vous envoyer un courriel : cliquez sur le lien qu'il contient "
                f"pour confirmer votre inscription (il reste valable {CONFIRMATION_DAYS} jours)."
            ),
            "Personne n'est inscrit sans cette confirmation.",
        )

    def _confirm(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        post: bool,
        query: dict[str, str],
        form: dict[str, str],
    ) -> Iterable[bytes]:
        token = form.get("jeton") or query.get("jeton", "")
        signup, expired = read_confirmation(self.links, token, self.clock())
        if signup is None:
            if expired:
                return self._message(
                    start_response,
                    HTTPStatus.GONE,
                    "Lien expiré",
                    (
                        f"Ce lien de confirmation a plus de {CONFIRMATION_DAYS} jours. Inscrivez-vous de nouveau : "
                        "vous recevrez un nouveau lien."
                    ),
                )
            return self._message(
                start_response,
                HTTPStatus.BAD_REQUEST,
                "Lien de confirmation invalide",
                (
                    "Ce lien est incomplet ou a été modifié. Copiez-le en entier depuis le "
                    "courriel reçu, ou inscrivez-vous de nouveau."
                ),
            )
        if not post:
            return self._page(
                start_response,
                HTTPStatus.OK,
                "confirm.html",
                "Confirmer l'inscription",
                email=signup.email,
                token=token,
                action=CONFIRM_PATH,
            )
        notice = Notice("signup", signup.email, self.clock().isoformat(timespec="seconds"), signup)
        failure = self._mail(notice_message(notice, self.notices, self.config.sender, self.config.mailbox))
        if failure is not None:
            return failure(start_response)
        return self._message(
            start_response,
            HTTPStatus.OK,
            "Inscription confirmée",
            f"Merci ! {signup.email} recevra la prochaine lettre {self.config.name}.",
            "Chaque lettre contient un lien pour se désinscrire.",
        )

    def _read_signup(self, form: dict[str, str]) -> tuple[Signup | None, dict[str, str]]:
        errors: dict[str, str] = {}
        email: str | None = None
        if not form.get("email", "").strip():
            errors["email"] = "Indiquez votre adresse électronique."
        else:
            try:
                email = normalise_address(form["email"])
            except InvalidValue as error:
                errors["email"] = f"Adresse électronique : {error.message}"
        territory = None
        if form.get("territory", "").strip():
            try:
                territory = normalise_territory(form["territory"], allow_department=False)
            except InvalidValue:
                errors["territory"] = "Choisissez un territoire dans la liste."
        if form.get("consent") != "oui":
            errors["consent"] = "Cochez la case pour accepter de recevoir la lettre."
        if errors or email is None:
            return None, errors
        return Signup(
            email,
            _one_line(form.get("name")),
            _one_line(form.get("organisation")),
            territory,
            self.config.consent_version,
        ), {}

    def _confirmation_mail(self, signup: Signup, link: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = wire_address(signup.email)[0]  # an accented domain in its ASCII form, as campaigns write it
        message["Subject"] = f"Confirmez votre inscription à {self.config.name}"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(
            "Bonjour,\n\n"
            f"Pour recevoir {self.config.name}, confirmez votre adresse en ouvrant ce lien "
            f"(valable {CONFIRMATION_DAYS} jours) :\n\n"
            f"{link}\n\n"
            "Si vous n'avez rien demandé, ignorez ce message : vous ne serez pas inscrit·e.\n"
        )
        return message

    # Plumbing

    def _mail(self, message: EmailMessage) -> Callable[[StartResponse], Iterable[bytes]] | None:
        """Hand ``message`` to the relay; on failure, the page that says so (nothing is lost: nothing changed)."""
        try:
            self.mailer(message)
        except MailError:
            return lambda start_response: self._message(
                start_response,
                HTTPStatus.SERVICE_UNAVAILABLE,
                "Service momentanément indisponible",
                (
                    "Votre demande n'a pas pu être transmise. Réessayez dans quelques minutes, ou écrivez "
                    f"à {self.config.mailbox}."
                ),
            )
        return None

    def _signup_form(
        self, start_response: StartResponse, status: HTTPStatus, values: dict[str, str], errors: dict[str, str]
    ) -> Iterable[bytes]:
        shown = {key: values.get(key, "") for key in ("email", "name", "organisation", "territory")}
        return self._page(
            start_response,
            status,
            "signup.html",
            f"S'inscrire à {self.config.name}",
            values=shown,
            errors=errors,
            territories=TERRITORIES,
            consent=self.config.consent_text,
            action=SIGNUP_PATH,
        )

    def _message(
        self, start_response: StartResponse, status: HTTPStatus, title: str, *paragraphs: str
    ) -> Iterable[bytes]:
        """The page that only says something: a title and its paragraphs."""
        return self._page(start_response, status, "message.html", title, paragraphs=list(paragraphs))

    def _page(
        self, start_response: StartResponse, status: HTTPStatus, template: str, title: str, **values: Any
    ) -> Iterable[bytes]:
        html = self.templates.get_template(f"web/{template}").render(title=title, name=self.config.name, **values)
        body = html.encode("utf-8")
        start_response(
            f"{status.value} {status.phrase}",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),  # the token must not leak to other sites
            ],
        )
        return [body]


def _form(text: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}


def _body(environ: dict[str, Any]) -> str:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), _MAX_BODY)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length).decode("utf-8", "replace") if length > 0 else ""


def _one_line(value: str | None) -> str | None:
    return one_line(value or "")[:200] or None


def _path(url: str | None) -> str:
    path = urlsplit(url).path.rstrip("/") if url else ""
    return path or DEFAULT_UNSUBSCRIBE_PATH
