"""``inserecho preview``: rebuilt in-process at every save, served on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
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
from inserecho.web.preview import PreviewServer, PreviewSession, Snapshot, watch_and_rebuild

ITEM = "logements-passerelle.md"
TITLE = "Logements passerelle insertion : six nouveaux logements à Plaine Commune"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_sample_folder(tmp_path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_rebuild_shows_errors_with_file_and_line_then_recovers(root: Path) -> None:
    session = PreviewSession(root, root / "issues" / SAMPLE)
    first = session.rebuild()
    assert first.version == 1 and first.email is not None and first.problems == ()
    assert "Logements passerelle" in first.email.html and "Logements passerelle" in first.email.text
    assert first.email.sender == "Inser'Echo" and first.seconds > 0

    edit(root / "issues" / SAMPLE / ITEM, "date: 2026-11-18", "date: 18/13/2026")
    broken = session.rebuild()
    assert broken.version == 2 and broken.email is None
    [problem] = broken.problems
    assert (problem.path.name, problem.line) == (ITEM, 4)
    assert "n'est pas une date valide" in problem.message

    edit(root / "issues" / SAMPLE / ITEM, "date: 18/13/2026", "date: 2026-11-18")
    assert session.rebuild().email is not None


def test_a_broken_template_is_a_problem_not_a_crash(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "item.html").write_text("<h3>{{ item.title }</h3>\n", encoding="utf-8")
    snapshot = PreviewSession(root, root / "issues" / SAMPLE).rebuild()
    [problem] = snapshot.problems
    assert snapshot.email is None and problem.path.name == "item.html" and problem.line == 1
    assert problem.message.startswith("erreur dans le gabarit")


def test_server_gives_the_page_the_email_its_text_and_images_only(root: Path) -> None:
    session = PreviewSession(root, root / "issues" / SAMPLE)
    email = session.rebuild().email
    assert email is not None
    size = f"{email.html_bytes / 1024:.1f}".replace(".", ",")
    with PreviewServer(session, port=0) as server:
        assert server.url.startswith("http://127.0.0.1:")
        status, kind, body = get(server.url)
        assert (status, kind) == (200, "text/html; charset=utf-8")
        assert "Aperçu du numéro 2026-12" in body.decode()
        size = len(get(server.url + "email.html")[2]) / 1024
        assert f"{size:.1f}".replace(".", ",") in body.decode() and "102,0 Ko" in body.decode(), (
            "size against Gmail's limit"
        )
        assert b'src="./images/assemblee-generale.png"' in get(server.url + "email.html")[2]
        assert get(server.url + "email.txt")[1] == "text/plain; charset=utf-8"
        assert get(server.url + "images/assemblee-generale.png")[:2] == (200, "image/png")
        assert get(server.url + "..%2F..%2Finserecho.yaml")[0] == 404
        assert get(server.url + "../inserecho.yaml")[0] == 404

        threading.Timer(0.3, session.rebuild).start()
        status, kind, body = get(server.url + "__version?depuis=1")
        assert json.loads(body) == {"version": 2}, "the long poll answers as soon as a rebuild happens"


def get_with_host(server: PreviewServer, path: str, host: str) -> tuple[int, str]:
    """A real request to the server, with the ``Host`` header a browser would send."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=20)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def test_only_loopback_host_names_are_answered(root: Path) -> None:
    session = PreviewSession(root, root / "issues" / SAMPLE)
    session.rebuild()
    with PreviewServer(session, port=0) as server:
        port = server.server_port
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LocalHost"):
            assert get_with_host(server, "/email.html", host)[0] == 200, host
        # a page whose domain was rebound to 127.0.0.1 sends its own name
        for host in (f"attaquant.example:{port}", f"127.0.0.1.attaquant.example:{port}", ""):
            for path in ("/", "/email.html", "/images/assemblee-generale.png", "/__version?depuis=0"):
                status, body = get_with_host(server, path, host)
                assert status == 421, (host, path)
                assert "ne répond qu'à l'adresse http://127.0.0.1" in body and "Inser" not in body


