"""Online placement, the one algorithm ingest, load, evaluation and training run: an article's
keys are counted, its blocking keys find candidate stories (the newest CANDIDATES_PER_KEY
stories under each key, ranked by keys shared, ties newest first, at most MAX_CANDIDATES), their
newest MAX_MEMBERS members are compared with it, and it joins the best story or starts one; then
the story and its close runners-up are revisited (``revisit``: merged or split as the batch
rule groups their members), and so is one story more, in turn (``sweep``). A copy joins its
original's story. It works over a ``StoryIndex``: the store (``store/stories.py``) or
``MemoryIndex`` (evaluation, training)."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from storydesk.cluster import revisit as revisits
from storydesk.cluster.grouping import best_story, blocking_keys, story_scores
from storydesk.cluster.idf import Idf, document_keys
from storydesk.cluster.pairs import PairModel, load_model
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

    def story_size(self, story_id: int) -> int:
        """How many members the story has."""

    def story_of(self, article_id: int) -> int | None:
        """The story an article is a member of."""

    def merge_stories(self, story_id: int, into: int, rule: str, score: float, article_id: int | None) -> None:
        """Move every member of ``story_id`` (and its keys) into ``into``; ``story_id`` ceases
        and the change is recorded (``rule`` and ``score`` say why, ``article_id`` what prompted it)."""

    def split_story(
        self, story_id: int, articles: Sequence[int], into: int | None, keys: Mapping[int, Sequence[str]],
        rule: str, score: float, article_id: int | None,
    ) -> int:
        """Move ``articles`` out of ``story_id`` into the story ``into``, or a new one (None);
        index ``story_id`` again under its remaining members' ``keys`` (given for every member)
        and the receiving story under the moved ones'. Recorded; returns the receiving story."""

    def next_to_sweep(self) -> int | None:
        """The story after the one swept last, in id order (after the newest: the oldest again),
        and remember it as swept; None when there are no stories."""


def place_article(
    index: StoryIndex,
    profile: ArticleProfile,
    title: str,
    original_story: tuple[int | None, float] = (None, 0.0),
    model: PairModel | None = None,
) -> tuple[int, float]:
    """Count the article's keys, then put it in ``original_story`` (a copy's: its original's
    story and the copy's similarity) or the best candidate story, or a new story titled
    ``title``; then revisit the story and its close runners-up (a copy's story is not revisited),
    and one story more in turn (``sweep``). Returns the article's story afterwards and its
    placement score. ``model`` replaces the packaged one."""
    model = model or load_model()
    index.save_profile(profile, document_keys(profile))
    documents, frequencies = index.document_frequencies(document_keys(profile))
    idf = Idf(documents, frequencies, lookup=lambda more: index.document_frequencies(more)[1])
    keys = blocking_keys(profile, idf)
    story_id, score = original_story
    runners_up: list[int] = []
    if story_id is None:
        candidates = {story: index.member_profiles(story, MAX_MEMBERS) for story in candidate_stories(index, keys)}
        scores = story_scores(profile, candidates, idf, model)
        story_id, score = best_story(scores, model)
        runners_up = close_runners_up(scores, story_id)
    if story_id is None:
        story_id = index.create_story(title)
    index.add_to_story(story_id, profile.article_id, score, keys, profile.published)
    if original_story[0] is None:
        revisits.revisit(index, story_id, runners_up, idf, model, profile.article_id)
    sweep(index, idf, model, profile.article_id)
    return index.story_of(profile.article_id), score


def sweep(index: StoryIndex, idf: Idf, model: PairModel, article_id: int | None) -> None:
    """Revisit one story more, in turn (``next_to_sweep``), its newest member standing for it in
    the search for runners-up: stories placed while the store was small, by immature key
    frequencies, are re-examined as it grows, at the cost of one more revisit per article."""
    story = index.next_to_sweep()
    probe = index.member_profiles(story, 1) if story is not None else []
    if not probe:
        return
    candidates = {s: index.member_profiles(s, MAX_MEMBERS) for s in candidate_stories(index, blocking_keys(probe[0], idf)) if s != story}
    scores = story_scores(probe[0], candidates, idf, model)
    revisits.revisit(index, story, close_runners_up(scores, story), idf, model, article_id)


def close_runners_up(scores: Mapping[int, float], joined: int | None) -> list[int]:
    """The candidate stories besides ``joined`` scoring at least RUNNER_UP_FLOOR, best first
    (ties newer first), at most MAX_RUNNERS_UP."""
    ranked = sorted((s for s in scores if s != joined and scores[s] >= revisits.RUNNER_UP_FLOOR), key=lambda s: (-scores[s], -s))
    return ranked[: revisits.MAX_RUNNERS_UP]


