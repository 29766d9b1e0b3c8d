"""A real IMAP server for the tests: Debian's Dovecot on 127.0.0.1, with its own
configuration in a temporary folder (passwd-file, one Maildir, a certificate made by
trustme for imaps and STARTTLS). Run as root, its login and mail processes run as the
unprivileged ``dovenull`` user; run as anyone else, as that user.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import trustme

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "lettre@inser-eco93.example.org"
PASSWORD = "mot-de-passe très secret"

_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {user}
default_internal_user = {user}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/mail/%u
}}
mail_location = maildir:{root}/mail/%u/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class Dovecot:
    root: Path
    imap_port: int
    imaps_port: int
    cafile: Path
    process: subprocess.Popen
    user: str = USER
    password: str = PASSWORD

    def url(self, scheme: str = "imap", host: str = "127.0.0.1") -> str:
        port = self.imaps_port if scheme == "imaps" else self.imap_port
        return f"{scheme}://{self.user}@{host}:{port}"

    def session(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port)
        imap.authenticate("PLAIN", lambda _: f"\0{self.user}\0{self.password}".encode())
        return imap

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        imap = self.session()
        try:
            for message in messages:
                typ, data = imap.append(folder, None, None, message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
                assert typ == "OK", data
        finally:
            imap.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The messages of ``folder`` (``INBOX.sub`` for a sub-folder), without marking them read."""
        imap = self.session()
        try:
            typ, count = imap.select(f'"{folder}"', readonly=True)
            if typ != "OK" or count[0] == b"0":
                return []
            _, data = imap.fetch("1:*", "(BODY.PEEK[])")
            return [item[1] for item in data if isinstance(item, tuple)]
        finally:
            imap.logout()

    def flags(self, folder: str = "INBOX") -> list[bytes]:
        imap = self.session()
        try:
            imap.select(f'"{folder}"', readonly=True)
            _, data = imap.fetch("1:*", "(FLAGS)")
            return [item for item in data if isinstance(item, bytes)]
        finally:
            imap.logout()

    def folders(self) -> list[str]:
        imap = self.session()
        try:
            _, data = imap.list()
            return [re.search(rb'"[^"]*" "?([^"]*)"?$', line).group(1).decode() for line in data]
        finally:
            imap.logout()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def start_dovecot(tls: bool = True) -> Dovecot:
    # Not under pytest's tmp_path: the mail processes run as an unprivileged user
    # and must reach the Maildir, and pytest's folders are private to root.
    root = Path(tempfile.mkdtemp(prefix="inserecho-dovecot-"))
    root.chmod(0o755)
    user = "dovenull" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    entry = pwd.getpwnam(user)
    (root / "mail").mkdir()
    os.chown(root / "mail", entry.pw_uid, entry.pw_gid)
    ca = trustme.CA()
    cafile = root / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    certificate = ca.issue_cert("localhost", "127.0.0.1")
    certificate.cert_chain_pems[0].write_to_path(str(root / "cert.pem"))
    certificate.private_key_pem.write_to_path(str(root / "key.pem"))
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    imap_port, imaps_port = _free_port(), _free_port()
    config = root / "dovecot.conf"
    config.write_text(_CONFIG.format(
        root=root, ssl="yes" if tls else "no", user=user, group=entry.pw_gid,
        imap_port=imap_port, imaps_port=imaps_port if tls else 0,
    ), encoding="utf-8")
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stderr=subprocess.PIPE)
    server = Dovecot(root, imap_port, imaps_port, cafile, process)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", imap_port), timeout=1).close()
            return server
        except OSError as error:
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text(errors="replace") if (root / "dovecot.log").exists() else ""
                server.stop()
                raise RuntimeError(
                    f"Dovecot did not start: {process.stderr.read().decode(errors='replace')} {log}"
                ) from error
            time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
