"""The synthesise stage: the cross-checked dossier of one story.

    dossier = build_dossier(story, articles)   # articles carry their .analysis
    build_story_dates(articles)                 # the dossier's dates alone, for the story list
    dossier.to_dict()                           # the JSON dossier
    render_markdown(dossier); render_html(dossier)

Pure functions of the story and its articles: no store, no other stage. Every statement of the
dossier carries citations (article id + character span of the article's cleaned text).
"""
from __future__ import annotations

from storydesk.synthesise.dossier import build_dossier, build_story_dates
from storydesk.synthesise.render import render_html, render_markdown

__all__ = ["build_dossier", "build_story_dates", "render_html", "render_markdown"]
