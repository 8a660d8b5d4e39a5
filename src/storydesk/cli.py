"""The storydesk command line: parses arguments, calls the Python API (storydesk.desk), renders."""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TaskProgressColumn, TextColumn, TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from storydesk.settings import Settings, SettingsError

# The Desk, the store, the model and the evaluators are imported by the commands that use them,
# so that --help starts at once (benchmarks/imports.py).
if TYPE_CHECKING:
    from storydesk.desk import Desk
    from storydesk.eval.runs import Track
    from storydesk.model import Analysis, Article, IngestProblem
    from storydesk.pipeline import IngestReport

# Markdown help: a docstring's line breaks inside a paragraph do not break the command list's lines.
app = typer.Typer(
    help="storydesk: many outlets' articles in, cross-checked stories out.",
    no_args_is_help=True, add_completion=False, rich_markup_mode="markdown",
)
eval_app = typer.Typer(
    help="Score storydesk on a benchmark file; prints one JSON line of metrics.",
    no_args_is_help=True, rich_markup_mode="markdown",
)
app.add_typer(eval_app, name="eval")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar (none is drawn when stderr is not a terminal).")]
# --db and --config may come before the command (the group's options) or after it (these; _desk
# reads them from the command's parameters first).
StoreFile = Annotated[Optional[Path], typer.Option("--db", help="The store file (as before the command).", show_default=False)]
ConfigFile = Annotated[Optional[Path], typer.Option("--config", help="A storydesk.toml to read settings from (as before the command).", show_default=False)]


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class QuoteSystem(str, Enum):
    rules = "rules"
    learned = "learned"
    combined = "combined"
    tagger = "tagger"


class DossierFormat(str, Enum):
    md = "md"
    json = "json"
    html = "html"


class ExtractionMode(str, Enum):
    html = "html"
    text = "text"


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[Path, typer.Option("--db", help="The store file.", envvar="STORYDESK_DB")] = Path("storydesk.db"),
    config: Annotated[Optional[Path], typer.Option("--config", help="A storydesk.toml to read settings from (default: one beside the store, else in ~/.config/storydesk/).", envvar="STORYDESK_CONFIG")] = None,
) -> None:
    """Every command works on one store: storydesk.db here, unless --db names another."""
    ctx.obj = (db, config)


def _store_and_settings(ctx: typer.Context) -> tuple[Path, Settings]:
    """The store file and the settings: --db and --config after the command, else before it."""
    group_db, group_config = ctx.obj
    db = ctx.params.get("db") or group_db
    try:
        return db, Settings.load(store=db, config=ctx.params.get("config") or group_config)
    except SettingsError as error:
        _fail(str(error))


@contextmanager
def _settings_checked() -> Iterator[None]:
    """A setting the work turns out to need and lacks (no spaCy pipeline, an extra not
    installed) ends it in one line."""
    try:
        yield
    except SettingsError as error:
        _fail(str(error))


def _desk(ctx: typer.Context) -> Desk:
    db, settings = _store_and_settings(ctx)  # first: a wrong setting is told before any import
    from storydesk.desk import Desk
    from storydesk.store import StoreError

    try:
        desk = Desk(db, settings=settings)
    except StoreError as error:
        _fail(str(error))
    ctx.call_on_close(desk.close)
    return desk


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def _print_json(value: Any) -> None:
    out.out(json.dumps(value, ensure_ascii=False, indent=2), highlight=False)


class _RateColumn(ProgressColumn):
    """Steps per second, in Rich's own format. A column of ours because Rich's TaskProgressColumn
    shows the speed only when the total is unknown, and TransferSpeedColumn counts bytes."""

    def render(self, task: Task) -> Text:
        return TaskProgressColumn.render_speed(task.finished_speed or task.speed)


def _bar(quiet: bool, *extra: ProgressColumn) -> Progress:
    """The one look of every progress bar: steps done / total, rate, elapsed, ETA; on stderr,
    only when stderr is a terminal (scripts and pipes see nothing), gone when finished."""
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _RateColumn(), *extra,
        TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=True, disable=quiet or not err.is_terminal,
    )


