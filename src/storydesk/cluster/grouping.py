"""Grouping articles into stories: blocking keys to find candidate stories, online placement of
one article, and batch average-link clustering (whose small leftover groups then join a large
group the way ``place`` joins an article to a story), all on the one pairwise similarity."""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import pairwise

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy import sparse
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform

from storydesk.cluster.idf import Idf, day_key, entity_key, figure_key, word_key
from storydesk.cluster.pairs import PairModel, load_model, pair_scores
from storydesk.model import ArticleProfile

TOP_MEMBERS = 3  # a story's score: the mean of its 3 members most like the article (ECB+ train online: 0.876 vs 0.861 for the plain mean)
DENSE_LIMIT = 2000  # up to this many profiles, batch clustering compares every pair
MAX_COMPONENT = 2000  # in blocked batch mode, no component compared pair by pair is larger
THRESHOLD_STEP = 0.05  # how much a too-large component's linking threshold is raised to split it
BLOCK_POSTING_LIMIT = 500  # in blocked batch mode, a key shared by more articles finds no pairs
MAX_ABSORBED = 3  # groups of up to this many articles may join a larger one (ECB+ train folds: 0.949 vs 0.928 without)


def blocking_keys(profile: ArticleProfile, idf: Idf, limit: int = 12) -> list[str]:
    """The profile's most discriminative keys (entities, words, exact days, figures), ranked by
    idf times log-count: what the store indexes stories under and looks candidates up by."""
    weighted: dict[str, float] = {}
    for term, count in profile.terms.items():
        weighted[word_key(term)] = 1.0 + math.log(count)
    for key, count in profile.entities.items():
        weighted[entity_key(key)] = 1.0 + math.log(count)
    for value in profile.days:
        if len(value) == 10:
            weighted[day_key(value)] = 1.0
    for figure in profile.figures:
        weighted[figure_key(figure)] = 1.0
    ranked = sorted(weighted, key=lambda key: (-weighted[key] * idf.weight(key), key))
    return ranked[:limit]


def story_scores(
    profile: ArticleProfile, candidates: Mapping[int, Sequence[ArticleProfile]], idf: Idf, model: PairModel | None = None
) -> dict[int, float]:
    """Each candidate story's score for ``profile``: the mean similarity of its TOP_MEMBERS
    members most like it (by the model given, else the packaged one); stories without members
    are left out."""
    stories = [(story, list(members)) for story, members in candidates.items() if members]
    if not stories:
        return {}
    scores = pair_scores([profile], [m for _, members in stories for m in members], idf, model)[0]
    bounds = np.cumsum([0] + [len(members) for _, members in stories])
    return {story: _top_mean(scores[start:end], TOP_MEMBERS) for (story, _), (start, end) in zip(stories, pairwise(bounds))}


def place(
    profile: ArticleProfile, candidates: Mapping[int, Sequence[ArticleProfile]], idf: Idf, model: PairModel | None = None
) -> tuple[int | None, float]:
    """The candidate story with the best ``story_scores``, if that reaches the model's (by
    default the packaged one's) placement threshold; else ``(None, best score)``."""
    return best_story(story_scores(profile, candidates, idf, model), model or load_model())


def best_story(scores: Mapping[int, float], model: PairModel) -> tuple[int | None, float]:
    """The story of the best score (the first listed of equal ones) if it reaches the model's
    placement threshold, else ``(None, best score)``; ``(None, 0.0)`` without candidates."""
    if not scores:
        return None, 0.0
    story = max(scores, key=scores.__getitem__)
    return (story if scores[story] >= model.place_threshold else None), scores[story]


def cluster(profiles: Sequence[ArticleProfile], idf: Idf | None = None, model: PairModel | None = None) -> list[int]:
    """Batch labels 0..k-1 by average-link agglomerative clustering cut at the model's (by
    default the packaged one's) threshold, small groups then absorbed (``absorb_small``). A large
    batch is first split into the components of the graph of blocked candidate pairs scoring at
    least the threshold (average link never merges across them)."""
    idf = idf or Idf.from_profiles(profiles)
    model = model or load_model()
    everyone = [list(range(len(profiles)))] if profiles else []
    components = everyone if len(profiles) <= DENSE_LIMIT else _components(profiles, idf, model.threshold)
    labels = [0] * len(profiles)
    groups = (
        [component[i] for i in group]
        for component in components
        for group in _groups([profiles[i] for i in component], idf, model.threshold, model.absorb_threshold)
    )
    for label, group in enumerate(sorted(groups)):
        for index in group:
            labels[index] = label
    return labels


def _groups(profiles: Sequence[ArticleProfile], idf: Idf, threshold: float, absorb_threshold: float) -> list[list[int]]:
    """Groups (indices into ``profiles``) of ``group_labels``."""
    if len(profiles) == 1:
        return [[0]]
    groups: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(group_labels(pair_scores(profiles, profiles, idf), threshold, absorb_threshold)):
        groups[label].append(index)
    return sorted(groups.values())


