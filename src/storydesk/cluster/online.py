"""Online placement, the one algorithm ingest, load, evaluation and training run: an article's
keys are counted, its blocking keys find candidate stories (the newest CANDIDATES_PER_KEY
stories under each key, ranked by keys shared, ties newest first, at most MAX_CANDIDATES), their
newest MAX_MEMBERS members are compared with it by ``place``, and it joins the best story or
starts one; a copy joins its original's story. It works over a ``StoryIndex``: the store
(``store/stories.py``) or ``MemoryIndex`` (evaluation, training)."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Protocol

from storydesk.cluster.grouping import blocking_keys, place
from storydesk.cluster.idf import Idf, document_keys
from storydesk.cluster.pairs import PairModel
from storydesk.model import ArticleProfile

CANDIDATES_PER_KEY = 50  # newest stories read under each blocking key: bounds a common key's cost
MAX_CANDIDATES = 20  # stories sharing the most keys that are compared with a new article
MAX_MEMBERS = 20  # most recent members of a candidate story passed to ``place``


class StoryIndex(Protocol):
    """What placement reads and writes: key frequencies, stories under a key, a story's
    members, and new stories and memberships."""

    def save_profile(self, profile: ArticleProfile, keys: Iterable[str]) -> None:
        """Keep the profile and count its document keys."""

    def document_frequencies(self, keys: Iterable[str]) -> tuple[int, dict[str, int]]:
        """The number of profiles counted and the document frequency of each counted key."""

    def stories_under(self, key: str, limit: int) -> list[int]:
        """The newest ``limit`` stories indexed under ``key``, newest first."""

    def member_profiles(self, story_id: int, limit: int) -> list[ArticleProfile]:
        """The profiles of a story's newest ``limit`` members, newest first."""

    def create_story(self, title: str) -> int:
        """A new, empty story's id (ids grow: a newer story has a larger id)."""

    def add_to_story(self, story_id: int, article_id: int, score: float, keys: Iterable[str], published: str | None) -> None:
        """Make the article a member of the story and index the story under ``keys``."""


def place_article(
    index: StoryIndex,
    profile: ArticleProfile,
    title: str,
    original_story: tuple[int | None, float] = (None, 0.0),
    model: PairModel | None = None,
) -> tuple[int, float]:
    """Count the article's keys, then put it in ``original_story`` (a copy's: its original's
    story and the copy's similarity) or the best candidate story, or a new story titled
    ``title``; returns the story and the placement score. ``model`` replaces the packaged one."""
    index.save_profile(profile, document_keys(profile))
    documents, frequencies = index.document_frequencies(document_keys(profile))
    idf = Idf(documents, frequencies, lookup=lambda more: index.document_frequencies(more)[1])
    keys = blocking_keys(profile, idf)
    story_id, score = original_story
    if story_id is None:
        candidates = {story: index.member_profiles(story, MAX_MEMBERS) for story in candidate_stories(index, keys)}
        story_id, score = place(profile, candidates, idf, model)
    if story_id is None:
        story_id = index.create_story(title)
    index.add_to_story(story_id, profile.article_id, score, keys, profile.published)
    return story_id, score


def candidate_stories(index: StoryIndex, keys: Iterable[str]) -> list[int]:
    """Stories sharing the most of ``keys`` among the newest CANDIDATES_PER_KEY under each,
    ties newest first, at most MAX_CANDIDATES."""
    shared = Counter(story for key in keys for story in index.stories_under(key, CANDIDATES_PER_KEY))
    ranked = sorted(shared.items(), key=lambda item: (-item[1], -item[0]))
    return [story for story, _ in ranked[:MAX_CANDIDATES]]


class MemoryIndex:
    """A ``StoryIndex`` in memory, for evaluation and training: stories are lists of member
    profiles, numbered from 0 as they start."""

    def __init__(self) -> None:
        self.members: list[list[ArticleProfile]] = []
        self.postings: dict[str, set[int]] = defaultdict(set)
        self.df: Counter[str] = Counter()
        self.documents = 0
        self.pending: dict[int | None, ArticleProfile] = {}  # profiles counted, not yet in a story

    def save_profile(self, profile: ArticleProfile, keys: Iterable[str]) -> None:
        self.pending[profile.article_id] = profile
        self.df.update(set(keys))
        self.documents += 1

    def document_frequencies(self, keys: Iterable[str]) -> tuple[int, dict[str, int]]:
        return self.documents, {key: self.df[key] for key in keys if key in self.df}

    def stories_under(self, key: str, limit: int) -> list[int]:
        return sorted(self.postings.get(key, ()), reverse=True)[:limit]

    def member_profiles(self, story_id: int, limit: int) -> list[ArticleProfile]:
        return self.members[story_id][::-1][:limit]

    def create_story(self, title: str) -> int:
        self.members.append([])
        return len(self.members) - 1

    def add_to_story(self, story_id: int, article_id: int, score: float, keys: Iterable[str], published: str | None) -> None:
        self.members[story_id].append(self.pending.pop(article_id))
        for key in keys:
            self.postings[key].add(story_id)


def place_in_order(profiles: Iterable[ArticleProfile], model: PairModel | None = None) -> list[int]:
    """The story of each article placed one at a time in order into an empty ``MemoryIndex``,
    as ingest places them into the store."""
    index = MemoryIndex()
    return [place_article(index, profile, "", model=model)[0] for profile in profiles]