@contextmanager
def _tracking(quiet: bool) -> Iterator[Track]:
    """A Track for the evaluators: one bar row per phase (Rich's own ``Progress.track``), or
    ``untracked`` when no bar is shown, so evaluators skip counting records for a total."""
    from storydesk.eval.runs import untracked

    with _bar(quiet) as bar:
        if bar.disable:
            yield untracked
            return
        yield lambda items, total, phase: bar.track(items, total=total, description=phase)


class _Progress:
    """A Rich progress bar on stderr (only on a terminal) that reports problems as they come."""

    def __init__(self, total: int | None, quiet: bool, unit: str) -> None:
        """``total``: None when not known beforehand."""
        self.bar = _bar(quiet, TextColumn(f"{{task.fields[done]}} {unit}"))
        self.task = self.bar.add_task(unit, total=total, done=0)
        self.done = 0

    def __enter__(self) -> _Progress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def step(self, label: str) -> None:
        """One unit of the total is under way (a source file, an article)."""
        self.bar.update(self.task, advance=1, description=escape(label[-40:]))

    def item_done(self, status: str, problem: IngestProblem | None) -> None:
        self.done += 1
        if problem is not None:
            self.bar.console.print(f"[red]error:[/] {escape(str(problem))}")
        self.bar.update(self.task, done=self.done)

    def note(self, note: IngestProblem) -> None:
        self.bar.console.print(f"[yellow]note:[/] {escape(str(note))}")


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Files, folders, globs, or - for stdin.")],
    fetch: Annotated[bool, typer.Option(help="Fetch the pages that feeds and URL lists link to.")] = False,
    analyse: Annotated[bool, typer.Option(help="Analyse each article as it is stored (entities, quotes, dates, figures).")] = True,
    outlet: Annotated[Optional[str], typer.Option(metavar="NAME", help="The outlet of articles that name none (no source field, site name, URL or agency credit).")] = None,
    quiet: Quiet = False,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """Read articles, clean and date them, link duplicates, analyse and store them.

    Formats: .txt .html .json .jsonl .warc .warc.gz, RSS/Atom feeds, URL lists. Re-running is
    safe: content already stored is skipped and counted. Exit status 1 when anything failed."""
    desk = _desk(ctx)
    found = list(desk.discover(paths))
    with _Progress(len(found), quiet, "documents") as progress, _settings_checked():
        report = desk.ingest_sources(
            found, fetch=fetch, stdin=sys.stdin.buffer, analyse=analyse, outlet=outlet,
            on_source=lambda source: progress.step(str(getattr(source, "label", source))),
            on_item=progress.item_done, on_note=progress.note,
        )
    out.print(_summary(report))
    raise typer.Exit(1 if report.failed else 0)


