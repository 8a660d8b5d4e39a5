"""The cluster stage: articles into stories, online (each new article joins the best candidate
story or starts one) and in batch (rebuild, evaluation), on one learned pairwise similarity.

``profile`` summarises an article; ``Idf`` weighs profile keys by document frequency
(``document_keys`` says which keys the store should count); ``blocking_keys`` finds candidate
stories; ``place_article`` places one article over a ``StoryIndex`` (the store's, or a
``MemoryIndex``), ``place`` deciding among its candidates; ``cluster`` groups a batch;
``similarity`` is what both use.
"""
from __future__ import annotations

from storydesk.cluster.grouping import blocking_keys, cluster, place
from storydesk.cluster.idf import Idf, document_keys
from storydesk.cluster.online import MemoryIndex, StoryIndex, place_article, place_in_order
from storydesk.cluster.pairs import PairModel, load_model, pair_scores, similarity
from storydesk.cluster.profiles import profile

__all__ = [
    "Idf",
    "MemoryIndex",
    "PairModel",
    "StoryIndex",
    "blocking_keys",
    "cluster",
    "document_keys",
    "load_model",
    "pair_scores",
    "place",
    "place_article",
    "place_in_order",
    "profile",
    "similarity",
]
