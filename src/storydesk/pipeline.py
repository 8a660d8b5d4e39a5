"""Composes the stages: ingest -> extract/clean -> dedupe -> analyse -> store -> cluster, one
article at a time.

``prepare`` is a pure function of one document (it can run in another process); ``commit``
writes one prepared article in one transaction, linking it to an earlier copy, its entities to
those the store already knows, and placing it in its story.
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Literal

from storydesk import analyse as analysis_stage
from storydesk import cluster, dedupe
from storydesk.extract import extract
from storydesk.model import Analysis, Article, ArticleProfile, DuplicateLink, IngestProblem, RawDocument, Skipped
from storydesk.settings import SettingsError, current
from storydesk.store import Store
from storydesk.store.stories import story_title as titled

Outcome = Literal["added", "exact-duplicate", "near-duplicate", "already-stored"]
log = logging.getLogger("storydesk.pipeline")


@dataclass
class Prepared:
    """One document ready to store: the article (with its analysis, unless analysis was off or
    failed, which ``analysis_error`` says) and its dedupe fingerprint."""

    article: Article
    fingerprint: dedupe.Fingerprint
    analysis_error: str | None = None

    @property
    def analysis_problem(self) -> IngestProblem | None:
        """The failed analysis as a problem naming the article's origin; None if it did not fail."""
        return None if self.analysis_error is None else IngestProblem(self.article.origin, self.analysis_error)

    @property
    def analysis_note(self) -> IngestProblem | None:
        """A cut analysis, in plain words for the report (not a failure); None if it read all."""
        analysis = self.article.analysis
        if analysis is None or analysis.cut_at is None:
            return None
        return IngestProblem(self.article.origin, cut_words(analysis.cut_at, len(self.article.text)))


def cut_words(cut_at: int, length: int) -> str:
    """What a cut analysis means for the article, said to the person who ingested it."""
    return (
        f"a long article ({length:,} characters): only its first {cut_at:,} characters were analysed "
        "(whole sentences up to the analysis limit); it is placed in its story and stored whole"
    )


