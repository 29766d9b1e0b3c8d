"""An issue's life through the real CLI: ``new`` makes a draft with example texts, which
``check`` reports, ``check --strict`` and a real ``send`` refuse, and the archive leaves out;
test copies, dry runs and the outbox stay possible. Also the greeting it opens with."""

from __future__ import annotations

import mailbox
import re
import textwrap
from datetime import date

import pytest

from inserecho.cli.scaffold import default_date, new_issue
from issuefolder import ISSUE, ITEMS, SLUG, make_folder, run_cli, write_files

SUBSCRIBERS = """\
    - email: karim@example.org
      name: Karim Benali
      first_name: Karim
    - email: rose@example.org
      name: Rose Martin
    - email: paul@example.org
    """
DRAFT = ISSUE + "draft: oui\n"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("INSERECHO_SMTP_URL", "INSERECHO_SMTP_PASSWORD", "INSERECHO_SECRET"):
        monkeypatch.delenv(name, raising=False)


def newsletter(tmp_path, issue: str = DRAFT, items=None):
    root = make_folder(tmp_path, items, issue=issue)
    write_files(root, {"subscribers.yaml": SUBSCRIBERS})
    return root


def test_new_makes_a_draft_that_check_reports_file_by_file_and_strict_refuses(tmp_path):
    root = make_folder(tmp_path)
    assert run_cli(root, "new", "2027-02").code == 0

    check = run_cli(root, "check", "2027-02")
    strict = run_cli(root, "check", "--strict", "2027-02")

    assert check.code == 0, check.output
    assert re.search(r"issues/2027-02/issue\.yaml:\d+: avertissement : ce numéro est un brouillon", check.out)
    for name in (
        "issue.yaml",
        "exemple-actualite.md",
        "exemple-appel-a-projets.md",
        "exemple-marche.md",
        "exemple-offre.md",
    ):
        assert re.search(rf"issues/2027-02/{name}:\d+: avertissement : texte d'exemple encore présent", check.out), name
    assert strict.code == 1 and "refusé avec --strict" in strict.err


def test_an_issue_made_ready_passes_check_strict(tmp_path):
    root = make_folder(tmp_path)
    folder = new_issue(root / "issues", "2027-02")
    for example in folder.glob("exemple-*.md"):
        example.unlink()
    write_files(folder, {"offre.md": ITEMS["offre.md"].replace("2027-01-15", "2027-02-20")})
    text = (folder / "issue.yaml").read_text(encoding="utf-8")
    text = re.sub("(?i)à compléter", "les vœux", text.replace("draft: oui", "draft: non"))
    text = re.sub(r"(?m)^  (Écrivez ici|entre deux|\*Prénom).*$", "  Bonne année.", text)
    (folder / "issue.yaml").write_text(text, encoding="utf-8")

    run = run_cli(root, "check", "--strict", "2027-02")

    assert run.code == 0, run.output


def test_a_placeholder_in_the_editorial_file_is_found_too(tmp_path):
    root = make_folder(tmp_path)
    write_files(root, {f"issues/{SLUG}/_edito.md": "Bonjour à toutes et à tous,\n\nÉcrivez ici l’éditorial.\n"})
    issue = textwrap.dedent(ISSUE).split("editorial:")[0]
    write_files(root, {f"issues/{SLUG}/issue.yaml": issue})

    run = run_cli(root, "check", SLUG)

    assert f"issues/{SLUG}/_edito.md:3: avertissement : texte d'exemple encore présent" in run.out


def test_a_draft_is_refused_a_real_send_naming_the_file(tmp_path, smtp_server):
    root = newsletter(tmp_path)

    run = run_cli(root, "send", SLUG, "--smtp", smtp_server.url, "--yes")

    assert run.code == 1
    assert f"issues/{SLUG}/issue.yaml:7: avertissement : ce numéro est un brouillon" in run.err
    assert "n'est pas prêt à partir" in run.err and "--test, --dry-run et --outbox" in run.err
    assert smtp_server.handler.received == []
    assert not (root / "journal.sqlite3").exists()


def test_a_draft_still_goes_to_a_test_address_a_dry_run_and_the_outbox(tmp_path, smtp_server):
    root = newsletter(tmp_path)

    test = run_cli(root, "send", SLUG, "--smtp", smtp_server.url, "--test", "moi@example.org")
    dry = run_cli(root, "send", SLUG, "--smtp", smtp_server.url, "--dry-run")
    outbox = run_cli(root, "send", SLUG, "--outbox", "outbox", "--yes")

    assert (test.code, dry.code, outbox.code) == (0, 0, 0), test.output + dry.output + outbox.output
    assert [m.rcpt for m in smtp_server.handler.received] == ["moi@example.org"]
    assert len(mailbox.Maildir(root / "outbox", create=False)) == 3


