"""The web app: ``create_app`` builds a FastAPI application over one store, with the HTML pages
(``pages.py``), the JSON API (``api.py``), its own static files and offline API docs.

Every page is rendered on the server by Jinja2 with autoescaping on, and served under a
Content-Security-Policy that allows no script at all (article text is untrusted input). SQLite
connections belong to one thread, so each worker thread opens its own ``Desk``.
"""
from __future__ import annotations

import hmac
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storydesk.synthesise.render import dates_text, kind_words
from storydesk.desk import Desk
from storydesk.model import Dossier
from storydesk.store.browse import MATCH_END, MATCH_START
from storydesk.web.uploads import IngestJobs

log = logging.getLogger("storydesk.web")
HERE = Path(__file__).resolve().parent
TOKEN_COOKIE = "storydesk_token"
MAX_REQUEST_BYTES = 100_000_000
CACHED_PAGES = 512
# No script, no inline style, nothing from elsewhere: even markup slipped past escaping runs nothing.
STRICT_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The offline Swagger UI needs its bundled script and an inline start-up script.
DOCS_POLICY = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
DOCS_PATHS = ("/docs", "/static-docs/")

T = TypeVar("T")


class StampedCache:
    """Values that are costly to make (a story's dossier, its page, a page of the story list),
    each kept with the stamp of the data it was made from and good while that stamp holds
    (members added, articles re-analysed); the least recently used go first."""

    def __init__(self, size: int = CACHED_PAGES) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, tuple[tuple, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, stamp: tuple, make: Callable[[], T]) -> T:
        with self.lock:
            hit = self.items.get(key)
            if hit is not None and hit[0] == stamp:
                self.items.move_to_end(key)
                return hit[1]
        value = make()
        with self.lock:
            self.items[key] = (stamp, value)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


class Web:
    """What every request shares: the store's path, a Desk per thread, the dossier cache,
    the ingest jobs and the templates."""

    def __init__(self, db_path: Path, data_dir: Path, token: str | None) -> None:
        self.db_path = db_path
        self.token = token
        self.local = threading.local()
        self.cache = StampedCache()
        self.jobs = IngestJobs(db_path, data_dir)
        self.templates = Jinja2Templates(env=_environment())

    def desk(self) -> Desk:
        """This thread's Desk (SQLite connections cannot cross threads)."""
        desk = getattr(self.local, "desk", None)
        if desk is None:
            desk = self.local.desk = Desk(self.db_path)
        return desk

    def dossier(self, story_id: int) -> tuple[tuple, Dossier] | None:
        """A story's stamp and dossier (cached), or None when there is no such story."""
        desk = self.desk()
        stamp = desk.story_stamp(story_id)
        if stamp is None:
            return None
        return stamp, self.cache.get(("dossier", story_id), stamp, lambda: desk.dossier(story_id))


def shorten(text: str | None, limit: int = 160) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet as (text, matched) pieces, for the template to escape and mark."""
    parts: list[tuple[str, bool]] = []
    for chunk in snippet.split(MATCH_START):
        matched, _, rest = chunk.partition(MATCH_END) if MATCH_END in chunk else ("", "", chunk)
        parts += [(matched, True)] if matched else []
        parts += [(rest, False)] if rest else []
    return parts


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("storydesk.web", "templates"), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    environment.filters.update(shorten=shorten, snippet_parts=snippet_parts, kind=kind_words, dates=dates_text)
    return environment


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str) -> Response:
    """A clear error: JSON for the API, a page for a browser; never a traceback."""
    if is_api(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    web: Web = request.app.state.web
    return web.templates.TemplateResponse(request, "error.html", {"status": status, "message": message}, status_code=status)


def _supplied_token(request: Request) -> tuple[str | None, bool]:
    """The token a request carries (header, cookie or ``?token=``) and whether it came in the URL."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    for value in (request.headers.get("x-storydesk-token"), request.cookies.get(TOKEN_COOKIE)):
        if value:
            return value, False
    query = request.query_params.get("token")
    return query, query is not None


def _cross_site(request: Request) -> bool:
    """A state-changing request sent by another site's page (CSRF against a local server)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    site = request.headers.get("sec-fetch-site")
    if site is not None:  # sent by every current browser
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc != request.headers.get("host")


class Guard:
    """ASGI middleware: the token check, same-origin writes, the request size limit and the
    security headers on every answer (plain ASGI: cheaper per request than BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, web: Web) -> None:
        self.app = app
        self.web = web

    def refusal(self, request: Request, supplied: str | None) -> Response | None:
        """The error answer for a request that may not go on (``supplied``: the token it carries), or None."""
        if self.web.token is not None:
            if supplied is None or not hmac.compare_digest(supplied.encode(), self.web.token.encode()):
                return error_response(request, 401, "this server needs its access token (?token=... once, or an Authorization: Bearer header)")
        if _cross_site(request):
            return error_response(request, 403, "cross-site request refused")
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_REQUEST_BYTES:
            return error_response(request, 413, f"request too large (limit {MAX_REQUEST_BYTES // 1_000_000} MB)")
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        headers = _security_headers(request)
        supplied, in_url = _supplied_token(request) if self.web.token is not None else (None, False)
        if in_url:
            remember = Response()
            remember.set_cookie(TOKEN_COOKIE, self.web.token, httponly=True, samesite="strict")
            headers["set-cookie"] = remember.headers["set-cookie"]
        refused = self.refusal(request, supplied)
        if refused is not None:
            refused.headers.update({k: v for k, v in headers.items() if k != "set-cookie"})
            await refused(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(scope=message)
                for name, value in headers.items():
                    if name == "set-cookie":
                        answer.append(name, value)
                    else:
                        answer[name] = value
            await send(message)

        await self.app(scope, receive, send_secured)


def _security_headers(request: Request) -> dict[str, str]:
    docs = request.url.path.startswith(DOCS_PATHS)
    return {
        "content-security-policy": DOCS_POLICY if docs else STRICT_POLICY,
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
    }


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return error_response(request, error.status_code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}" for e in error.errors())
        return error_response(request, 422, f"invalid request: {problems}")

    @app.exception_handler(Exception)
    async def crash(request: Request, error: Exception) -> Response:
        log.exception("error serving %s", request.url.path)
        return error_response(request, 500, "internal error: the server could not answer this request")


def create_app(db_path: str | Path, token: str | None = None, data_dir: str | Path | None = None) -> FastAPI:
    """The storydesk web app over the store at ``db_path``. With ``token``, every request must
    carry it. Uploads are saved under ``data_dir`` (default: ``storydesk-data`` beside the store)."""
    from storydesk.web import api, pages

    db_path = Path(db_path)
    Desk(db_path).close()  # fail now, not on the first request, when the store cannot be opened
    web = Web(db_path, Path(data_dir) if data_dir else db_path.resolve().parent / "storydesk-data", token or None)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        web.jobs.close()

    app = FastAPIOffline(
        title="storydesk", version="0.1.0", lifespan=lifespan, redoc_url=None, static_url="/static-docs",
        description="Stories, dossiers, articles, entities and search over one storydesk store. "
        "Lists take `limit` and `offset` and answer `{total, limit, offset, next, items}`.",
    )
    app.state.web = web
    app.add_middleware(Guard, web=web)
    _install_error_pages(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app
