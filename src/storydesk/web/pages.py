"""The HTML pages: stories, a story's dossier, an article, search, an entity's quotes and the
ingest form with its job page. Each route asks the Desk, shapes the answer with ``views`` and
renders a template (autoescaped)."""
from __future__ import annotations

import math
import re
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from storydesk.analyse.cut import analysed_part
from storydesk.ingest.formats import GZIP_SUFFIX, extension_formats
from storydesk.model import Article, Citation, Dossier
from storydesk.synthesise.render import carried_by, distinct_versions, quantities, who_said_what
from storydesk.web import views
from storydesk.web.app import PageNumber, RowId, Web
from storydesk.web.uploads import UploadRejected, checked_outlet, read_uploads

router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)
STORIES_PER_PAGE = 50
HITS_PER_PAGE = 20
QUOTES_PER_PAGE = 50
_SPAN = re.compile(r"^(\d+)-(\d+)$")


def _web(request: Request) -> Web:
    return request.app.state.web


def _render(request: Request, template: str, status: int = 200, **context: object) -> Response:
    return _web(request).templates.TemplateResponse(request, template, context, status_code=status)


def _pages(total: int, per_page: int, page: int) -> dict[str, int]:
    """Pager fields for a template: this page, the last page and the offset to query at."""
    last = max(1, math.ceil(total / per_page))
    if page > last and total:
        raise HTTPException(404, f"page {page} does not exist (there are {last})")
    return {"page": page, "last": last, "offset": (page - 1) * per_page, "total": total}


@router.get("/")
def stories(request: Request, q: str = Query("", max_length=500), page: PageNumber = 1) -> Response:
    """Stories newest first, or those with an article matching ``q``."""
    desk = _web(request).desk()
    if q.strip():
        found, total = desk.find_stories(q, STORIES_PER_PAGE, (page - 1) * STORIES_PER_PAGE)
        pager = _pages(total, STORIES_PER_PAGE, page)
        return _render(request, "stories.html", stories=found, q=q, pager=pager, articles=desk.article_count())
    return HTMLResponse(_web(request).cache.get(("stories", page), desk.stories_stamp(), lambda: _story_list(request, page)))


def _story_list(request: Request, page: int) -> str:
    """One page of the story list, newest first (cached while no story changes)."""
    desk = _web(request).desk()
    pager = _pages(desk.story_count(), STORIES_PER_PAGE, page)
    found = desk.stories(STORIES_PER_PAGE, pager["offset"])
    template = _web(request).templates.get_template("stories.html")
    return template.render(request=request, stories=found, q="", pager=pager, articles=desk.article_count())


@router.get("/stories/{story_id}")
def story(request: Request, story_id: RowId, joined: int | None = Query(None, alias="from", ge=1)) -> Response:
    """A story's dossier page with its history; the rendered page is cached with the dossier. A
    story merged into another (or rebuilt) redirects, permanently, to the story it became, whose
    page then says which story joined it (``from``)."""
    web = _web(request)
    found = web.dossier(story_id)
    if found is None:
        moved = web.moved(story_id)
        if moved is not None:
            return RedirectResponse(f"/stories/{moved}?from={story_id}", status_code=301)
        raise HTTPException(404, f"no story {story_id}")
    stamp, dossier = found
    joined = joined if joined is not None and joined != story_id and web.moved(joined) == story_id else None
    html = web.cache.get(("story page", story_id, joined), stamp, lambda: _story_page(request, dossier, joined))
    return HTMLResponse(html)


def _story_page(request: Request, dossier: Dossier, joined: int | None) -> str:
    """The rendered story page: the dossier, its history, and which story joined it (``joined``)."""
    history = views.history_lines(_web(request).desk().story_history(dossier.story.id), dossier.story.id)
    outlets = {a.id: a.outlet_label for a in dossier.articles}
    cite_names = {a.id: f"{a.named_outlet} {a.id}" if a.named_outlet else str(a.id) for a in dossier.articles}
    first_citation = {e.id: _cite_href(e.citations[0]) for e in dossier.timeline if e.citations}
    columns = views.coverage_columns(dossier)
    said = who_said_what(dossier)
    template = _web(request).templates.get_template("story.html")
    return template.render(
        request=request, d=dossier, outlets=outlets, cite_names=cite_names, cite_href=_cite_href,
        graphic=views.timeline_graphic(dossier.timeline, first_citation),
        said=said, shared_speakers={s.speaker for s in said.shared},
        carried_by=lambda ids: carried_by(dossier, ids), versions_of=lambda st: distinct_versions(st, dossier.quotes, outlets),
        quantities=quantities(dossier),
        columns=columns, cell=lambda outlet, column: views.coverage_cell(dossier, outlet, column),
        history=history, joined=joined,
    )


