import errno
from pathlib import Path

import pytest

from inserecho.problems import (
    EXIT_USAGE,
    EXIT_USER,
    ContentError,
    EnvironmentProblem,
    Problem,
    Severity,
    UsageProblem,
    UserError,
)


def test_a_warning_says_so_and_an_error_does_not(tmp_path: Path):
    item = tmp_path / "issues" / "2027-01" / "voeux.md"
    assert Problem(item, 3, "titre manquant.").format(tmp_path) == "issues/2027-01/voeux.md:3: titre manquant."
    warning = Problem(item, None, "pas d'aperçu.", Severity.WARNING)
    assert not warning.is_error
    assert warning.format(tmp_path) == "issues/2027-01/voeux.md: avertissement : pas d'aperçu."


def test_every_user_error_has_its_exit_code():
    assert (UserError("x").exit_code, UsageProblem("x").exit_code) == (EXIT_USER, EXIT_USAGE) == (1, 2)
    assert issubclass(ContentError, UserError) and issubclass(EnvironmentProblem, UserError)
    assert not issubclass(UsageProblem, ValueError)  # a ValueError is a bug, never a usage error


def test_content_errors_end_with_their_count(tmp_path: Path):
    error = ContentError([
        Problem(tmp_path / "a.md", 2, "date invalide."),
        Problem(tmp_path / "b.md", None, "vide.", Severity.WARNING),
    ])
    assert error.lines(tmp_path) == ["a.md:2: date invalide.", "b.md: avertissement : vide.",
                                     "1 erreur(s) à corriger avant de continuer."]


@pytest.mark.parametrize(("code", "verb", "remedy"), [
    (errno.EACCES, "d'accéder à", "vérifiez les droits"),
    (errno.EROFS, "d'écrire", "lecture seule"),
    (errno.ENOSPC, "d'écrire", "le disque est plein ; libérez de la place"),
    (errno.EDQUOT, "d'écrire", "quota"),
    (errno.ENOENT, "d'accéder à", "il n'existe pas"),
])
def test_a_refusal_of_the_system_says_what_where_and_what_to_do(tmp_path: Path, code: int, verb: str, remedy: str):
    problem = EnvironmentProblem(OSError(code, "strerror in English", str(tmp_path / "build" / "email.html")))
    [line] = problem.lines(tmp_path)
    assert line.startswith(f"impossible {verb} build/email.html : ")
    assert remedy in line and "English" not in line
    assert str(tmp_path / "build" / "email.html") in problem.message  # absolute when shown elsewhere


def test_a_refusal_without_a_path_still_says_what_to_do():
    problem = EnvironmentProblem(OSError(errno.ENOSPC, "No space left on device"))
    [line] = problem.lines(Path.cwd())
    assert line.startswith("le système a refusé une lecture ou une écriture : le disque est plein ; libérez")