@app.command("analyse")
def analyse_command(
    ctx: typer.Context,
    redo: Annotated[bool, typer.Option("--all", help="Analyse every article again, whatever its version.")] = False,
    quiet: Quiet = False,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """Analyse the stored articles not analysed yet, or analysed by an older version of the
    rules or of the spaCy pipeline. Exit status 1 when any analysis failed."""
    desk = _desk(ctx)
    ids = desk.article_ids() if redo else desk.pending_analysis()
    with _Progress(len(ids), quiet, "articles") as progress:

        def on_item(status: str, problem: IngestProblem | None) -> None:
            progress.step("analyse")
            progress.item_done(status, problem)

        with _settings_checked():
            report = desk.analyse(ids, on_item)
    out.print(f"{report.outcomes['analysed']} analysed; {len(report.problems)} failed")
    raise typer.Exit(1 if report.failed else 0)


def _summary(report: IngestReport) -> str:
    counts = report.outcomes
    parts = [
        f"{counts['added']} added",
        f"{counts['exact-duplicate'] + counts['near-duplicate']} duplicates linked",
        f"{counts['already-stored']} already stored",
        f"{len(report.problems)} failed",
    ]
    return "; ".join(parts) + _skipped_note(report.skipped)


def _skipped_note(skipped: Counter[str]) -> str:
    """"; skipped: 3 not an article, ..." for a summary line, or nothing when nothing was skipped."""
    listed = ", ".join(f"{n} {reason}" for reason, n in skipped.most_common())
    return f"; skipped: {listed}" if listed else ""


def _listing(article: Article) -> dict[str, Any]:
    """The fields `docs` shows for an article."""
    published = article.extraction.published
    dup = article.duplicate_of
    return {
        "id": article.id,
        "origin": str(article.origin),
        "title": article.title,
        "published": published.value,
        "precision": published.precision,
        "evidence": published.evidence[0].source if published.evidence else None,
        "language": article.extraction.language,
        "duplicate_of": dup and dup.article_id,
        "duplicate_kind": dup and dup.kind,
    }


@app.command()
def docs(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
    limit: Annotated[Optional[int], typer.Option(help="At most this many.")] = None,
    offset: Annotated[int, typer.Option(help="Skip this many first.")] = 0,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """List the stored articles."""
    rows = [_listing(a) for a in _desk(ctx).articles(limit, offset)]
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        dup = f"  duplicate of {row['duplicate_of']} ({row['duplicate_kind']})" if row["duplicate_of"] else ""
        out.print(
            f"[bold]{row['id']:>4}[/]  {row['published'] or '-':<10}  {escape(row['evidence'] or '-'):<16}"
            f"{row['language'] or '-':<4}{escape(row['origin'])}{dup}"
        )
        out.print(f"      {escape(row['title'] or '(untitled)')}")


@app.command()
def doc(
    ctx: typer.Context,
    article_id: Annotated[int, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """Show one article: its fields, date evidence, cleaned text and the lines removed, with reasons."""
    desk = _desk(ctx)
    article = desk.article(article_id)
    if article is None:
        _fail(f"no article {article_id} in {_store_and_settings(ctx)[0]}", 1)
    origins = [str(o) for o in desk.origins(article_id)]
    if as_json:
        _print_json({**article.to_dict(), "origins": origins})
        return
    ex = article.extraction
    fields = {
        "origin": ", ".join(origins), "url": ex.url, "title": ex.title, "author": ex.author, "site": ex.site,
        "outlet": f"{article.outlet} ({ex.outlet_from})",
        "published": f"{ex.published.value} ({ex.published.precision})" if ex.published.value else None,
        "dateline": ex.dateline, "agencies": ", ".join(ex.agencies) or None, "language": ex.language,
        "duplicate of": article.duplicate_of and f"{article.duplicate_of.article_id} ({article.duplicate_of.kind}, {article.duplicate_of.similarity})",
    }
    for name, value in fields.items():
        if value:
            out.print(f"[bold]{name}:[/] {escape(str(value))}")
    for evidence in ex.published.evidence:
        out.print(f"[bold]date evidence:[/] {escape(evidence.source)}: {escape(evidence.text)}")
    for evidence in ex.published.rejected:
        out.print(f"[bold]date rejected:[/] {escape(evidence.source)}: {escape(evidence.text)}")
    out.print()
    out.print(escape(ex.text))
    if ex.removed:
        out.print()
        out.print(f"[bold]removed lines ({len(ex.removed)}):[/]")
        for line in ex.removed:
            out.print(f"  {line.line_no:>3}  {line.reason:<16} {escape(line.text[:100])}")
    if article.analysis is not None:
        _print_analysis(article.analysis)


def _print_analysis(analysis: Analysis) -> None:
    """Entities, quotes, time expressions and figures of one article, as `doc` shows them."""
    names = {entity.key: entity.name for entity in analysis.entities}
    who = lambda key, fallback=None: escape(names.get(key, key) if key else (fallback or "?"))  # noqa: E731
    mentions = Counter(m.entity for m in analysis.mentions)
    out.print(f"\n[bold]entities ({len(analysis.entities)}):[/]")
    for entity in sorted(analysis.entities, key=lambda e: -mentions[e.key]):
        others = ", ".join(a for a in entity.aliases if a != entity.name)
        out.print(f"  {escape(entity.name)} ({entity.kind}, {mentions[entity.key]}x){escape(': ' + others) if others else ''}")
    out.print(f"\n[bold]quotes ({len(analysis.quotes)}):[/]")
    for quote in analysis.quotes:
        cue = escape(f" [{quote.cue.text}]") if quote.cue else ""
        speaker = who(quote.speaker_entity, quote.speaker_text)
        out.print(f"  {quote.kind:<8} {speaker}{cue}: {escape(_clip(quote.content.text, 90))}")
    out.print(f"\n[bold]time expressions ({len(analysis.timexes)}):[/]")
    for timex in analysis.timexes:
        out.print(f"  {escape(timex.text)} -> {timex.value or '?'} ({timex.type})")
    out.print(f"\n[bold]figures ({len(analysis.figures)}):[/]")
    for figure in analysis.figures:
        hedges = f", hedged: {', '.join(figure.hedges)}" if figure.hedges else ""
        source = who(figure.asserted_by, None) if figure.asserted_by else "no source"
        out.print(f"  {figure.value:g} {escape(figure.counts)} ({figure.modality}{hedges}; {source}): {escape(figure.span.text)}")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words, \"a phrase\", or FTS5 syntax (putin AND korea*).")],
    limit: Annotated[int, typer.Option(help="At most this many hits.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """Full-text search over titles and texts, best match first."""
    hits = _desk(ctx).search(query, limit)
    if as_json:
        _print_json([{"id": h.article.id, "title": h.article.title, "snippet": h.snippet, "rank": h.rank} for h in hits])
        return
    for hit in hits:
        out.print(f"[bold]{hit.article.id}[/]  {escape(hit.article.title or '(untitled)')}")
        out.print(f"    {escape(' '.join(hit.snippet.split()))}")
    if not hits:
        err.print("no match")


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="jsonl, csv or parquet.")] = ExportFormat.jsonl,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (stdout if absent; parquet needs one).")] = None,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """Export every stored article."""
    desk = _desk(ctx)
    if fmt is ExportFormat.parquet and output is None:
        _fail("parquet export needs --output FILE")
    with _settings_checked():  # parquet: the parquet extra
        count = desk.export(fmt.value, output if output is not None else sys.stdout)
    if output is not None:
        err.print(f"{count} articles written to {output}")


@app.command()
def stories(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
    limit: Annotated[Optional[int], typer.Option(help="At most this many.")] = None,
    offset: Annotated[int, typer.Option(help="Skip this many first.")] = 0,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """List the stories, the most recent first: id, article count, date range, outlets, title."""
    from storydesk.synthesise.render import dates_text

    found = _desk(ctx).stories(limit, offset)
    if as_json:
        _print_json([asdict(story) for story in found])
        return
    for story in found:
        out.print(
            f"[bold]{story.id:>4}[/]  {len(story.article_ids):>3} articles  {escape(dates_text(story.dates)):<24}  "
            f"{escape(', '.join(story.outlets))}"
        )
        out.print(f"      {escape(story.title)}")
    if not found:
        err.print("no stories yet (ingest and analyse articles first)")


@app.command()
def dossier(
    ctx: typer.Context,
    story_id: Annotated[int, typer.Argument(metavar="STORY")],
    fmt: Annotated[DossierFormat, typer.Option("--format", "-f", help="md, json or html.")] = DossierFormat.md,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (stdout if absent).")] = None,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """The cross-checked dossier of one story: timeline, who said what, figures and their
    discrepancies, claims, coverage and a cited summary."""
    desk = _desk(ctx)
    made = desk.dossier(story_id)
    if made is None:
        _fail(f"no story {story_id} (see `storydesk stories`)")
    if made.story.id != story_id:
        err.print(f"story {story_id} has joined story {made.story.id}: the dossier of story {made.story.id} follows")
    text = desk.render_dossier(made, fmt.value)
    if output is None:
        out.out(text, highlight=False)
        return
    output.write_text(text + "\n", encoding="utf-8")
    err.print(f"dossier of story {story_id} written to {output}")


@app.command("cluster")
def cluster_command(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option(help="Forget every story and cluster all articles again at once, in batch (after a model change, or for the batch quality).")] = False,
    since: Annotated[Optional[datetime], typer.Option(formats=["%Y-%m-%d"], help="With --rebuild: only the stories with an article published on or after this day (YYYY-MM-DD; undated stories: changed since).", show_default=False)] = None,
    quiet: Quiet = False,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """Place analysed articles that are in no story yet (ingest does this as it goes)."""
    if since is not None and not rebuild:
        _fail("--since chooses the stories a rebuild clusters again: give --rebuild too")
    desk = _desk(ctx)
    total = None if since else len(desk.article_ids()) if rebuild else len(desk.unplaced())
    with _Progress(total, quiet, "articles") as progress:

        def on_item(status: str, problem: IngestProblem | None) -> None:
            progress.step("cluster")
            progress.item_done(status, problem)

        placed = desk.cluster(rebuild, on_item, since and since.date())
    out.print(f"{placed} placed; {desk.story_count()} stories")


Compare = Annotated[Optional[Path], typer.Option("--compare-baseline", help="Write here (JSONL) the pages where a reference beats us, widest margin first.", show_default=False)]
Table = Annotated[bool, typer.Option("--table", help="Print one Markdown table of all files instead of a JSON line per file.")]


def _per_file(path: Path | None, file: Path, several: bool) -> Path | None:
    """An output path for one of the files: with several, the file's set name goes before the suffix."""
    from storydesk.eval.tables import set_name

    if path is None or not several:
        return path
    return path.with_name(f"{path.stem}.{set_name(file)}{path.suffix}")


def _print_results(results: list[dict[str, Any]], table: bool) -> None:
    """One JSON line per file, or with ``table`` one Markdown table of them all."""
    from storydesk.eval.tables import results_table

    if table:
        out.out(results_table(results))
        return
    for result in results:
        out.out(json.dumps(result))


@eval_app.command("extraction")
def eval_extraction(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="JSONL(.gz) of {id, html, text | must_contain, must_not_contain, ...}.")],
    mode: Annotated[ExtractionMode, typer.Option(help="html: extract from the page; text: clean its visible text.")] = ExtractionMode.html,
    predictions: Annotated[Optional[Path], typer.Option(help="Write {id, text} lines here (several files: OUT.<set>.jsonl).")] = None,
    baseline: Annotated[bool, typer.Option(help="Also score trafilatura (defaults, favor_recall) and, where installed, readability-lxml and newspaper4k on the same pages.")] = False,
    compare: Compare = None,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N pages of each file.")] = None,
    table: Table = False,
    quiet: Quiet = False,
) -> None:
    """Main-text extraction: 4-gram shingle precision, recall, F1, exact match (snippet lookups on trafilatura's evaluation data), ms per page."""
    from storydesk.eval.extraction import evaluate_extraction

    several = len(files) > 1
    results = []
    with _tracking(quiet) as progress:
        for file in files:
            results.append(evaluate_extraction(
                file, mode.value, _per_file(predictions, file, several), baseline or compare is not None, limit, progress,
                _per_file(compare, file, several),
            ))
    _print_results(results, table)


@eval_app.command("dates")
def eval_dates(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="JSONL(.gz) of {id, html, date, ...}.")],
    predictions: Annotated[Optional[Path], typer.Option(help="Write {id, date} lines here (several files: OUT.<set>.jsonl).")] = None,
    baseline: Annotated[bool, typer.Option(help="Also score htmldate (extensive) and, where installed, newspaper4k on the same pages.")] = True,
    compare: Compare = None,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N pages of each file.")] = None,
    table: Table = False,
    quiet: Quiet = False,
) -> None:
    """Publication dates: precision, recall, F1 over the dated pages, and over all pages (a date on an undated page a false positive)."""
    from storydesk.eval.dates import evaluate_dates

    several = len(files) > 1
    results = []
    with _tracking(quiet) as progress:
        for file in files:
            results.append(evaluate_dates(
                file, _per_file(predictions, file, several), baseline, limit, progress, _per_file(compare, file, several),
            ))
    _print_results(results, table)


