"""The web app and JSON API over one store: ``create_app(db_path, token=None, data_dir=None)``.
It needs the web extra (FastAPI, uvicorn): without it, importing this says what to install."""
from storydesk.extras import require

require("web", "the web app (storydesk serve)")

from storydesk.web.app import create_app

__all__ = ["create_app"]
