"""The Jinja2 environment: the folder's ``templates/`` first, the packaged defaults after."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from markupsafe import Markup, escape

from inserecho.content.textfile import read_text
from inserecho.french.typography import typeset_text
from inserecho.paths import outside_read, within
from inserecho.problems import ContentError, Problem
from inserecho.render.markup import WIDTH, wrap


class TemplateFileError(jinja2.TemplateError):
    """A template file of the folder that cannot be used as it is; carries its ``fichier:ligne``."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


class _FolderLoader(jinja2.BaseLoader):
    """The folder's ``templates/``: UTF-8 files that resolve inside it, symlinks included.

    Jinja's own loader would read a link to ``/etc/passwd`` and fail with a Python
    ``UnicodeDecodeError`` on a file saved in Latin-1.
    """

    def __init__(self, directory: Path):
        self.directory = directory

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.directory.joinpath(*split_template_path(template))
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        if within(path, self.directory) is None:
            raise TemplateFileError(Problem(path, None, outside_read(path, "dossier templates/")))
        try:
            text = read_text(path)
        except ContentError as error:  # not UTF-8, unreadable: its file and line
            raise TemplateFileError(error.problems[0]) from None
        mtime = path.stat().st_mtime
        return text, str(path), lambda: path.is_file() and path.stat().st_mtime == mtime


def template_environment(templates_dir: Path | None) -> jinja2.Environment:
    """Templates are looked up file by file: a folder may override only ``email.css``."""
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None and templates_dir.is_dir():
        loaders.append(_FolderLoader(templates_dir))
    loaders.append(jinja2.PackageLoader("inserecho", "resources/templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["typo"] = typeset_text
    env.filters["keep_hyphens"] = keep_hyphens
    env.filters["flow"] = flow
    env.filters["underlined"] = underlined
    return env


def render_template(env: jinja2.Environment, name: str, templates_dir: Path, **context: Any) -> str:
    """Render one template; a template the officer broke is a :class:`ContentError` at its line."""
    try:
        return env.get_template(name).render(context)
    except RecursionError:
        raise ContentError(
            [
                Problem(
                    templates_dir,
                    None,
                    "un gabarit s'inclut lui-même (directement ou par un autre gabarit) : retirez cet « include ».",
                )
            ]
        ) from None
    except jinja2.TemplateError as error:
        raise ContentError([template_problem(error, templates_dir)]) from None


def template_problem(error: jinja2.TemplateError, templates_dir: Path) -> Problem:
    """A template the officer edited is broken: say where, in French."""
    if isinstance(error, TemplateFileError):
        return error.problem
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return Problem(Path(error.filename), error.lineno, f"erreur dans le gabarit : {error.message}.")
    where = _template_frame(error)
    path, line = where if where else (templates_dir, None)
    undefined = re.fullmatch(r"'(.+)' is undefined", str(error))
    if undefined:
        return Problem(
            path, line, f"« {undefined[1]} » n'est pas défini dans ce gabarit : vérifiez le nom (ou retirez-le)."
        )
    return Problem(path, line, f"erreur dans un gabarit : {error}.")


def _template_frame(error: BaseException) -> tuple[Path, int] | None:
    """The template file and line where rendering failed: Jinja rewrites its traceback
    so that frames name the template and its line."""
    found = None
    traceback = error.__traceback__
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".txt", ".css", ".xml", ".js")):
            found = (Path(filename), traceback.tb_lineno)
        traceback = traceback.tb_next
    return found


def flow(text: str, hanging: int = 0) -> str:
    """A paragraph of the text part: flowed, or with ``hanging`` spaces before its
    continuation lines (then hard-wrapped, as a flowed reader would keep the spaces)."""
    return "\n".join(wrap(text, WIDTH, "", " " * hanging, soft=not hanging))


def underlined(text: str, char: str) -> str:
    """A heading of the text part, wrapped, over a rule as long as its longest line."""
    lines = wrap(text, WIDTH, soft=False) or [""]
    return "\n".join(lines) + "\n" + char * max(len(line) for line in lines)


# Starts only at the start of a word: without the look-behind, a 20,000-letter word
# is tried from each of its letters (quadratic time).
_HYPHENATED = re.compile(r"(?<!\w)\w+(?:-\w+)+")


def keep_hyphens(text: str) -> Markup:
    """HTML in which a hyphenated name (Seine-Saint-Denis) does not break at its hyphens.

    For headings: a non-breaking span rather than U+2011, which some fonts lack.
    """
    return Markup(
        _HYPHENATED.sub(lambda match: f'<span style="white-space:nowrap">{match[0]}</span>', str(escape(text)))
    )