@eval_app.command("timex")
def eval_timex(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A folder of TimeML .tml files.")],
    predictions: Annotated[Optional[Path], typer.Option(help="Write one .tml per input file here, with our TIMEX3 tags.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N files.")] = None,
    quiet: Quiet = False,
) -> None:
    """Time expressions (TempEval-3): strict and relaxed span F1, value F1, type F1."""
    from storydesk.eval.timex import evaluate_timex

    with _tracking(quiet) as progress:
        result = evaluate_timex(directory, predictions, limit, progress)
    out.out(json.dumps(result))


@eval_app.command("quotes")
def eval_quotes(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="PolNeAR articles or CofeNet instances, JSONL(.gz).")],
    predictions: Annotated[Optional[Path], typer.Option(help="Write one prediction line per input line here.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N lines.")] = None,
    system: Annotated[Optional[QuoteSystem], typer.Option(help="tagger (the fine-tuned MiniLM mixed with the CRF), rules, learned (the CRF) or combined; default: the configured finder.")] = None,
    quiet: Quiet = False,
) -> None:
    """Quotes and speakers: exact span F1 per role (CofeNet format) or attribution pairs (article format)."""
    from storydesk.eval.quotes import evaluate_quotes

    with _tracking(quiet) as progress, _settings_checked():
        result = evaluate_quotes(file, predictions, limit, system=system.value if system else None, progress=progress)
    out.out(json.dumps(result))


