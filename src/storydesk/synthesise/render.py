"""The dossier as Markdown and as a standalone HTML page (inline CSS, no scripts, every text
escaped: article text is untrusted), from the Jinja2 templates in ``storydesk/templates``."""
from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from storydesk.model import Citation, Dossier


def cite(citation: Citation) -> str:
    """A citation as printed: article id and character span."""
    return f"{citation.article}:{citation.start}-{citation.end}"


def md_cell(text: object) -> str:
    """Text safe inside a Markdown table cell or list item: one line, pipes and markup escaped."""
    flat = " ".join(str(text if text is not None else "").split())
    for char in "\\|*_`[]<>":
        flat = flat.replace(char, "\\" + char)
    return flat


def shorten(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@cache
def _environment(html: bool) -> Environment:
    environment = Environment(
        loader=PackageLoader("storydesk", "templates"),
        autoescape=select_autoescape(["html"]) if html else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(cite=cite, md=md_cell, shorten=shorten)
    return environment


def _context(dossier: Dossier) -> dict:
    shared = [s for s in dossier.statements if len(s.versions) > 1]
    return {
        "d": dossier,
        "titles": {a.id: a.outlet for a in dossier.articles},
        "shared_statements": shared,
        "single_quotes": [q for q in dossier.quotes if q.group not in {s.group for s in shared}],
    }


def render_markdown(dossier: Dossier) -> str:
    """The dossier as a Markdown document."""
    return _environment(False).get_template("dossier.md").render(_context(dossier))


def render_html(dossier: Dossier) -> str:
    """The dossier as one standalone, escaped HTML page."""
    return _environment(True).get_template("dossier.html").render(_context(dossier))
