"""An in-memory story index that places articles one at a time, the way the store does:
candidate stories by shared blocking keys, then ``place``. Used by the online evaluation and
as the reference for the store's behaviour."""
from __future__ import annotations

from collections import Counter, defaultdict

from storydesk.cluster.grouping import blocking_keys, place
from storydesk.cluster.idf import Idf, document_keys
from storydesk.cluster.pairs import PairModel
from storydesk.model import ArticleProfile

MAX_CANDIDATES = 20  # stories sharing the most keys that are compared with a new article
MAX_MEMBERS = 20  # most recent members of a candidate story passed to ``place``


class StoryIndex:
    """Stories as lists of member profiles, indexed by the blocking keys of their members;
    the document frequencies grow with every article added. ``model`` replaces the packaged
    one (training chooses the placement threshold with it)."""

    def __init__(self, model: PairModel | None = None) -> None:
        self.model = model
        self.stories: list[list[ArticleProfile]] = []
        self.postings: dict[str, set[int]] = defaultdict(set)
        self.df: Counter[str] = Counter()
        self.n_docs = 0

    def add(self, profile: ArticleProfile) -> tuple[int, float]:
        """Count the article's keys, place it in the best candidate story or a new one, and
        return that story's index with the placement score."""
        self.df.update(document_keys(profile))
        self.n_docs += 1
        idf = Idf(self.n_docs, self.df)
        keys = blocking_keys(profile, idf)
        shared = Counter(story for key in keys for story in self.postings.get(key, ()))
        candidates = {story: self.stories[story][-MAX_MEMBERS:] for story, _ in shared.most_common(MAX_CANDIDATES)}
        story, score = place(profile, candidates, idf, self.model)
        if story is None:
            story = len(self.stories)
            self.stories.append([])
        self.stories[story].append(profile)
        for key in keys:
            self.postings[key].add(story)
        return story, score