@eval_app.command("clustering")
def eval_clustering(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL(.gz) of {doc_id, topic, event, text}.")],
    predictions: Annotated[Optional[Path], typer.Option(help="Write {doc_id, cluster} lines here.")] = None,
    online: Annotated[bool, typer.Option(help="Also place the documents one by one, as ingest does.")] = False,
    through_ingest: Annotated[bool, typer.Option(help="Ingest the documents in file order into a store through the pipeline and score its stories.")] = False,
    store: Annotated[Optional[Path], typer.Option(help="With --through-ingest: ingest into this store and keep it (default: a temporary one).")] = None,
    quiet: Quiet = False,
) -> None:
    """Story clustering (ECB+, or GVA stories with --through-ingest): BCubed precision, recall,
    F1, pairwise F1, cluster counts, beside plain TF-IDF average link."""
    from storydesk.eval.clustering import evaluate
    from storydesk.eval.ingested import evaluate_through_ingest

    with _tracking(quiet) as progress:
        if through_ingest:
            result = evaluate_through_ingest(file, predictions, store, progress)
        else:
            result = evaluate(file, predictions, online, progress)
    out.out(json.dumps(result))


@eval_app.command("dossier")
def eval_dossier(
    articles: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL(.gz) of {url, title, date, text, label}.")],
    facts: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="JSONL(.gz) of {label, date, city, killed, injured}.")],
    sample: Annotated[Optional[int], typer.Option(help="Only N incidents of two or more articles, and N lone articles, drawn by label.")] = None,
    store: Annotated[Optional[Path], typer.Option(help="Ingest into this store and keep it (default: a temporary one).")] = None,
    predictions: Annotated[Optional[Path], typer.Option(help="Write one line per scored incident here.")] = None,
    quiet: Quiet = False,
) -> None:
    """Dossiers on real stories (GVA): the incident's day, city, killed and injured found, false discrepancies."""
    from storydesk.eval.dossier import evaluate_dossiers

    with _tracking(quiet) as progress:
        result = evaluate_dossiers(articles, facts, sample, store, predictions, progress)
    out.out(json.dumps(result))


