"""``inserecho serve``: the readers' side (unsubscribe, sign-up) served from the folder."""

from __future__ import annotations

import errno
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import click

from inserecho.cli.context import Folder, pass_folder, tls_options
from inserecho.cli.french import IntRange
from inserecho.problems import UsageProblem
from inserecho.send.tokens import load_secret
from inserecho.send.transport.relay import RelayConfig
from inserecho.web.app import (
    CONFIRM_PATH,
    SIGNUP_PATH,
    ReadersSite,
    WebConfig,
    smtp_mailer,
)

SMTP_URL_VARIABLE = "INSERECHO_SMTP_URL"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Requests carry tokens in their URL: not printed."""


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADRESSE", help="Adresse d'écoute.")
@click.option("--port", type=IntRange(0, 65535), default=8080, show_default=True, metavar="PORT", help="Port d'écoute.")
@click.option(
    "--smtp",
    "smtp_url",
    metavar="URL",
    envvar=SMTP_URL_VARIABLE,
    help=f"Relais SMTP (sinon {SMTP_URL_VARIABLE} ou inserecho.yaml), comme pour « send ».",
)
@tls_options("un relais", "relais")
@pass_folder
def serve(folder: Folder, host: str, port: int, smtp_url: str | None, insecure: bool, cafile: str | None) -> None:
    """Servir les pages des lecteurs : désinscription en un clic, inscription.

    Le site ne garde rien : il envoie chaque demande, signée, à l'adresse de
    désinscription, et « inserecho inbox » l'applique. Ctrl-C pour arrêter.

    \b
    Exemple :
      inserecho serve --port 8080
    """
    settings = folder.settings
    url = smtp_url or settings.smtp_url
    if not url:
        raise click.UsageError(
            f"aucun relais SMTP réglé (smtp.url, --smtp ou {SMTP_URL_VARIABLE}) : le site en a "
            "besoin pour envoyer les confirmations et les avis."
        )
    try:
        relay = RelayConfig.from_url(url, insecure=insecure, cafile=cafile)
        config = WebConfig.from_settings(settings, load_secret(settings.root))
    except ValueError as error:  # the settings the readers' site needs
        raise UsageProblem(str(error)) from None
    try:
        server = make_server(
            host,
            port,
            ReadersSite(config, smtp_mailer(relay)),
            server_class=_ThreadingServer,
            handler_class=_QuietHandler,
        )
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise click.UsageError(f"le port {port} est déjà utilisé : choisissez-en un autre avec --port.") from None
        raise click.ClickException(f"impossible d'écouter sur {host}:{port} ({error.strerror})") from None
    base = f"http://{host}:{server.server_port}"
    click.echo(
        f"Pages des lecteurs : {base}{SIGNUP_PATH} (inscription), {base}{config.unsubscribe_path} (désinscription)."
    )
    click.echo(f"Confirmations : {base}{CONFIRM_PATH} ; avis envoyés à {config.mailbox} via {relay.describe()}.")
    click.echo("Ctrl-C pour arrêter.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    click.echo("\nSite arrêté.")
