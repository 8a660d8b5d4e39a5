"""The visible text of an HTML page, one block element per line.

This is the "text mode" view of a page: what a scraper that copies the rendered text gets,
furniture included. It feeds the text cleaner (``storydesk.extract.clean``) and its benchmark.
"""
from __future__ import annotations

import re

from lxml import etree, html
from lxml.etree import ParserError

# Elements whose content is never rendered as text.
_INVISIBLE_TAGS = frozenset(
    {"title", "meta", "link", "base", "script", "style", "noscript", "template", "svg", "math", "iframe", "object",
     "embed", "canvas", "select", "option", "datalist", "textarea", "input", "audio", "video",
     "map", "dialog"}
)
# Elements that start and end a line of their own.
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
     "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
     "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main",
     "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
     "thead", "tr", "ul", "menu", "noframes", "frameset"}
)
# React's streaming renderer ships content in <div hidden id="S:0"> and reveals it on load.
_STREAMED_SEGMENT = re.compile(r"^S:\d+$")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)


def visible_text(page: str | etree._Element) -> str:
    """The page's visible text, one block element per line; "" when the markup cannot be read.
    ``page`` is HTML or an element tree already parsed (read, never changed)."""
    return "\n".join(visible_lines(page))


def visible_lines(page: str | etree._Element, headline: str | None = None, after: int = 0) -> list[str]:
    """The page's visible lines; with a ``headline``, the walk stops ``after`` lines past the
    first line equal to it (what follows is not needed, and the walk is the costly part)."""
    root = page if isinstance(page, etree._Element) else parse_html(page)
    if root is None:
        return []
    lines = _LineCollector(headline, after)
    _walk(root, lines)
    return lines.finish()


def parse_html(page: str) -> html.HtmlElement | None:
    """Parse possibly broken HTML leniently (an XML declaration naming an encoding, which lxml
    refuses in a decoded string, is dropped); None when lxml finds nothing to parse. (The head is
    not dropped wholesale: with broken markup libxml2 may put body content in it.)"""
    if not page or not page.strip():
        return None
    try:
        # huge_tree lifts libxml2's nesting cap (256 levels), beyond which it silently drops text.
        parser = html.HTMLParser(huge_tree=True)
        return html.document_fromstring(_XML_DECLARATION.sub("", page, count=1), parser=parser)
    except (ParserError, ValueError, etree.LxmlError):
        return None


def _is_hidden(element: etree._Element) -> bool:
    """True for elements a browser would not render: invisible tags, ``hidden``, inline display:none."""
    if element.tag in _INVISIBLE_TAGS:
        return True
    if element.get("hidden") is not None and not _STREAMED_SEGMENT.match(element.get("id", "")):
        return True
    if element.get("type", "").lower() == "hidden":
        return True
    return bool(_HIDDEN_STYLE.search(element.get("style", "")))


def _walk(root: etree._Element, lines: _LineCollector) -> None:
    """Depth-first walk without recursion (pages nest deeper than Python's stack allows)."""
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack and not lines.enough:
        element, closing = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else None
        is_block = tag is not None and tag.lower() in _BLOCK_TAGS
        if closing:
            if is_block:
                lines.break_line()
            lines.add(element.tail)
            continue
        if tag is None or _is_hidden(element):  # comments, processing instructions, hidden parts
            if is_block:
                lines.break_line()
            lines.add(element.tail if element is not root else None)
            continue
        if is_block or tag.lower() == "br":
            lines.break_line()
        lines.add(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))


class _LineCollector:
    """Accumulates inline text pieces and cuts them into whitespace-normalised lines; ``enough``
    once ``after`` lines follow the first line equal to ``headline``."""

    def __init__(self, headline: str | None = None, after: int = 0) -> None:
        self._pieces: list[str] = []
        self._lines: list[str] = []
        self._headline, self._after = headline, after
        self._headline_at: int | None = None

    @property
    def enough(self) -> bool:
        return self._headline_at is not None and len(self._lines) > self._headline_at + self._after

    def add(self, text: str | None) -> None:
        if text:
            self._pieces.append(text)

    def break_line(self) -> None:
        line = _SPACES.sub(" ", "".join(self._pieces)).strip()
        if line:
            if self._headline_at is None and line == self._headline:
                self._headline_at = len(self._lines)
            self._lines.append(line)
        self._pieces.clear()

    def finish(self) -> list[str]:
        self.break_line()
        return self._lines
