"""``inserecho preview``: one issue served on 127.0.0.1, rebuilt in-process at every save.

The rebuild is the pipeline of ``inserecho build`` (load, render once, fill the slots) run
again in the same process: no restart, so it costs what one build costs. The page asks
``/__version`` (a long poll) and reloads itself when a rebuild has happened.
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, unquote, urlsplit

import watchfiles

from inserecho.content.loader import load_issue
from inserecho.french.formats import kilobytes
from inserecho.paths import within
from inserecho.problems import ContentError, Problem
from inserecho.render.build import preview_email
from inserecho.render.renderer import GMAIL_CLIP_BYTES, render_issue
from inserecho.render.templating import template_environment
from inserecho.settings import SETTINGS_FILE, Settings, load_settings

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LONG_POLL_SECONDS = 15.0
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
"""The only ``Host`` names answered: a page of another site that rebinds its name to
127.0.0.1 (DNS rebinding) still sends its own name, and gets nothing."""
_HOST = re.compile(r"(?P<name>\[[0-9a-f:.]*\]|[^:\[\]]*)(?::\d*)?")


@dataclass(frozen=True)
class PreviewEmail:
    subject: str
    preheader: str
    sender: str
    html: str
    """With the preview's slot values: neutral greeting, images next to ``/email.html``."""
    text: str
    html_bytes: int


@dataclass(frozen=True)
class Snapshot:
    """The outcome of one rebuild: the email, or the problems that prevented it."""

    version: int
    email: PreviewEmail | None
    problems: tuple[Problem, ...]
    """Errors when ``email`` is None, otherwise the issue's warnings."""
    seconds: float
    finished: datetime


class PreviewSession:
    """One issue of one newsletter folder, re-read and re-rendered on demand."""

    def __init__(self, root: Path, issue_folder: Path) -> None:
        self.root = root.resolve()
        self.issue_folder = issue_folder.resolve()
        self._changed = threading.Condition()
        self._snapshot: Snapshot | None = None

    @property
    def snapshot(self) -> Snapshot:
        with self._changed:
            if self._snapshot is None:
                raise RuntimeError("rebuild() has not run yet")
            return self._snapshot

    def rebuild(self) -> Snapshot:
        """Load and render again; content errors become the snapshot's problems, never exceptions."""
        started = time.perf_counter()
        email: PreviewEmail | None = None
        try:
            settings = load_settings(self.root)
            issue = load_issue(self.issue_folder, settings)
            rendered = render_issue(issue, settings)
            filled = preview_email(rendered, settings)
            email = PreviewEmail(
                rendered.subject,
                rendered.preheader,
                _display_name(settings),
                filled.html,
                filled.text,
                filled.html_bytes,
            )
            problems = issue.warnings
        except ContentError as error:
            problems = tuple(error.problems)
        seconds = time.perf_counter() - started
        with self._changed:
            version = self._snapshot.version + 1 if self._snapshot else 1
            self._snapshot = Snapshot(version, email, problems, seconds, datetime.now())
            self._changed.notify_all()
            return self._snapshot

    def wait_for_version(self, seen: int, timeout: float) -> int:
        """Block until the version differs from ``seen`` (or ``timeout``); return the current one."""
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot is not None and self._snapshot.version != seen, timeout)
            return self._snapshot.version if self._snapshot else 0

    @property
    def templates_dir(self) -> Path:
        return Settings(root=self.root).templates_dir

    @property
    def settings_file(self) -> Path:
        return self.root / SETTINGS_FILE

    def is_source(self, path: Path) -> bool:
        """Whether a change to ``path`` may change the email."""
        return (
            path in (self.settings_file, self.settings_file.resolve())
            or path.is_relative_to(self.issue_folder)
            or path.is_relative_to(self.templates_dir.resolve())
        )

    def watched_directories(self) -> tuple[Path, ...]:
        """Every folder to watch, non-recursively: a new sub-folder changes this list."""
        folders = {self.root, self.settings_file.resolve().parent}
        for top in (self.issue_folder, self.templates_dir.resolve()):
            for current, names, _ in os.walk(top):
                names[:] = [n for n in names if not n.startswith((".", "__"))]
                folders.add(Path(current))
        return tuple(sorted(folders))


def watch_and_rebuild(session: PreviewSession, stop: threading.Event, on_rebuild: Callable[[Snapshot], None]) -> None:
    """Rebuild at every relevant change until ``stop`` is set (or Ctrl-C, which propagates)."""
    for _ in _changes(session, stop):
        on_rebuild(session.rebuild())