def group_labels(scores: np.ndarray, threshold: float, absorb_threshold: float) -> list[int]:
    """Average-link labels of a square similarity matrix, small groups then absorbed."""
    return absorb_small(scores, average_link_labels(scores, threshold), absorb_threshold)


def absorb_small(scores: np.ndarray, labels: Sequence[int], threshold: float) -> list[int]:
    """Each group of at most MAX_ABSORBED members joins the larger group (more members) its
    members are on average most similar to over their best TOP_MEMBERS pairs each, if that mean
    reaches ``threshold``. Average link rarely lets a one-sentence article join a large story,
    whose members it resembles only in part; this is ``place``'s rule applied after the batch."""
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        members[label].append(index)
    large = [label for label, group in members.items() if len(group) > MAX_ABSORBED]
    result = list(labels)
    for group in (g for g in members.values() if len(g) <= MAX_ABSORBED and large):
        means = [_top_mean(scores[np.ix_(group, members[label])], TOP_MEMBERS * len(group)) for label in large]
        best = int(np.argmax(means))
        if means[best] >= threshold:
            for index in group:
                result[index] = large[best]
    return _renumbered(result)


def _top_mean(block: np.ndarray, count: int) -> float:
    """The mean of the ``count`` highest similarities in ``block``."""
    return float(np.sort(block.ravel())[-count:].mean())


def _renumbered(labels: Sequence[int]) -> list[int]:
    """Labels 0..k-1 in order of first appearance."""
    numbers: dict[int, int] = {}
    return [numbers.setdefault(label, len(numbers)) for label in labels]


def average_link_labels(scores: np.ndarray, threshold: float) -> list[int]:
    """Labels 0..k-1 of average-link clustering of a square similarity matrix: two groups merge
    while the mean similarity of their pairs is at least ``threshold`` (scipy's linkage)."""
    if len(scores) < 2:
        return [0] * len(scores)
    distances = np.clip(1.0 - (scores + scores.T) / 2, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    return [int(label) - 1 for label in fcluster(tree, t=1.0 - threshold, criterion="distance")]


def _components(profiles: Sequence[ArticleProfile], idf: Idf, threshold: float) -> list[list[int]]:
    """Connected components of the graph linking candidate pairs scoring at least ``threshold``,
    none larger than MAX_COMPONENT (``_capped``)."""
    rows, cols, scores = [], [], []
    for i, candidates in enumerate(_candidate_pairs(profiles, idf)):
        if candidates:
            found = pair_scores([profiles[i]], [profiles[j] for j in candidates], idf)[0]
            linked = [(j, score) for j, score in zip(candidates, found) if score >= threshold]
            rows += [i] * len(linked)
            cols += [j for j, _ in linked]
            scores += [score for _, score in linked]
    graph = coo_matrix((scores, (rows, cols)), shape=(len(profiles), len(profiles))).tocsr()
    return sorted(_capped(graph, np.arange(len(profiles)), threshold))


def _capped(graph: sparse.csr_matrix, members: np.ndarray, threshold: float) -> list[list[int]]:
    """The components of ``graph`` (pair scores) among ``members`` at ``threshold``; one over
    MAX_COMPONENT articles is split again at a threshold THRESHOLD_STEP higher (its weakest
    links go first), and cut into runs of MAX_COMPONENT once no threshold below 1 splits it, so
    that no dense comparison of more than MAX_COMPONENT articles forms."""
    sub = graph[members][:, members]  # a copy: its weak links are dropped here only
    sub.data[sub.data < threshold] = 0.0
    sub.eliminate_zeros()
    _, component_of = connected_components(sub, directed=False)
    result = []
    for component in range(component_of.max() + 1 if len(members) else 0):
        inside = members[component_of == component]
        if len(inside) <= MAX_COMPONENT:
            result.append(inside.tolist())
        elif threshold + THRESHOLD_STEP < 1.0:
            result += _capped(graph, inside, threshold + THRESHOLD_STEP)
        else:
            result += [inside[start : start + MAX_COMPONENT].tolist() for start in range(0, len(inside), MAX_COMPONENT)]
    return result


def _candidate_pairs(profiles: Sequence[ArticleProfile], idf: Idf) -> list[list[int]]:
    """For each profile, the later profiles sharing a blocking key with it (keys held by very
    many articles are skipped: they would pair everyone)."""
    n = len(profiles)
    postings: dict[str, list[int]] = defaultdict(list)
    for index, profile in enumerate(profiles):
        for key in blocking_keys(profile, idf):
            postings[key].append(index)
    partners: list[set[int]] = [set() for _ in range(n)]
    for indices in postings.values():
        if len(indices) <= BLOCK_POSTING_LIMIT:
            for position, i in enumerate(indices):
                partners[i].update(indices[position + 1 :])
    return [sorted(p) for p in partners]
