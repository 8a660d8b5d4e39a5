"""The web app: ``create_app`` builds a FastAPI application over one store, with the HTML pages
(``pages.py``), the JSON API (``api.py``), its own static files and offline API docs.

Every page is rendered on the server by Jinja2 with autoescaping on, and served under a
Content-Security-Policy that allows no script at all (article text is untrusted input). Only
the Host names the server is meant to answer to are served (DNS rebinding), HEAD is answered
as GET without a body, and every integer in a URL is bounded where it is parsed. SQLite
connections belong to one thread, so each worker thread opens its own ``Desk``.
"""
from __future__ import annotations

import hmac
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi import Path as PathParameter
from fastapi import Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storydesk.synthesise.render import dates_text, kind_words, language_name
from storydesk.desk import Desk
from storydesk.settings import Settings
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
# The offline Swagger UI runs its bundled script and its start-up file (static/docs.js), no
# inline script; it styles its elements inline.
DOCS_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
DOCS_PATHS = ("/docs", "/static-docs/")
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
HTTP_PORT = 80  # the port of a Host header that names none
MAX_INTEGER = 2**63 - 1  # SQLite's largest integer: a larger id or offset cannot even be asked for
LARGEST_PAGE_SIZE = 100
RowId = Annotated[int, PathParameter(ge=1, le=MAX_INTEGER, description="A stored row's id.")]
Offset = Annotated[int, Query(ge=0, le=MAX_INTEGER, description="Skip this many items first.")]
# Page numbers of the HTML lists: (page - 1) x page size stays an SQLite integer.
PageNumber = Annotated[int, Query(ge=1, le=MAX_INTEGER // LARGEST_PAGE_SIZE)]

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


@dataclass(frozen=True)
class AllowedHosts:
    """The names a request's Host header may give. A page on another site can rebind its own
    name to 127.0.0.1 and reach a local server (DNS rebinding), but its requests still carry its
    name: so loopback names are answered on the bound port (any port when it is not known), and
    other names only when served with a token and named (``serve --allow-host``), on any port
    (a proxy may stand in front)."""

    port: int | None = None
    public: frozenset[str] = frozenset()

    def allows(self, host: str | None) -> bool:
        name, port = split_host(host or "")
        if port is None:
            return False
        return name in self.public or (name in LOOPBACK_NAMES and self.port in (None, port))

    def refusal(self, host: str | None) -> str:
        """Why a request with this Host is not answered, in words a user can act on."""
        names = ", ".join(sorted(LOOPBACK_NAMES | self.public))
        port = "" if self.port is None else f" on port {self.port}"
        return (
            f"this server answers only to {names}{port}, not to the host {host or '(none)'!r}: "
            "another site's page could otherwise reach it through a rebound name. "
            "To serve it under another name, start it with --token and --allow-host NAME."
        )


def split_host(host: str) -> tuple[str, int | None]:
    """A Host header's name (lower case, IPv6 in brackets) and port (80 when it names none,
    None when it is no port)."""
    host = host.strip().lower()
    name, _, port = host.rpartition(":") if host.rfind(":") > host.rfind("]") else (host, "", "")
    if not port:
        return name, HTTP_PORT
    return name, int(port) if port.isdigit() and len(port) <= 5 else None


class Web:
    """What every request shares: the store's path, a Desk per thread, the dossier cache,
    the ingest jobs, the templates and the host names it answers to."""

    def __init__(self, db_path: Path, data_dir: Path, token: str | None, hosts: AllowedHosts, settings: Settings) -> None:
        self.db_path = db_path
        self.settings = settings
        self.token = token
        self.hosts = hosts
        self.local = threading.local()
        self.cache = StampedCache()
        self.jobs = IngestJobs(db_path, data_dir, settings)
        self.templates = Jinja2Templates(env=_environment())

    def desk(self) -> Desk:
        """This thread's Desk (SQLite connections cannot cross threads)."""
        desk = getattr(self.local, "desk", None)
        if desk is None:
            desk = self.local.desk = Desk(self.db_path, settings=self.settings)
        return desk

    def dossier(self, story_id: int) -> tuple[tuple, Dossier] | None:
        """A story's stamp and dossier (cached), or None when there is no such story."""
        desk = self.desk()
        stamp = desk.story_stamp(story_id)
        if stamp is None:
            return None
        return stamp, self.cache.get(("dossier", story_id), stamp, lambda: desk.dossier(story_id))

    def moved(self, story_id: int) -> int | None:
        """The story a story that no longer exists was merged or rebuilt into; None if none."""
        current = self.desk().current_story(story_id)
        return None if current == story_id else current


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
    environment.filters.update(shorten=shorten, snippet_parts=snippet_parts, kind=kind_words, dates=dates_text, language=language_name)
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
    """ASGI middleware: the Host check, the token check, same-origin writes, the request size
    limit and the security headers on every answer (plain ASGI: cheaper per request than
    BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, web: Web) -> None:
        self.app = app
        self.web = web

    def refusal(self, request: Request, supplied: str | None) -> Response | None:
        """The error answer for a request that may not go on (``supplied``: the token it carries), or None."""
        host = request.headers.get("host")
        if not self.web.hosts.allows(host):
            return error_response(request, 400, self.web.hosts.refusal(host))
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


class HeadAsGet:
    """ASGI middleware: a HEAD request is answered as the GET would be, without its body, on
    every route (FastAPI's routes answer GET only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


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


def _install_files(app: FastAPI) -> None:
    """The favicon, and the API docs page (a file: its start-up script is static/docs.js)."""

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return FileResponse(HERE / "static" / "favicon.ico", media_type="image/x-icon")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return FileResponse(HERE / "static" / "docs.html", media_type="text/html")


def create_app(
    db_path: str | Path, token: str | None = None, data_dir: str | Path | None = None,
    port: int | None = None, allow_hosts: tuple[str, ...] = (), settings: Settings | None = None,
) -> FastAPI:
    """The storydesk web app over the store at ``db_path``. With ``token``, every request must
    carry it. Uploads are saved under ``data_dir`` (default: ``storydesk-data`` beside the store).
    Requests must name a loopback host on ``port`` (any port when None) or, with a token, one
    of ``allow_hosts``. ``settings``: by default ``Settings.load`` for the store."""
    from storydesk.web import api, pages

    if allow_hosts and not token:
        raise ValueError("other host names than loopback (--allow-host) need an access token (--token)")
    db_path = Path(db_path)
    settings = Settings.load(store=db_path) if settings is None else settings
    Desk(db_path, settings=settings).close()  # fail now, not on the first request, when the store cannot be opened
    hosts = AllowedHosts(port, frozenset(name.strip().lower() for name in allow_hosts))
    uploads = Path(data_dir) if data_dir else db_path.resolve().parent / "storydesk-data"
    web = Web(db_path, uploads, token or None, hosts, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        web.jobs.close()

    app = FastAPIOffline(
        title="storydesk", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None, static_url="/static-docs",
        description="Stories, dossiers, articles, entities and search over one storydesk store. "
        "Lists take `limit` and `offset` and answer `{total, limit, offset, next, items}`.",
    )
    app.state.web = web
    app.add_middleware(Guard, web=web)
    app.add_middleware(HeadAsGet)
    _install_error_pages(app)
    _install_files(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app