def candidate_stories(index: StoryIndex, keys: Iterable[str]) -> list[int]:
    """Stories sharing the most of ``keys`` among the newest CANDIDATES_PER_KEY under each,
    ties newest first, at most MAX_CANDIDATES."""
    shared = Counter(story for key in keys for story in index.stories_under(key, CANDIDATES_PER_KEY))
    ranked = sorted(shared.items(), key=lambda item: (-item[1], -item[0]))
    return [story for story, _ in ranked[:MAX_CANDIDATES]]


class MemoryIndex:
    """A ``StoryIndex`` in memory, for evaluation and training: stories are member profiles by
    article id, numbered from 0 as they start (a merged story's number is not used again);
    ``history`` lists the merges and splits as (kind, from, into, articles, rule, score, article)."""

    def __init__(self) -> None:
        self.members: list[dict[int, ArticleProfile]] = []
        self.keys: list[Counter[str]] = []  # each story's keys, counted over its members
        self.postings: dict[str, set[int]] = defaultdict(set)
        self.df: Counter[str] = Counter()
        self.documents = 0
        self.pending: dict[int | None, ArticleProfile] = {}  # profiles counted, not yet in a story
        self.placed: dict[int | None, int] = {}  # each member's story
        self.history: list[tuple] = []
        self.swept = -1  # the story swept last

    def save_profile(self, profile: ArticleProfile, keys: Iterable[str]) -> None:
        self.pending[profile.article_id] = profile
        self.df.update(set(keys))
        self.documents += 1

    def document_frequencies(self, keys: Iterable[str]) -> tuple[int, dict[str, int]]:
        return self.documents, {key: self.df[key] for key in keys if key in self.df}

    def stories_under(self, key: str, limit: int) -> list[int]:
        return sorted(self.postings.get(key, ()), reverse=True)[:limit]

    def member_profiles(self, story_id: int, limit: int) -> list[ArticleProfile]:
        members = self.members[story_id]
        return [members[article] for article in sorted(members, reverse=True)[:limit]]

    def create_story(self, title: str) -> int:
        self.members.append({})
        self.keys.append(Counter())
        return len(self.members) - 1

    def add_to_story(self, story_id: int, article_id: int, score: float, keys: Iterable[str], published: str | None) -> None:
        self.members[story_id][article_id] = self.pending.pop(article_id)
        self.placed[article_id] = story_id
        self._index(story_id, Counter(dict.fromkeys(keys, 1)))

    def story_size(self, story_id: int) -> int:
        return len(self.members[story_id])

    def story_of(self, article_id: int | None) -> int | None:
        return self.placed.get(article_id)

    def next_to_sweep(self) -> int | None:
        live = [story for story, members in enumerate(self.members) if members]
        if not live:
            return None
        self.swept = next((story for story in live if story > self.swept), live[0])
        return self.swept

    def stories(self) -> list[list[int]]:
        """Every story's member ids, in story order."""
        return [sorted(members) for members in self.members if members]

    def merge_stories(self, story_id: int, into: int, rule: str, score: float, article_id: int | None) -> None:
        moved = sorted(self.members[story_id])
        self.placed.update(dict.fromkeys(moved, into))
        self.members[into].update(self.members[story_id])
        self.members[story_id] = {}
        self._index(into, self._unindex(story_id))
        self.history.append(("merge", story_id, into, moved, rule, score, article_id))

    def split_story(
        self, story_id: int, articles: Sequence[int], into: int | None, keys: Mapping[int, Sequence[str]],
        rule: str, score: float, article_id: int | None,
    ) -> int:
        target = self.create_story("") if into is None else into
        for article in articles:
            self.members[target][article] = self.members[story_id].pop(article)
            self.placed[article] = target
        self._unindex(story_id)
        self._index(story_id, Counter(key for member in self.members[story_id] for key in dict.fromkeys(keys.get(member, ()))))
        self._index(target, Counter(key for member in articles for key in dict.fromkeys(keys.get(member, ()))))
        self.history.append(("split", story_id, target, sorted(articles), rule, score, article_id))
        return target

    def _index(self, story_id: int, keys: Counter[str]) -> None:
        self.keys[story_id].update(keys)
        for key in keys:
            self.postings[key].add(story_id)

    def _unindex(self, story_id: int) -> Counter[str]:
        """Take a story out of the postings; its keys as they were counted."""
        keys, self.keys[story_id] = self.keys[story_id], Counter()
        for key in keys:
            self.postings[key].discard(story_id)
        return keys


def place_in_order(profiles: Iterable[ArticleProfile], model: PairModel | None = None) -> list[int]:
    """The story each article ends in when all are placed one at a time in order into an empty
    ``MemoryIndex``, as ingest places them into the store (article ids must differ)."""
    index, order = MemoryIndex(), []
    for profile in profiles:
        place_article(index, profile, "", model=model)
        order.append(profile.article_id)
    return [index.story_of(article) for article in order]
