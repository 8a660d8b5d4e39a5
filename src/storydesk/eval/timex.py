"""TempEval-3 evaluation of time expressions over TimeML ``.tml`` files (TimeBank, AQUAINT).

Scores (micro-averaged over all files, the document-creation TIMEX3 excluded):
strict span P/R/F1 (identical extent), relaxed span P/R/F1 (any overlap, one-to-one), and
value and type F1 in the TempEval-3 way: attribute F1 = relaxed F1 x attribute accuracy over
the relaxed matches.
"""
from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from storydesk.analyse.timex import find_time_expressions
from storydesk.eval.metrics import f1
from storydesk.eval.runs import Track, untracked
from storydesk.model import TimeExpr

_TEXT = re.compile(r"(<TEXT>)(.*?)(</TEXT>)", re.S)
_DCT = re.compile(r"<DCT>\s*<TIMEX3[^>]*\bvalue=\"(\d{4})-?(\d\d)-?(\d\d)")
_MARKUP = re.compile(r"<(/?)(\w+)([^>]*)>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class GoldTimex:
    """A TIMEX3 of the gold annotation, with offsets into the tag-free text."""

    start: int
    end: int
    type: str
    value: str | None


@dataclass(frozen=True)
class TmlDocument:
    """The parts of a ``.tml`` file the evaluation needs."""

    anchor: date | None
    text: str  # TEXT content with tags removed and entities decoded
    gold: list[GoldTimex]
    raw: str


def read_tml(path: Path) -> TmlDocument:
    """Parse a TimeML file: the DCT, the plain TEXT and its gold TIMEX3 spans."""
    raw = path.read_text(encoding="utf-8")
    dct = _DCT.search(raw)
    anchor = date(int(dct[1]), int(dct[2]), int(dct[3])) if dct else None
    body = _TEXT.search(raw)
    text, gold = _strip_markup(body.group(2) if body else "")
    return TmlDocument(anchor, text, gold, raw)


def _strip_markup(markup: str) -> tuple[str, list[GoldTimex]]:
    """Plain text of inline TimeML, keeping the plain offsets of every TIMEX3."""
    pieces: list[str] = []
    length = 0
    gold: list[GoldTimex] = []
    open_timex: tuple[int, dict[str, str]] | None = None
    position = 0
    for m in _MARKUP.finditer(markup):
        pieces.append(markup[position : m.start()])
        length += m.start() - position
        position = m.end()
        if m.group(2) is None:  # an entity
            decoded = html.unescape(m.group())
            pieces.append(decoded)
            length += len(decoded)
        elif m.group(2) == "TIMEX3" and not m.group(1):
            open_timex = (length, dict(_ATTRIBUTE.findall(m.group(3))))
        elif m.group(2) == "TIMEX3" and open_timex:
            start, attributes = open_timex
            gold.append(GoldTimex(start, length, attributes.get("type", ""), attributes.get("value")))
            open_timex = None
    pieces.append(markup[position:])
    return "".join(pieces), gold


@dataclass
class Counts:
    """Match counts summed over files."""

    system: int = 0
    gold: int = 0
    strict: int = 0
    relaxed: int = 0
    value: int = 0
    type: int = 0

    def add(self, predicted: list[TimeExpr], gold: list[GoldTimex]) -> None:
        """Count strict and one-to-one relaxed matches, and equal values/types among the latter."""
        self.system += len(predicted)
        self.gold += len(gold)
        used: set[int] = set()
        for g in gold:
            match = next((i for i, p in enumerate(predicted) if i not in used and p.start < g.end and g.start < p.end), None)
            if match is None:
                continue
            used.add(match)
            p = predicted[match]
            self.relaxed += 1
            self.strict += (p.start, p.end) == (g.start, g.end)
            self.value += p.value == g.value
            self.type += p.type == g.type


def _scores(counts: Counts) -> dict[str, float]:
    """Strict/relaxed P, R, F1 and TempEval-3 attribute F1s."""
    out: dict[str, float] = {}
    for kind, matched in (("strict", counts.strict), ("relaxed", counts.relaxed)):
        precision = matched / counts.system if counts.system else 0.0
        recall = matched / counts.gold if counts.gold else 0.0
        out.update({f"{kind}_precision": precision, f"{kind}_recall": recall, f"{kind}_f1": f1(precision, recall)})
    for attribute in ("value", "type"):
        accuracy = getattr(counts, attribute) / counts.relaxed if counts.relaxed else 0.0
        out[f"{attribute}_f1"] = out["relaxed_f1"] * accuracy
    return {k: round(v, 4) for k, v in out.items()}


def evaluate_timex(
    directory: Path, predictions: Path | None = None, limit: int | None = None, progress: Track = untracked
) -> dict:
    """Score ``find_time_expressions`` on every ``.tml`` file in ``directory`` (sorted, the first
    ``limit``), resolving against each file's DCT; write TempEval-3 system files to ``predictions``;
    report each file to ``progress``."""
    files = sorted(Path(directory).glob("*.tml"))[:limit]
    counts = Counts()
    elapsed = 0.0
    if predictions:
        Path(predictions).mkdir(parents=True, exist_ok=True)
    for path in progress(files, len(files), "files"):
        document = read_tml(path)
        started = time.perf_counter()
        predicted = find_time_expressions(document.text, document.anchor)
        elapsed += time.perf_counter() - started
        counts.add(predicted, document.gold)
        if predictions:
            (Path(predictions) / path.name).write_text(system_tml(document, predicted), encoding="utf-8")
    return {
        "files": len(files),
        "gold": counts.gold,
        "system": counts.system,
        **_scores(counts),
        "ms_per_file": round(1000 * elapsed / len(files), 3) if files else 0.0,
        "attribute_f1_definition": "relaxed F1 x attribute accuracy over relaxed matches (TempEval-3)",
    }


def system_tml(document: TmlDocument, predicted: list[TimeExpr]) -> str:
    """The input file with its TEXT replaced by the plain text carrying our TIMEX3 tags only
    (EVENT and SIGNAL tags are dropped: the TempEval-3 scorer reads TIMEX3 only)."""
    parts: list[str] = []
    position = 0
    for number, timex in enumerate(predicted, start=1):
        attributes = f'tid="t{number}" type="{timex.type}" value={quoteattr(timex.value or "")}'
        if timex.mod:
            attributes += f' mod="{timex.mod}"'
        parts.append(escape(document.text[position : timex.start]))
        parts.append(f"<TIMEX3 {attributes}>{escape(timex.text)}</TIMEX3>")
        position = timex.end
    parts.append(escape(document.text[position:]))
    body = "".join(parts)
    return _TEXT.sub(lambda m: m.group(1) + body + m.group(3), document.raw, count=1)