@eval_app.command("timelines")
def eval_timelines(
    articles: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL(.gz) of {date, source, text, label}.")],
    timelines: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="JSON of {label: [{date, sentences}]}.")],
    store: Annotated[Optional[Path], typer.Option(help="Ingest into this store and keep it (default: a temporary one).")] = None,
    quiet: Quiet = False,
) -> None:
    """Timelines of long stories (ML-Crisis, any language): each crisis's date F1 against the editors' timeline."""
    from storydesk.eval.timelines import evaluate_timelines

    with _tracking(quiet) as progress:
        result = evaluate_timelines(articles, timelines, store, progress)
    out.out(json.dumps(result))


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to bind; anything but loopback needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[Optional[str], typer.Option(help="Access token every request must carry.", envvar="STORYDESK_TOKEN")] = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="Where uploads are saved (default: storydesk-data beside the store).")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "info",
    allow_host: Annotated[Optional[list[str]], typer.Option(help="A host name clients reach the server by, besides loopback (repeatable; needs --token).")] = None,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """Serve the web app and the JSON API (/api/, docs at /docs) over the store. Requests must
    name 127.0.0.1, localhost or [::1] with the port as their Host, or an --allow-host name."""
    import ipaddress

    from storydesk.store import StoreError

    with _settings_checked():  # the web extra
        from storydesk.web import create_app
    import uvicorn

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not token:
        _fail(f"binding to {host} exposes the store beyond this machine: give --token (or STORYDESK_TOKEN)")
    if allow_host and not token:
        _fail("--allow-host serves the store under other names than loopback: give --token (or STORYDESK_TOKEN)")
    if not loopback and not allow_host:
        err.print("only requests to 127.0.0.1, localhost or [::1] are answered: name the public host with --allow-host")
    try:
        db, settings = _store_and_settings(ctx)
        application = create_app(db, settings=settings, token=token, data_dir=data_dir, port=port, allow_hosts=tuple(allow_host or ()))
    except StoreError as error:
        _fail(str(error))
    if token:
        err.print(f"open http://{host}:{port}/?token=… once in a browser; API clients send 'Authorization: Bearer <token>'")
    uvicorn.run(application, host=host, port=port, log_level=log_level)


