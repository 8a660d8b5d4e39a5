"""How much of an article the analysis reads: all of it up to a limit, else its whole sentences
up to the limit. The rest is stored and shown, never parsed: spaCy's parse and our rules take
about 12 s and 570 MB for 100,000 characters, 62 s and 1.5 GB for 400,000 (en_core_web_sm,
one core), and spaCy refuses texts past a million characters outright (E088)."""
from __future__ import annotations

import re

MAX_ANALYSED_CHARS = 100_000  # 15,000 words: news articles are a tenth of it
SENTENCE_SEARCH = 20_000  # the last characters before the limit looked at for a sentence's end
# A sentence ends at a line's end, or after its final punctuation and closing quotes or brackets.
_SENTENCE_END = re.compile(r"\n|[.!?…][\"'”’)\]]*\s")


def analysed_part(text: str, limit: int | None = None) -> str:
    """``text`` when it is within ``limit`` characters (default MAX_ANALYSED_CHARS); else its
    longest start made of whole sentences within the limit, else of whole words, else the
    limit's characters."""
    limit = MAX_ANALYSED_CHARS if limit is None else limit
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [match.end() for match in _SENTENCE_END.finditer(head, max(0, limit - SENTENCE_SEARCH))]
    cut = ends[-1] if ends else head.rfind(" ") + 1
    return text[: cut or limit]