def test_the_archive_leaves_drafts_out(tmp_path):
    root = make_folder(tmp_path)  # 2027-01, ready
    make_folder(
        root,
        slug="2027-02",
        issue=DRAFT.replace("number: 43", "number: 44").replace("2027-01-07", "2027-02-01"),
        items={"offre.md": ITEMS["offre.md"].replace("2027-01-15", "2027-02-20")},
    )

    run = run_cli(root, "archive", "--out", "site")

    assert run.code == 0, run.output
    assert "Archive : 1 numéro(s)" in run.out
    assert (
        "issues/2027-02/issue.yaml: avertissement : numéro 2027-02 laissé hors de l'archive : c'est un brouillon"
        in run.out
    )
    assert (root / "site" / SLUG).is_dir() and not (root / "site" / "2027-02").exists()


@pytest.mark.parametrize("slug, today, expected", [
    ("2027-10", date(2026, 12, 1), date(2027, 10, 1)),  # a Friday
    ("2027-01", date(2026, 12, 1), date(2027, 1, 4)),  # Friday the 1st is a holiday, then a weekend
    ("2027-02", date(2026, 12, 1), date(2027, 2, 1)),  # a Monday
    ("2027-05", date(2026, 12, 1), date(2027, 5, 3)),  # the 1st is a Saturday: Monday the 3rd
    ("2026-11", date(2026, 12, 1), date(2026, 11, 2)),  # the 1st is a Sunday
    ("voeux-2027", date(2026, 12, 1), date(2026, 12, 1)),  # not a month: today
])
def test_new_dates_the_issue_on_the_first_weekday_of_the_month_it_names(slug, today, expected):
    assert default_date(slug, today) == expected


def test_new_writes_the_date_its_comment_states_and_dates_examples_after_it(tmp_path):
    root = make_folder(tmp_path)
    assert run_cli(root, "new", "2027-05").code == 0
    folder = root / "issues" / "2027-05"

    text = (folder / "issue.yaml").read_text(encoding="utf-8")

    assert "\ndate: 2027-05-03\n" in text and "(ici : 3 mai 2027)" in text and "7 janvier" not in text
    deadlines = [date.fromisoformat(d) for p in folder.glob("*.md")
                 for d in re.findall(r"(?m)^(?:deadline|date): (\S+)", p.read_text(encoding="utf-8"))]
    assert len(deadlines) == 6 and all(
        d >= date(2027, 5, 3) for d in deadlines
    )  # news, events (date and deadline), three calls


def test_init_settings_promise_no_one_click_page_and_check_flags_the_example_sender(tmp_path):
    assert run_cli(tmp_path, "init", "lettre").code == 0
    root = tmp_path / "lettre"

    check = run_cli(root, "check", "2026-12")

    assert "\n  url:" not in (root / "inserecho.yaml").read_text(encoding="utf-8")
    assert re.search(r"inserecho\.yaml:\d+: avertissement : l'expéditeur est encore une adresse d'exemple", check.out)
    # the sample issue is the demo: ready, nothing else to report
    assert check.out.count("avertissement") == 1, check.out


def test_the_greeting_uses_the_first_name_and_an_issue_can_turn_it_off(tmp_path):
    root = newsletter(tmp_path, issue=ISSUE)
    assert run_cli(root, "send", SLUG, "--outbox", "outbox", "--yes").code == 0
    greetings = {m["To"]: m.get_payload()[0].get_payload(decode=True).decode().splitlines()[0]
                 for m in mailbox.Maildir(root / "outbox", create=False)}
    assert greetings == {
        "Karim Benali <karim@example.org>": "Bonjour Karim,",
        "Rose Martin <rose@example.org>": "Bonjour Rose Martin,",  # no first name: the name as written
        "paul@example.org": "Bonjour,",
    }

    write_files(root, {f"issues/{SLUG}/issue.yaml": ISSUE + "greeting: non\n"})
    assert run_cli(root, "send", SLUG, "--outbox", "sans-salutation", "--yes", "--campaign", "sans").code == 0
    for message in mailbox.Maildir(root / "sans-salutation", create=False):
        text, html = (part.get_payload(decode=True).decode() for part in message.get_payload())
        assert "Bonjour" not in text and 'class="greeting"' not in html