def _changes(session: PreviewSession, stop: threading.Event) -> Iterator[set[tuple[watchfiles.Change, str]]]:
    default = watchfiles.DefaultFilter()

    def relevant(change: watchfiles.Change, path: str) -> bool:
        return default(change, path) and session.is_source(Path(path))

    while not stop.is_set():
        folders = session.watched_directories()
        for changes in watchfiles.watch(
            *folders, watch_filter=relevant, stop_event=stop, recursive=False, debounce=400, step=40,
        ):
            yield changes
            if session.watched_directories() != folders:
                break  # a folder appeared or went away: watch the new list


class PreviewServer(ThreadingHTTPServer):
    """The preview page, the email, its text part and its images, on 127.0.0.1 only.

    Use as a context manager: serving starts in a background thread and stops on exit.
    """

    daemon_threads = True
    block_on_close = False  # long polls must not delay Ctrl-C

    def __init__(self, session: PreviewSession, port: int = DEFAULT_PORT) -> None:
        super().__init__((HOST, port), _Handler)
        self.session = session
        self._thread = threading.Thread(target=self.serve_forever, name="inserecho-preview", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_port}/"

    def handle_error(self, request: object, client_address: object) -> None:
        """A page closed during a long poll is normal; anything else gets one line, no traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            print(
                f"Erreur interne de l'aperçu ({type(error).__name__} : {error}) ; il continue de tourner.",
                file=sys.stderr,
            )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()


def render_page(session: PreviewSession, snapshot: Snapshot) -> str:
    """The preview page around the email: widths, size, warnings or errors, text part."""
    env = template_environment(session.templates_dir)
    email = snapshot.email
    return env.get_template("preview/page.html").render(
        slug=session.issue_folder.name,
        snapshot=snapshot,
        email=email,
        problems=[(p.is_error, p.format(session.root)) for p in snapshot.problems],
        error_count=sum(p.is_error for p in snapshot.problems),
        size=kilobytes(email.html_bytes) if email else "",
        limit=kilobytes(GMAIL_CLIP_BYTES),
        limit_bytes=GMAIL_CLIP_BYTES,
        seconds=f"{snapshot.seconds:.2f}".replace(".", ",") + " s",
        time=snapshot.finished.strftime("%H:%M:%S"),
    )


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer

    def do_GET(self) -> None:
        if not is_loopback_host(self.headers.get("Host")):
            message = (
                "Cet aperçu ne répond qu'à l'adresse http://127.0.0.1 ou http://localhost "
                "de cet ordinateur : ouvrez l'adresse affichée par « inserecho preview »."
            )
            self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8", message.encode("utf-8"))
            return
        url = urlsplit(self.path)
        path = unquote(url.path)
        session = self.server.session
        if path == "/__version":
            seen = parse_qs(url.query).get("depuis", ["0"])[0]
            version = session.wait_for_version(int(seen) if seen.isdigit() else 0, LONG_POLL_SECONDS)
            self._send(HTTPStatus.OK, "application/json", json.dumps({"version": version}).encode())
            return
        snapshot = session.snapshot
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", render_page(session, snapshot).encode("utf-8"))
        elif path in ("/email.html", "/email.txt"):
            if snapshot.email is None:
                message = "Le courriel n'a pas pu être construit : voyez les erreurs dans l'aperçu."
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", message.encode())
            elif path == "/email.html":
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", snapshot.email.html.encode("utf-8"))
            else:
                self._send(HTTPStatus.OK, "text/plain; charset=utf-8", snapshot.email.text.encode("utf-8"))
        else:
            self._send_issue_file(session, path)

    def _send_issue_file(self, session: PreviewSession, path: str) -> None:
        """Images are served from the issue folder, as ``email.html`` refers to them."""
        target = within(session.issue_folder / path.lstrip("/"), session.issue_folder)
        if target is None or not target.is_file():
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", f"Introuvable : {path}".encode())
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(HTTPStatus.OK, kind, target.read_bytes())

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the terminal for rebuild reports."""


def is_loopback_host(host: str | None) -> bool:
    """Whether a ``Host`` header names this computer: ``localhost``, ``127.0.0.1`` or
    ``[::1]``, with or without a port (case and a final dot aside)."""
    match = _HOST.fullmatch(host.strip().lower()) if host else None
    return match is not None and match["name"].rstrip(".") in LOOPBACK_NAMES


def _display_name(settings: Settings) -> str:
    name, address = parseaddr(settings.sender)
    return name or address
