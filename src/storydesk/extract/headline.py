"""An article's headline as a reader wants it: the publisher's title given with the document
rather than a line of the text taken for one, without a close button's "×" before it or the
site's name after it ("... charged after shooting - WECT TV6-WECT.com:News, weather & sports")."""
from __future__ import annotations

import re

from storydesk.model import registered_domain

# Where a site's name is joined to a headline: " - ", " | ", " · ", " :: ".
SEPARATOR = re.compile(r"\s+(?:[-–—|·•]|::)\s+")
DOMAIN = re.compile(r"\b[\w-]+\.(?:com|net|org|tv|us|news|co\.uk)\b", re.IGNORECASE)
LEADING_SYMBOLS = re.compile(r"^[^\w\"“‘'(¿¡]+")
WORD = re.compile(r"\w+")
HEADLINE_WORDS = 3  # the fewest words a headline keeps when a site's name is cut from it
SITE_WORDS = 12  # the most words of a tail that a station's call sign marks as the site's name
NAME_SHARE = 0.7  # the share of capitalised words that makes a tail read as a name
CALL_SIGN = re.compile(r"\b[KW][A-Z]{3}\b")  # a US broadcaster's: KFMB, WSMV
CODE = re.compile(r"[{}=]|//|\b(?:var|function)\b")  # a script's text left in a page is no headline


def headline(found: str | None, given: str | None, url: str | None, site: str | None) -> str | None:
    """The headline from the title found in the page or text and the one given with it (a JSON
    field, a feed entry): the given one, unless the one found completes it (a given title cut
    short: "... pleads not guilty, ba"), without leading symbols or a trailing site name; a
    script's text is no title."""
    given, found = (None if text is None or _is_code(text) else text for text in (given, found))
    title = _completed(given, found) if given else found
    if not title:
        return None
    return _without_site(LEADING_SYMBOLS.sub("", title).strip(), _site_names(url, site)) or None


def _is_code(text: str) -> bool:
    """Whether a line is a script's text ("var year = Math.floor(xOff / yearImgWidth);")."""
    return CODE.search(text) is not None


def _completed(given: str, found: str | None) -> str:
    """``found`` when it starts with every word of ``given`` but a last one cut short, and goes on."""
    given_words, found_words = _words(given), _words(found or "")
    head, last = given_words[:-1], given_words[-1:] or [""]
    completes = found_words[: len(head)] == head and len(found_words) > len(given_words)
    return found if found and completes and found_words[len(head)].startswith(last[0]) else given


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _site_names(url: str | None, site: str | None) -> list[str]:
    """How the site may be named after a headline: its registered domain's first label ("wect" of
    www.wect.com, also of an archive's copy of it) and its site name, lower-cased."""
    label = (registered_domain(url) or "").split(".")[0]
    return [name for name in (label, (site or "").lower()) if name]


def _without_site(title: str, names: list[str]) -> str:
    """The title cut at the first separator after which the rest names the site (a domain, its
    host's label, its site name, or the start of one, where the title was cut short)."""
    for separator in SEPARATOR.finditer(title):
        head, tail = title[: separator.start()], title[separator.end() :]
        if len(_words(head)) >= HEADLINE_WORDS and _names_site(tail, names):
            return head.strip()
    return title


def _name_like(text: str) -> bool:
    """Whether most words are capitalised or numbers, as in a name ("San Diego, CA News Station -
    KFMB Channel 8"), not a headline's clause ("a hearing in WKRP case")."""
    words = WORD.findall(text)
    return sum(word[0].isupper() or word[0].isdigit() for word in words) >= NAME_SHARE * len(words)


def _names_site(tail: str, names: list[str]) -> bool:
    """Whether what follows a separator names the site: a domain, its host's label or site name
    (or the start of one, the title cut short), a station's call sign in a short tail that reads
    as a name ("CBS 5 - KPHO"), or a name that starts with the host's label written with spaces
    ("CBS 5" of cbs5az.com)."""
    words = _words(tail)
    if DOMAIN.search(tail) or any(name in words or name in tail.lower() for name in names if len(name) > 2):
        return True
    if len(words) <= SITE_WORDS and CALL_SIGN.search(tail) and _name_like(tail):
        return True
    compact = "".join(words)
    if _name_like(tail) and any(len(name) >= 4 and compact.startswith(name[:4]) for name in names):
        return True
    return len(words) == 1 and any(name.startswith(words[0]) for name in names)
