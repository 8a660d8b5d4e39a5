"""Person names: cleaning what the model tagged, grouping the spellings of one person within an
article (full name, surname, transliteration variants) and across articles."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from storydesk.words import skeleton

FULL_NAME_SIMILARITY = 85.0  # rapidfuzz ratio of two full-name skeletons ("wladimir putin" ~ "vladimir putin")
SURNAME_SIMILARITY = 88.0  # ratio of two surname skeletons ("podoliak" ~ "podolyak")


def same_person(a: str, b: str) -> bool:
    """Whether two full names are spellings of one name (fuzzy on skeletons, surnames alike)."""
    ska, skb = skeleton(a), skeleton(b)
    if ska == skb:
        return True
    last_a, last_b = ska.split()[-1:], skb.split()[-1:]
    return (
        fuzz.ratio(ska, skb) >= FULL_NAME_SIMILARITY
        and bool(last_a and last_b)
        and fuzz.ratio(last_a[0], last_b[0]) >= SURNAME_SIMILARITY
    )


def surname_matches(single: str, full: str) -> bool:
    """Whether a one-word name is the surname of ``full``: its last word, or its first (family
    name first, "Kim" of "Kim Jong-un"), compared on skeletons."""
    sk = skeleton(single)
    words = skeleton(full).split()
    if not sk or len(words) < 2:
        return False
    return any(fuzz.ratio(sk, word) >= SURNAME_SIMILARITY for word in (words[-1], words[0]))


@dataclass
class PersonGroup:
    """The spellings of one person seen in an article, with the one chosen as canonical."""

    spellings: list[str] = field(default_factory=list)  # distinct, longest first
    mentions: list[str] = field(default_factory=list)  # every mention's name, in article order

    @property
    def canonical(self) -> str:
        """The most frequent full name (ties: the first seen), else the first name seen."""
        full = [n for n in self.mentions if len(n.split()) > 1] or self.mentions
        return max(full, key=lambda n: (full.count(n), -full.index(n)))

    @property
    def key(self) -> str:
        return "person:" + self.canonical.lower()


def group_names(names: list[str]) -> dict[str, PersonGroup]:
    """Each distinct cleaned name -> its person group: full names merged by fuzzy match, then
    one-word names joined to the unique full name they are the surname of."""
    groups: list[PersonGroup] = []
    by_name: dict[str, PersonGroup] = {}
    for name in sorted(set(names), key=lambda n: (-len(n.split()), names.index(n))):
        group = _home(name, groups)
        if group is None:
            group = PersonGroup()
            groups.append(group)
        group.spellings.append(name)
        by_name[name] = group
    for name in names:
        by_name[name].mentions.append(name)
    return by_name


def _home(name: str, groups: list[PersonGroup]) -> PersonGroup | None:
    """The existing group ``name`` belongs to, if exactly one fits."""
    if len(name.split()) > 1:
        fits = [g for g in groups if any(same_person(name, n) for n in g.spellings)]
    else:
        fits = [g for g in groups if any(_names_one_word(name, n) for n in g.spellings)]
    return fits[0] if len(fits) == 1 else None


def _names_one_word(single: str, name: str) -> bool:
    return surname_matches(single, name) or skeleton(single) == skeleton(name)


def link_persons(name: str, known: Iterable[tuple[str, str]]) -> str | None:
    """The key of the one known person (key, canonical name) that ``name`` names, else None."""
    one_word = len(name.split()) == 1
    fits = {
        key
        for key, known_name in known
        if (surname_matches(name, known_name) if one_word else same_person(name, known_name))
    }
    return fits.pop() if len(fits) == 1 else None