@dataclass
class RunProblems:
    """The problems and skips of a run (ingest, process), which make its exit status."""

    problems: list[IngestProblem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def add_problems(self, problems: Iterable[IngestProblem], skipped: Counter[str]) -> None:
        self.problems.extend(problems)
        self.skipped.update(skipped)


@dataclass
class IngestReport(RunProblems):
    """What an ingest run did, for the summary line and the exit status; ``notes`` tell of
    articles stored with something to know (a cut analysis), which is no failure."""

    outcomes: Counter[str] = field(default_factory=Counter)
    notes: list[IngestProblem] = field(default_factory=list)

    def merge(self, other: IngestReport) -> None:
        self.outcomes.update(other.outcomes)
        self.add_problems(other.problems, other.skipped)
        self.notes.extend(other.notes)

    def note(self, note: IngestProblem | None, on_note: Callable[[IngestProblem], None] | None) -> None:
        """Keep a note (when there is one) and tell ``on_note`` of it."""
        if note is not None:
            self.notes.append(note)
            if on_note is not None:
                on_note(note)


def content_hash(raw: RawDocument) -> str:
    """Identity of a document's content, whatever its origin: same bytes, same article."""
    normalised = "\n".join(line.rstrip() for line in raw.content.strip().splitlines())
    return hashlib.sha256(f"{raw.format}\n{normalised}".encode()).hexdigest()


def prepare(
    raw: RawDocument, digest: str | None = None, analyse: bool = True, outlet: str | None = None
) -> Prepared | IngestProblem:
    """Extract/clean one document (``outlet``: the outlet's name when nothing in it says),
    fingerprint and analyse its text; a document with no text is a problem. A failed analysis
    does not lose the article: it is stored without one."""
    extraction = extract(raw, outlet)
    if not extraction.text.strip():
        return IngestProblem(raw.origin, "no article text found")
    article = Article(raw.origin, digest or content_hash(raw), raw.format, extraction)
    prepared = Prepared(article, dedupe.fingerprint(extraction.text))
    if analyse:
        article.analysis, prepared.analysis_error = analyse_text(extraction.text, extraction.published.value, extraction.language)
    return prepared


def guarded(prepare_one: Callable[[RawDocument], Prepared | IngestProblem], raw: RawDocument) -> Prepared | IngestProblem:
    """``prepare_one(raw)``; an extractor's exception on hostile input is that document's problem."""
    try:
        return prepare_one(raw)
    except SettingsError:  # the run's to fix (no spaCy pipeline), not this document's
        raise
    except Exception as error:  # third-party parsers on hostile input must not stop the batch
        log.warning("extraction of %s failed: %s: %s", raw.origin, type(error).__name__, error)
        return IngestProblem(raw.origin, f"extraction failed ({type(error).__name__}): the document could not be read")


def analyse_prepared(batch: Sequence[Prepared]) -> None:
    """Analyse prepared articles together (one spaCy batch); when the batch fails, each is
    analysed alone so that only the article at fault goes without an analysis."""
    articles = [item.article for item in batch]
    try:
        analyses = analysis_stage.analyse_many([(a.text, a.extraction.published.value, a.extraction.language) for a in articles])
    except SettingsError:
        raise
    except Exception:  # one hostile text fails the batch: find it by analysing one at a time
        for item in batch:
            article = item.article
            article.analysis, item.analysis_error = analyse_text(article.text, article.extraction.published.value, article.extraction.language)
        return
    for article, analysis in zip(articles, analyses):
        article.analysis = analysis


def analyse_text(text: str, published: str | None, language: str | None = None) -> tuple[Analysis | None, str | None]:
    """The analysis of a text in ``language``, or the reason it failed (spaCy or a rule on
    hostile input), in our words: the library's own message goes to the log."""
    try:
        return analysis_stage.analyse(text, published, language), None
    except SettingsError:  # no pipeline, a wrong finder: the whole run's to fix, not this article's
        raise
    except Exception as error:  # one article's failed analysis must not stop the batch
        log.warning("analysis failed: %s: %s", type(error).__name__, error)
        return None, f"analysis failed ({type(error).__name__}): the article is stored without an analysis"


def save_analysis(store: Store, article_id: int, analysis: Analysis) -> Analysis:
    """Store an analysis with its entity keys linked to those the store already knows
    (call inside a transaction); returns the linked analysis, what the article is placed by
    (as a rebuild, reading it back, places it)."""
    persons = [entity.name for entity in analysis.entities if entity.kind == "PERSON"]
    linked = analysis_stage.relink(analysis, store.known_persons(persons))
    store.save_analysis(article_id, linked)
    return linked


def commit(store: Store, prepared: Prepared) -> Outcome:
    """Store one prepared article in its own transaction; an identical document already
    stored only gains this origin."""
    article, fingerprint = prepared.article, prepared.fingerprint
    with store.transaction():
        existing = store.article_id_for_content(article.content_hash)
        if existing is not None:
            store.add_origin(existing, article.origin)
            return "already-stored"
        article.duplicate_of = find_original(store, fingerprint)
        article.id = store.add_article(article, fingerprint.text_hash, fingerprint.signature, fingerprint.buckets)
        if article.analysis is not None:
            article.analysis = save_analysis(store, article.id, article.analysis)
            place(store, article)
    if article.duplicate_of is None:
        return "added"
    return "exact-duplicate" if article.duplicate_of.kind == "exact" else "near-duplicate"


def find_original(store: Store, fingerprint: dedupe.Fingerprint) -> DuplicateLink | None:
    """The earliest stored article this one copies, exactly or nearly; originals only, so
    copies of copies point at the first."""
    exact = store.original_with_text(fingerprint.text_hash)
    if exact is not None:
        return DuplicateLink(store.original_of(exact), "exact", 1.0)
    best: DuplicateLink | None = None
    for article_id, signature in store.near_candidates(fingerprint.buckets):
        score = dedupe.similarity(fingerprint.signature, signature)
        if score >= dedupe.NEAR_DUPLICATE_JACCARD and (best is None or score > best.similarity):
            best = DuplicateLink(article_id, "near", round(score, 3))
    return best and DuplicateLink(store.original_of(best.article_id), "near", best.similarity)


def ingest(
    store: Store,
    items: Iterable[RawDocument | IngestProblem | Skipped],
    on_item: Callable[[str, IngestProblem | None], None] | None = None,
    analyse: bool = True,
    outlet: str | None = None,
    on_note: Callable[[IngestProblem], None] | None = None,
) -> IngestReport:
    """Store every document of ``items``; problems are collected and the batch goes on.
    ``on_item(status, problem)`` hears of each item as it is done, ``on_note`` of each note;
    ``outlet`` names the outlet of the documents that do not name theirs."""
    report = IngestReport()
    for item in items:
        status, problem, note = _ingest_one(store, item, analyse, outlet)
        report.note(note, on_note)
        if problem is not None:
            report.problems.append(problem)
        if status == "skipped":
            report.skipped[item.reason] += 1
        elif status != "problem":
            report.outcomes[status] += 1
        if on_item is not None:
            on_item(status, problem)
    return report


def _ingest_one(
    store: Store, item: RawDocument | IngestProblem | Skipped, analyse: bool, outlet: str | None
) -> tuple[str, IngestProblem | None, IngestProblem | None]:
    """Store one item (status, problem, note); already-stored content is recognised by its
    hash before any extraction."""
    if isinstance(item, IngestProblem):
        return "problem", item, None
    if isinstance(item, Skipped):
        return "skipped", None, None
    digest = content_hash(item)
    existing = store.article_id_for_content(digest)
    if existing is not None:
        with store.transaction():
            store.add_origin(existing, item.origin)
        return "already-stored", None, None
    prepared = guarded(partial(prepare, digest=digest, analyse=analyse, outlet=outlet), item)
    if isinstance(prepared, IngestProblem):
        return "problem", prepared, None
    try:
        return commit(store, prepared), prepared.analysis_problem, prepared.analysis_note
    except sqlite3.IntegrityError:  # rolled back whole; the rest of the batch goes on
        log.exception("storing %s broke a constraint of the store", item.origin)
        return "problem", IngestProblem(item.origin, "could not be stored: it broke a rule of the store (see the log)"), None


def articles_to_analyse(store: Store, redo_older: bool = True) -> list[int]:
    """Stored articles with no analysis, and (``redo_older``) those analysed by another
    version of the rules or another spaCy pipeline."""
    return store.needing_analysis(analysis_stage.analysis_version() if redo_older else None)


def analyse_stored(
    store: Store,
    article_ids: Iterable[int],
    on_item: Callable[[str, IngestProblem | None], None] | None = None,
) -> IngestReport:
    """Analyse stored articles, one transaction per article; a failure is reported and the
    rest go on."""
    report = IngestReport()
    for article_id in article_ids:
        article = store.article(article_id)
        analysis, error = analyse_text(article.text, article.extraction.published.value, article.extraction.language)
        problem = None if error is None else IngestProblem(article.origin, error)
        if analysis is not None:
            with store.transaction():
                article.analysis = save_analysis(store, article_id, analysis)
                _profile_or_place(store, article)
            report.outcomes["analysed"] += 1
        else:
            report.problems.append(problem)
        if on_item is not None:
            on_item("analysed" if problem is None else "problem", problem)
    return report


def place(store: Store, article: Article) -> int:
    """Put a stored, analysed article into the story it belongs to, or start one (call inside
    the article's transaction): profile it, then place it (``cluster.place_article``, over the
    store). A copy joins its original's story. Returns the story id."""
    profile, original = cluster.profile(article), _story_of_original(store, article)
    return cluster.place_article(store, profile, story_title(article), original, pair_model())[0]


def date_stories(store: Store) -> int:
    """Give each story with an undated article, changed since it was last dated, the dates its
    dossier gives it (``synthesise.build_story_dates``: an undated article counted at the bound
    the story's events give it), so that the story list shows what the story page shows; one
    transaction per story. Returns how many stories were dated."""
    from storydesk import synthesise  # the dossier's stage: only for stories with undated articles

    stories = store.stories_to_date()
    for story_id in stories:
        with store.transaction():
            articles = [store.article(article_id) for article_id in store.member_ids(story_id)]
            store.save_story_dates(story_id, synthesise.build_story_dates(articles))
    return len(stories)


def pair_model() -> cluster.PairModel:
    """The packaged clustering model with the thresholds the settings give in place of its
    learned ones (``Settings.place_threshold``, ``cluster_threshold``, ``absorb_threshold``)."""
    settings = current()
    given = {
        "place_threshold": settings.place_threshold,
        "threshold": settings.cluster_threshold,
        "absorb_threshold": settings.absorb_threshold,
    }
    return replace(cluster.load_model(), **{name: value for name, value in given.items() if value is not None})


def story_title(article: Article) -> str:
    """A new story's title: its first article's title, else the start of its text."""
    return titled(article.title, article.text)


def _save_profile(store: Store, article: Article) -> None:
    """Profile an article for clustering and store the profile with its document keys."""
    profile = cluster.profile(article)
    store.save_profile(profile, cluster.document_keys(profile))


def _story_of_original(store: Store, article: Article) -> tuple[int | None, float]:
    """The story of the article this one copies, with the copy's similarity."""
    if article.duplicate_of is None:
        return None, 0.0
    return store.story_of(article.duplicate_of.article_id), article.duplicate_of.similarity


def _profile_or_place(store: Store, article: Article) -> None:
    """After a (re-)analysis: refresh the profile of an article already in a story (its story
    stays until a rebuild), or place it."""
    if store.story_of(article.id) is None:
        place(store, article)
    else:
        _save_profile(store, article)


def place_pending(store: Store, on_item: Callable[[str, IngestProblem | None], None] | None = None) -> int:
    """Place every analysed article that is in no story yet, one transaction each."""
    placed = 0
    for article_id in store.unplaced():
        article = store.article(article_id)
        with store.transaction():
            place(store, article)
        placed += 1
        if on_item is not None:
            on_item("placed", None)
    return placed


def rebuild_stories(
    store: Store, on_item: Callable[[str, IngestProblem | None], None] | None = None, since: str | None = None
) -> int:
    """Cluster analysed articles again at once (``cluster.cluster``: average link within
    blocked components, the batch quality) into new stories, in one transaction; a copy stays
    with its original. Without ``since``, every story, profile and key frequency is forgotten
    and every analysed article clustered; with ``since`` (an ISO day), only the stories of that
    window (``Store.stories_since``) and the articles in no story, weighed by the whole store's
    key frequencies. Each old story's id leads to the new story holding most of its articles
    (the history records it). New stories are indexed under their members' blocking keys, so
    that articles ingested later are placed online among them. A batch membership has no
    placement score (0). Returns how many articles were clustered."""
    with store.transaction():
        old = store.memberships(None if since is None else store.stories_since(since))
        if since is None:
            store.clear_stories()
        else:
            store.remove_stories(set(old.values()))
        articles = [store.article(article_id) for article_id in store.unplaced()]
        profiles = [cluster.profile(article) for article in articles]
        for profile in profiles:
            store.save_profile(profile, cluster.document_keys(profile))
        idf = cluster.Idf.from_profiles(profiles) if since is None else _store_idf(store, profiles)
        stories: dict[int, int] = {}
        placed = {article.id for article in articles}
        for article, profile, group in zip(articles, profiles, _with_originals(articles, cluster.cluster(profiles, idf, pair_model()))):
            copied = article.duplicate_of and article.duplicate_of.article_id
            story = store.story_of(copied) if copied and copied not in placed else None  # an original outside the window
            if story is None:
                if group not in stories:
                    stories[group] = store.create_story(story_title(article))
                story = stories[group]
            store.add_to_story(story, article.id, 0.0, cluster.blocking_keys(profile, idf), profile.published)
            if on_item is not None:
                on_item("placed", None)
        _record_rebuild(store, old)
    return len(articles)


def _store_idf(store: Store, profiles: Sequence[ArticleProfile]) -> cluster.Idf:
    """Key weights by the whole store's frequencies, read at once for every key of ``profiles``."""
    documents, frequencies = store.document_frequencies({key for p in profiles for key in cluster.document_keys(p)})
    return cluster.Idf(documents, frequencies)


def _record_rebuild(store: Store, old: dict[int, int]) -> None:
    """Record where each story a rebuild dissolved went: the new story holding most of its
    articles (ties: the older)."""
    members: dict[int, list[int]] = {}
    for article_id, story in sorted(old.items()):
        members.setdefault(story, []).append(article_id)
    for story, article_ids in sorted(members.items()):
        now = Counter(filter(None, map(store.story_of, article_ids)))
        if now:
            into = min(now, key=lambda s: (-now[s], s))
            store.record_change("rebuild", story, into, article_ids, "batch average link", None, None)


def _with_originals(articles: Sequence[Article], groups: Sequence[int]) -> list[int]:
    """Batch groups with each copy moved to its original's group."""
    group_of = {article.id: group for article, group in zip(articles, groups)}
    return [
        group_of.get(article.duplicate_of.article_id, group) if article.duplicate_of else group
        for article, group in zip(articles, groups)
    ]


def commit_all(
    store: Store,
    prepared: Iterable[Prepared],
    on_item: Callable[[str, IngestProblem | None], None] | None = None,
) -> IngestReport:
    """Store articles prepared elsewhere (``storydesk process``), each by ``commit`` in its own
    transaction and placed in its story; content already stored only gains the origin, so
    loading twice is safe. A failed analysis recorded with the article is reported again."""
    report = IngestReport()
    for item in prepared:
        outcome = commit(store, item)
        report.outcomes[outcome] += 1
        report.note(item.analysis_note, None)
        problem = item.analysis_problem
        if problem is not None:
            report.problems.append(problem)
        if on_item is not None:
            on_item(outcome, problem)
    return report