def test_server_errors_are_one_line_and_closed_pages_are_no_error(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = PreviewSession(root, root / "issues" / SAMPLE)
    with PreviewServer(session, port=0) as server:
        for error in (BrokenPipeError(32, "Broken pipe"), ValueError("gabarit illisible")):
            try:
                raise error
            except Exception:
                server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == (
        "Erreur interne de l'aperçu (ValueError : gabarit illisible) ; il continue de tourner.\n"
    )


def test_watch_rebuilds_on_every_kind_of_source(root: Path) -> None:
    session = PreviewSession(root, root / "issues" / SAMPLE)
    session.rebuild()
    stop = threading.Event()
    rebuilt: list[Snapshot] = []
    watcher = threading.Thread(target=watch_and_rebuild, args=(session, stop, rebuilt.append))
    watcher.start()

    def after(change) -> Snapshot:
        count = len(rebuilt)
        time.sleep(0.3)  # let the watcher start or restart
        change()
        deadline = time.monotonic() + 10
        while len(rebuilt) == count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(rebuilt) > count, "no rebuild after the change"
        return rebuilt[-1]

    try:
        settings = root / "inserecho.yaml"
        replaced = root / "inserecho.yaml.tmp"

        def save_settings_like_an_editor() -> None:  # write a copy, then rename it over
            replaced.write_text(
                settings.read_text(encoding="utf-8").replace("Inser'Echo", "Inser'Écho"), encoding="utf-8"
            )
            os.replace(replaced, settings)

        assert "Inser’Écho" in after(save_settings_like_an_editor).email.html
        back = after(lambda: edit(settings, "Inser'Écho", "Inser'Echo"))
        assert "Inser’Écho" not in back.email.html, "still watched after the rename"
        after(lambda: (root / "templates").mkdir())
        snapshot = after(
            lambda: (root / "templates" / "email.css").write_text("body { color: #123456; }", encoding="utf-8")
        )
        assert "#123456" in snapshot.email.html
        snapshot = after(lambda: edit(root / "issues" / SAMPLE / ITEM, "six nouveaux", "huit nouveaux"))
        assert "huit nouveaux" in snapshot.email.html
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


def test_a_busy_port_is_explained(root: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "inserecho.cli", "--root", str(root), "preview", SAMPLE, "--port", str(port)],
            check=False, capture_output=True, text=True, timeout=30,
        )
    assert done.returncode == 2
    assert f"le port {port} est déjà utilisé" in done.stderr and f"--port {port + 1}" in done.stderr


# --- the command, in the browser ----------------------------------------------------


@pytest.fixture
def preview_command(root: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "inserecho.cli", "--root", str(root), "preview", SAMPLE, "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = ""
        while not url and select.select([process.stdout], [], [], 20)[0]:
            line = process.stdout.readline()
            assert line, "the preview stopped before giving its address"
            url = line.split(" : ", 1)[1].strip() if line.startswith("Aperçu du numéro") else ""
        assert url.startswith("http://127.0.0.1:")
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.browser
def test_preview_page_follows_edits_errors_and_fixes(page, root: Path, preview_command) -> None:
    from playwright.sync_api import expect

    process, url = preview_command
    page.goto(url)
    email = page.frame_locator("#courriel")
    expect(email.locator("h3", has_text="Logements passerelle")).to_be_visible()
    assert accessibility_problems(page) == []
    frame = page.locator("#courriel")
    assert frame.get_attribute("width") == "600"
    page.get_by_label("Mobile (375 px)").check()
    assert frame.evaluate("f => f.getBoundingClientRect().width") == pytest.approx(375, abs=2)
    screenshot(page, "preview-mobile", full_page=False)

    item = root / "issues" / SAMPLE / ITEM
    edit(item, "six nouveaux logements", "sept nouveaux logements")
    expect(email.locator("h3", has_text="sept nouveaux logements")).to_be_visible(timeout=10_000)
    assert frame.get_attribute("width") == "375", "the chosen width survives the reload"
    assert "reconstruit en" in page.locator("#etat").inner_text()

    edit(item, "territory: Plaine Commune", "territory: Plaine Comune")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"issues/{SAMPLE}/{ITEM}:5: territoire inconnu « Plaine Comune »", timeout=10_000)
    expect(alert).to_contain_text("vouliez-vous dire « Plaine Commune »")
    assert page.locator("h1").inner_text() == f"Le numéro {SAMPLE} contient des erreurs"
    screenshot(page, "preview-error", full_page=False)
    assert process.poll() is None, "the server keeps running"

    edit(item, "territory: Plaine Comune", "territory: Plaine Commune")
    expect(email.locator("h3", has_text="sept nouveaux logements")).to_be_visible(timeout=10_000)
    page.get_by_label("Ordinateur (600 px)").check()
    screenshot(page, "preview-desktop", full_page=False)

    page.goto("about:blank")  # the page would report the stopped server
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "1 erreur(s)" in output and "Aperçu arrêté." in output
