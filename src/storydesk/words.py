"""Word helpers any stage may use (the bottom layer, beside ``model`` and ``vocab``): what a
word is, accents folded and a word's singular, so that outlets' wordings compare."""
from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # letters, with inner apostrophes and hyphens


def singular(word: str) -> str:
    """Lower-case, without a possessive, and English plural endings stripped: Harman's
    S-stemmer (1991). Written here because none of our dependencies ships a stemmer, and
    spaCy's lemmatiser needs a tagged Doc that stored analyses do not keep."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def fold_accents(text: str) -> str:
    """``text`` without diacritics ("Mikhaílo" -> "Mikhailo")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
