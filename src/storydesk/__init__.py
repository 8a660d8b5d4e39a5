"""storydesk: many outlets' articles in, cross-checked stories out.

    >>> from storydesk import Desk, Settings
    >>> desk = Desk("news.db", settings=Settings.load(quotes="rules"))

``Desk`` and the model types are imported on first use, so ``import storydesk`` stays light.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The library logs what went wrong inside (a failed analysis, a refused record) for whoever
# configures logging; without that, nothing of it reaches a user's terminal.
logging.getLogger("storydesk").addHandler(logging.NullHandler())

_MODEL_TYPES = ("Analysis", "Article", "Dossier", "Entity", "Mention", "Quote", "Span", "Story")
__all__ = ["Desk", "Settings", *_MODEL_TYPES]

if TYPE_CHECKING:
    from storydesk.desk import Desk
    from storydesk.model import Analysis, Article, Dossier, Entity, Mention, Quote, Span, Story
    from storydesk.settings import Settings


def __getattr__(name: str) -> Any:
    """The public names, imported when first asked for (PEP 562)."""
    if name == "Desk":
        from storydesk.desk import Desk

        return Desk
    if name == "Settings":
        from storydesk.settings import Settings

        return Settings
    if name in _MODEL_TYPES:
        from storydesk import model

        return getattr(model, name)
    raise AttributeError(f"module 'storydesk' has no attribute {name!r}")
