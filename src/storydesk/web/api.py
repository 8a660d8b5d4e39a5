"""The JSON API under /api/: stories, a story's dossier (the schema of ``storydesk dossier
--format json``), articles, entities with their quotes, search and ingest. Lists take
``limit`` and ``offset`` and answer ``{total, limit, offset, next, items}``."""
from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from storydesk.model import Article
from storydesk.store.browse import MATCH_END, MATCH_START
from storydesk.web.app import LARGEST_PAGE_SIZE, Offset, RowId, Web
from storydesk.web.uploads import UploadRejected, checked_outlet, read_uploads

router = APIRouter(prefix="/api")
Limit = Query(20, ge=1, le=LARGEST_PAGE_SIZE, description="At most this many items.")


def _web(request: Request) -> Web:
    return request.app.state.web


def page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """One page of a list, with what it takes to ask for the next."""
    following = offset + len(items)
    return {"total": total, "limit": limit, "offset": offset, "next": following if following < total else None, "items": items}


def listing(article: Article) -> dict[str, Any]:
    """An article's fields for lists (no text)."""
    ex = article.extraction
    return {
        "id": article.id, "title": ex.title, "outlet": article.outlet, "origin": str(article.origin), "url": ex.url,
        "published": ex.published.value, "precision": ex.published.precision, "language": ex.language,
        "duplicate_of": article.duplicate_of and asdict(article.duplicate_of),
    }


@router.get("/stories", summary="Stories, newest first (or those with an article matching q)")
def stories(request: Request, q: str = Query("", max_length=500), limit: int = Limit, offset: Offset = 0) -> dict:
    desk = _web(request).desk()
    if q.strip():
        found, total = desk.find_stories(q, limit, offset)
    else:
        found, total = desk.stories(limit, offset), desk.story_count()
    return page([asdict(s) for s in found], total, limit, offset)


@router.get("/stories/{story_id}", summary="A story's dossier (as `storydesk dossier --format json`); a merged story redirects to the story it joined")
def dossier(request: Request, story_id: RowId) -> Response:
    web = _web(request)
    found = web.dossier(story_id)
    if found is None:
        moved = web.moved(story_id)
        if moved is not None:
            return RedirectResponse(f"/api/stories/{moved}", status_code=301)
        raise HTTPException(404, f"no story {story_id}")
    return JSONResponse(found[1].to_dict())


@router.get("/stories/{story_id}/history", summary="The merges, splits and rebuilds that moved articles into or out of a story, oldest first, and the story it is now")
def story_history(request: Request, story_id: RowId) -> dict:
    desk = _web(request).desk()
    current = desk.current_story(story_id)
    changes = desk.story_history(story_id)
    if current is None and not changes:
        raise HTTPException(404, f"no story {story_id}")
    return {"story": story_id, "now": current, "changes": [asdict(change) for change in changes]}


@router.get("/articles", summary="Articles in id order")
def articles(request: Request, limit: int = Limit, offset: Offset = 0) -> dict:
    desk = _web(request).desk()
    return page([listing(a) for a in desk.articles(limit, offset)], desk.article_count(), limit, offset)


@router.get("/articles/{article_id}", summary="One article (as `storydesk doc --json`), with its story")
def article(request: Request, article_id: RowId) -> dict:
    desk = _web(request).desk()
    found = desk.article(article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id}")
    origins = [str(o) for o in desk.origins(article_id)]
    return {**found.to_dict(), "origins": origins, "story": desk.story_of(article_id)}


@router.get("/entities", summary="Entities whose name or an alias contains q, most quoted first")
def entities(
    request: Request, q: str = Query("", max_length=200), kind: str | None = Query(None, description="PERSON, ORG, GPE..."),
    limit: int = Limit, offset: Offset = 0,
) -> dict:
    found, total = _web(request).desk().entities(q, kind, limit, offset)
    return page([asdict(e) for e in found], total, limit, offset)


@router.get("/entities/{key:path}", summary="One entity and every quote attributed to it, across stories")
def entity(request: Request, key: str, limit: int = Limit, offset: Offset = 0) -> dict:
    desk = _web(request).desk()
    found = desk.entity(key)
    if found is None:
        raise HTTPException(404, f"no entity {key!r}")
    quotes, total = desk.quotes_by(key, limit, offset)
    return {"entity": asdict(found), "quotes": page([asdict(q) for q in quotes], total, limit, offset)}


@router.get("/search", summary="Full-text search over articles (FTS5 syntax, or plain words)")
def search(request: Request, q: str = Query(..., min_length=1, max_length=500), limit: int = Limit, offset: Offset = 0) -> dict:
    hits, total = _web(request).desk().search_page(q, limit, offset)
    items = [
        {**asdict(hit), "snippet": hit.snippet.replace(MATCH_START, "[").replace(MATCH_END, "]")}
        for hit in hits
    ]
    return page(items, total, limit, offset)


@router.post("/ingest", status_code=202, summary="Upload files to ingest (the formats of `storydesk ingest`)")
async def ingest(
    request: Request, files: Annotated[list[UploadFile], File()],
    outlet: Annotated[str | None, Form(description="The outlet of articles that name none (as `ingest --outlet`).")] = None,
) -> dict:
    try:
        job = _web(request).jobs.submit(await read_uploads(files), checked_outlet(outlet))
    except UploadRejected as problem:
        raise HTTPException(problem.status, str(problem)) from problem
    return job.to_dict()


@router.get("/ingest/{job_id}", summary="An ingest job's progress and per-file results")
def ingest_job(request: Request, job_id: str) -> dict:
    job = _web(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no ingest job {job_id}")
    return job.to_dict()