def _cite_href(citation: Citation) -> str:
    return f"/articles/{citation.article}?cite={citation.start}-{citation.end}#cite"


@router.get("/articles/{article_id}")
def article(request: Request, article_id: RowId, cite: str = Query("", max_length=40)) -> Response:
    """An article: cleaned text with its analysis highlighted, the cited stretch marked,
    removed furniture and the evidence for its origin and date. Of a long article, the part
    analysed is shown and the whole text is a link."""
    desk = _web(request).desk()
    found = desk.article(article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id}")
    span = _SPAN.match(cite)
    cited = (int(span[1]), int(span[2])) if span else None
    shown = _shown_text(found, desk.settings.max_analysed_chars)
    pieces = views.segments(shown, views.analysis_marks(found.analysis), cited)
    return _render(
        request, "article.html", a=found, pieces=pieces, cited=cited, origins=desk.origins(article_id),
        story_id=desk.story_of(article_id), shown=len(shown), length=len(found.text),
    )


def _shown_text(article: Article, limit: int | None) -> str:
    """What the article page shows: the part analysed, which is all of it but for a text over
    the analysis limit (the Desk's ``limit``, None: the default; cut there when it was not
    analysed)."""
    analysis = article.analysis
    if analysis is not None and analysis.cut_at is not None:
        return article.text[: analysis.cut_at]
    return article.text if analysis is not None else analysed_part(article.text, limit)


@router.get("/articles/{article_id}/text", response_class=PlainTextResponse)
def article_text(request: Request, article_id: RowId) -> Response:
    """An article's whole cleaned text, as plain text (a long article's page shows its first part)."""
    found = _web(request).desk().article(article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id}")
    return PlainTextResponse(found.text)


@router.get("/search")
def search(request: Request, q: str = Query("", max_length=500), page: PageNumber = 1) -> Response:
    """Full-text search over articles, and the entities whose names match."""
    desk = _web(request).desk()
    hits, entities, pager = [], [], _pages(0, HITS_PER_PAGE, 1)
    if q.strip():
        hits, total = desk.search_page(q, HITS_PER_PAGE, (page - 1) * HITS_PER_PAGE)
        pager = _pages(total, HITS_PER_PAGE, page)
        entities = desk.entities(q, limit=10)[0] if page == 1 else []
    return _render(request, "search.html", q=q, hits=hits, entities=entities, pager=pager)


@router.get("/entities/{key:path}")
def entity(request: Request, key: str, page: PageNumber = 1) -> Response:
    """Every quote of one entity (a person, an organisation) across stories."""
    desk = _web(request).desk()
    found = desk.entity(key)
    if found is None:
        raise HTTPException(404, f"no entity {key!r}")
    quotes, total = desk.quotes_by(key, QUOTES_PER_PAGE, (page - 1) * QUOTES_PER_PAGE)
    return _render(request, "entity.html", e=found, quotes=quotes, pager=_pages(total, QUOTES_PER_PAGE, page), cite_href=_cite_href)


def _accept() -> str:
    """The upload picker's file types: every ingest extension, and .gz for compressed ones
    (a browser matches only a name's last extension: "crawl.warc.gz" is a ".gz")."""
    return ",".join(sorted({*extension_formats(), GZIP_SUFFIX}))


@router.get("/ingest")
def ingest_form(request: Request) -> Response:
    return _render(request, "ingest.html", accept=_accept(), problem=None)


@router.post("/ingest")
async def ingest_upload(
    request: Request, files: Annotated[list[UploadFile], File()], outlet: Annotated[str | None, Form()] = None
) -> Response:
    """Check and save the uploaded files (and the outlet named for articles that name none),
    start their ingest, and go to the job's page."""
    try:
        job = _web(request).jobs.submit(await read_uploads(files), checked_outlet(outlet))
    except UploadRejected as problem:
        return _render(request, "ingest.html", status=problem.status, accept=_accept(), problem=str(problem))
    return RedirectResponse(f"/ingest/{job.id}", status_code=303)


@router.get("/ingest/{job_id}")
def ingest_job(request: Request, job_id: str) -> Response:
    """A job's progress and each file's results (the page reloads itself until it is done)."""
    job = _web(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no ingest job {job_id}")
    return _render(request, "job.html", job=job)
