"""The web app and JSON API over one store: ``create_app(db_path, token=None, data_dir=None)``."""
from storydesk.web.app import create_app

__all__ = ["create_app"]