class Engine(str, Enum):
    local = "local"
    dask = "dask"


@app.command()
def process(
    paths: Annotated[list[str], typer.Argument(metavar="INPUT...", help="Files, folders or globs: WARC, JSONL, JSON, feeds, folders of .txt/.html.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the Parquet part files (created if absent).")],
    engine: Annotated[Engine, typer.Option(help="local: a process pool; dask: a Dask cluster.")] = Engine.local,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of a running Dask scheduler (default: a LocalCluster).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (local pool or LocalCluster).")] = max(1, (os.cpu_count() or 2) - 1),
    analyse: Annotated[bool, typer.Option(help="Analyse each article (entities, quotes, dates, figures).")] = True,
    files_per_shard: Annotated[int, typer.Option(min=1, help="Single-document files (.txt, .html) per shard.")] = 100,
    quiet: Quiet = False,
) -> None:
    """Extract, fingerprint and analyse articles in parallel, without a store, into Parquet part
    files (`storydesk load` stores them). One shard per container file or group of files;
    re-running skips finished shards. Exit status 1 when anything failed."""
    with _settings_checked():  # the scale extra
        from storydesk import scale

    progress = _Progress(0, quiet, "articles")
    with progress:

        def on_shard(result: scale.ShardResult) -> None:
            progress.step(result.shard.inputs[0])
            progress.done += result.rows - len(result.problems)  # item_done counts each problem
            for problem in result.problems:
                progress.item_done("problem", problem)
            progress.bar.update(progress.task, done=progress.done)

        report = scale.process(
            paths, out_dir, engine=engine.value, workers=workers, scheduler=scheduler, analyse=analyse,
            files_per_shard=files_per_shard, on_plan=lambda n: progress.bar.update(progress.task, total=n), on_shard=on_shard,
        )
    out.print(
        f"{report.shards} shards: {report.done - report.reused} processed, {report.reused} already done, "
        f"{report.shards - report.done} failed; {report.rows} articles; {len(report.problems)} problems"
        + _skipped_note(report.skipped)
    )
    raise typer.Exit(1 if report.failed else 0)


@app.command()
def load(
    ctx: typer.Context,
    processed: Annotated[Path, typer.Argument(metavar="DIR", exists=True, file_okay=False, help="A `storydesk process` output folder.")],
    quiet: Quiet = False,
    db: StoreFile = None,
    config: ConfigFile = None,
) -> None:
    """Store processed articles: duplicates linked, each placed in its story, one transaction
    per article. Re-running is safe (content already stored is counted, not added)."""
    with _settings_checked():  # the scale extra
        from storydesk import scale

    desk = _desk(ctx)
    with _Progress(scale.count_rows(processed), quiet, "articles") as progress:

        def on_item(status: str, problem: IngestProblem | None) -> None:
            progress.step("load")
            progress.item_done(status, problem)

        report = desk.load(processed, on_item)
    out.print(_summary(report))
    raise typer.Exit(1 if report.failed else 0)
