"""One Markdown table of several benchmark files' results (``storydesk eval extraction|dates
--table``): per file, our F1 (P / R), each reference's F1, our ms per page and its ratio to the
timing reference's."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def set_name(file: str | Path) -> str:
    """A benchmark file's set name: its file name up to the first dot."""
    return Path(file).name.split(".")[0]


def results_table(results: list[dict[str, Any]]) -> str:
    """The results of ``evaluate_extraction`` or ``evaluate_dates`` over several files as one
    Markdown table; a reference that did not run on a file shows as a dash."""
    names = list(dict.fromkeys(name for result in results for name in result.get("references", {})))
    ratio_keys = list(dict.fromkeys(key for result in results for key in result if key.startswith("ms_ratio_to_")))
    header = ["set", "metric", "pages", "storydesk F1 (P / R)", *(f"{name} F1" for name in names), "ms/page"]
    header += [key.removeprefix("ms_").replace("_", " ") for key in ratio_keys]
    rows = [header, ["---"] * len(header)]
    for result in results:
        row = [set_name(result["file"]), _metric(result), str(result.get("pages", 0)), _ours(result)]
        references = result.get("references", {})
        row += [_f1(references[name]) if name in references else "-" for name in names]
        row.append(f"{result.get('ms_per_page', 0.0):.1f}")
        row += [f"{result[key]:.2f}" if key in result else "-" for key in ratio_keys]
        rows.append(row)
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def _metric(result: dict[str, Any]) -> str:
    if "all_pages" in result:
        return "dates (dated / all pages)"
    return f"{result.get('metric')} ({result.get('mode')})"


def _ours(result: dict[str, Any]) -> str:
    if not result.get("pages"):
        return "-"
    return f"**{_f1(result)}** ({result['precision']:.3f} / {result['recall']:.3f})"


def _f1(metrics: dict[str, Any]) -> str:
    """F1; for dates also the all-pages F1 after a slash."""
    strict = metrics.get("all_pages")
    return f"{metrics['f1']:.3f}" + (f" / {strict['f1']:.3f}" if strict else "")
