"""Revisiting recent decisions: once an article is placed, the story it joined and its close
runners-up (the next best candidate stories) are clustered again by the batch rule (average
link, then small groups absorbed: ``group_labels``), and the result is written back to the
index as splits of the joined story and merges of stories.

The neighbourhood is bounded, so the cost per article does not grow with the store: at most
MAX_RUNNERS_UP runners-up scoring at least RUNNER_UP_FLOOR, and the newest REVISIT_MEMBERS
members of each story, so at most (1 + MAX_RUNNERS_UP) x REVISIT_MEMBERS profiles are compared
pair by pair. Only the joined story may split, and only when all its members were read (a
larger one is held whole, as every runner-up is: its members' pairs count as certain, so average
link never separates them); it splits where the batch rule with both thresholds SPLIT_MARGIN
lower divides it, so that a story is not split and merged back by turns. A merge moves the smaller
story into the larger (ties: into the older), so that, as in union by size, merges alone move
an article at most log2(n) times in a store of n articles.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from storydesk.cluster.grouping import blocking_keys, group_labels
from storydesk.cluster.idf import Idf
from storydesk.cluster.pairs import PairModel, pair_scores
from storydesk.model import ArticleProfile

if TYPE_CHECKING:
    from storydesk.cluster.online import StoryIndex

# Chosen on ECB+ train ingested through Desk, placed again in file order (BCubed F1 85.9 without
# revisits): runners-up 1, 2, 3, 5 gave 91.4, 91.5, 91.5, 91.5; splits at average link 0.37, 0.33,
# 0.30, 0.25 gave 90.9, 91.3, 91.5, 90.9; the floor (0.1 to 0.3) and the placement threshold (0.35
# to 0.5) changed nothing; reading 10 members instead of 20 left most stories too large to split
# (87.0). With the sweep (online.sweep): 93.3, the same at split margins 0, 0.04 and 0.07, 92.4 at 0.1.
MAX_RUNNERS_UP = 2  # candidate stories re-examined besides the one the article joined
RUNNER_UP_FLOOR = 0.2  # a candidate's placement score (mean of its 3 best pairs) that makes it a close runner-up
REVISIT_MEMBERS = 20  # newest members read of each story re-examined
SMALLEST_SPLIT = 3  # a story of fewer members is not split (its one pair's join was just decided)
SPLIT_MARGIN = 0.07  # a story splits where the batch rule with thresholds this much lower divides it

AVERAGE_LINK = "average link"  # two stories' members are alike on average (the batch threshold)
ABSORBED = "absorbed"  # a small story's members are alike to a larger story's best members
APART = "apart"  # a story's members fall into groups that are not alike on average


@dataclass(frozen=True)
class Piece:
    """Members of one story that the neighbourhood's clustering put in one group."""

    story: int
    articles: list[int]
    rows: list[int]  # their rows in the neighbourhood's score matrix


def revisit(
    index: StoryIndex, story: int, runners_up: Sequence[int], idf: Idf, model: PairModel, article_id: int | None
) -> None:
    """Re-examine ``story`` and ``runners_up`` (for ``article_id``, the article whose placement
    prompted it): the story's members are grouped by the batch rule SPLIT_MARGIN lower (its
    parts), then the parts and the runners-up, each held whole, are grouped by the batch rule;
    ``index`` is changed to match (splits, then merges)."""
    stories = [story, *runners_up]
    read = {s: index.member_profiles(s, REVISIT_MEMBERS + 1) for s in stories}
    splittable = SMALLEST_SPLIT <= len(read[story]) <= REVISIT_MEMBERS
    if not runners_up and not splittable:
        return
    members = [(s, profile) for s in stories for profile in read[s][:REVISIT_MEMBERS]]
    profiles = [profile for _, profile in members]
    scores = pair_scores(profiles, profiles, idf, model)
    unit = np.array([stories.index(s) for s, _ in members])  # what is held whole: a runner-up, or a part of the story
    if splittable:
        own = np.flatnonzero(unit == 0)
        parts = group_labels(scores[np.ix_(own, own)], model.threshold - SPLIT_MARGIN, model.absorb_threshold - SPLIT_MARGIN)
        unit[own] = [len(stories) + part for part in parts]
    if not runners_up and len(set(unit)) == 1:
        return
    held = unit[:, None] == unit[None, :]
    labels = group_labels(np.where(held, 1.0, scores), model.threshold, model.absorb_threshold)
    pieces: dict[int, dict[int, Piece]] = defaultdict(dict)  # label -> story -> piece
    for row, ((s, profile), label) in enumerate(zip(members, labels)):
        piece = pieces[label].setdefault(s, Piece(s, [], []))
        piece.articles.append(profile.article_id)
        piece.rows.append(row)
    _write_back(index, story, pieces, scores, idf, model, read[story], article_id)


def _write_back(
    index: StoryIndex,
    story: int,
    pieces: dict[int, dict[int, Piece]],
    scores: np.ndarray,
    idf: Idf,
    model: PairModel,
    read: Sequence[ArticleProfile],
    article_id: int | None,
) -> None:
    """Apply the neighbourhood's groups: each part of ``story`` but its largest moves to the
    largest story of its group (or to a new story), then every other story of a group merges
    into its largest."""
    parts = sorted((group[story] for group in pieces.values() if story in group), key=lambda p: (-len(p.articles), min(p.articles)))
    kept = parts[0]
    sizes = {s: index.story_size(s) for group in pieces.values() for s in group if s != story}
    sizes[story] = len(kept.articles) if len(parts) > 1 else index.story_size(story)
    keys = {profile.article_id: blocking_keys(profile, idf) for profile in read} if len(parts) > 1 else {}
    merges = []
    for group in pieces.values():
        staying = [piece for s, piece in group.items() if s != story or piece is kept]
        target = min(staying, key=lambda p: (-sizes[p.story], p.story), default=None)
        for piece in group.values():
            if piece is target:
                continue
            if piece.story == story and piece is not kept:  # splits first: the story must still hold the part
                link = _link(scores, piece, target or kept)
                rule = APART if target is None else _rule(link, model)
                index.split_story(story, piece.articles, target and target.story, keys, rule, link, article_id)
            else:
                merges.append((piece, target))
    for piece, target in merges:
        link = _link(scores, piece, target)
        index.merge_stories(piece.story, target.story, _rule(link, model), link, article_id)


def _link(scores: np.ndarray, piece: Piece, other: Piece) -> float:
    """The average similarity of two pieces' members (average link)."""
    return float(scores[np.ix_(piece.rows, other.rows)].mean())


def _rule(link: float, model: PairModel) -> str:
    """Why two groups were put together: average link, or a small one absorbed by its best pairs."""
    return AVERAGE_LINK if link >= model.threshold else ABSORBED
