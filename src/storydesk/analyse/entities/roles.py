"""Role phrases ("Russian President", "the former NATO Secretary-General", "Putin's advisor"):
found with a phrase matcher over the role vocabulary, read as a person's introduction (a title
or an apposition next to the name) or as a later reference resolved to a person of the article."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from storydesk import vocab
from storydesk.analyse.entities import gazetteer as gaz

# Roles held beside any office ("candidate", "nominee"): they rule out no other role, and are
# too loosely used ("the candidate" of several races) to be guessed from the latest name.
CAMPAIGN_CLASSES = frozenset({"candidate"})
_STOP_POS = frozenset({"VERB", "AUX", "ADP", "CCONJ", "SCONJ", "PRON", "PUNCT", "NUM"})
_EXTENDING_PREPS = frozenset({"of", "to", "for", "on", "at"})
_DEFINITE = frozenset({"the"})
_LIST_GLUE = frozenset({",", "and"})


@cache
def role_classes() -> dict[str, str]:
    """Role (lower case, as written) -> its class ("president" -> "leader")."""
    return {role: cls for role, cls in vocab.load_table("entity_roles.tsv")}


@cache
def role_words() -> frozenset[str]:
    """Every word of every role ("secretary", "general", "prime", "minister"...), lower case."""
    return frozenset(word for role in role_classes() for word in role.replace("-", " ").split())


@cache
def _matcher(vocabulary: Vocab) -> PhraseMatcher:
    matcher = PhraseMatcher(vocabulary, attr="LOWER")
    patterns = [Doc(vocabulary, words=_split_role(role)) for role in role_classes()]
    matcher.add("ROLE", patterns)
    return matcher


def _split_role(role: str) -> list[str]:
    """A role's words as spaCy tokenises them: hyphens apart ("secretary-general" -> 3 tokens)."""
    words: list[str] = []
    for word in role.split():
        parts = word.split("-")
        for i, part in enumerate(parts):
            words += ([part] if i == 0 else ["-", part])
    return words


@dataclass
class RolePhrase:
    """A role phrase in the text: token range, the role noun, its class and what qualifies it
    (countries as ISO codes, organisations as entity keys)."""

    start: int  # token index
    end: int  # token index, exclusive
    role: str
    role_class: str
    definite: bool
    qualifiers: set[str] = field(default_factory=set)


def find_role_phrases(doc: Doc, person_tokens: set[int]) -> list[RolePhrase]:
    """Every singular role phrase, widened to its modifiers on the left and an "of"/"to" phrase
    on the right, never across a person's name or a comma. Longest match wins."""
    phrases: list[RolePhrase] = []
    last_end = -1
    for _, start, end in sorted(_matcher(doc.vocab)(doc), key=lambda m: (m[1], -m[2])):
        head = doc[end - 1]
        if start < last_end or head.tag_ in ("NNS", "NNPS") or any(i in person_tokens for i in range(start, end)):
            continue
        if _modifies_other_noun(head, person_tokens):
            continue
        left = _left_edge(doc, start, person_tokens)
        right = _right_edge(doc, end, person_tokens)
        role = " ".join(t.lower_ for t in doc[start:end]).replace(" - ", "-")
        phrases.append(
            RolePhrase(left, right, role, role_classes().get(role, "official"), doc[left].lower_ in _DEFINITE)
        )
        last_end = end
    return phrases


def _modifies_other_noun(token: Token, person_tokens: set[int]) -> bool:
    """Whether a role word only modifies another noun ("the General Assembly", "a leader
    board"), rather than being the head of a role phrase or a title before a name."""
    return token.dep_ in ("compound", "amod") and token.head.i > token.i and token.head.i not in person_tokens


def _left_edge(doc: Doc, start: int, person_tokens: set[int]) -> int:
    """First token of the modifiers before a role noun: adjectives, names, "former", a
    possessive ("Putin's"), up to and including a determiner."""
    sentence_start = doc[start].sent.start
    i = start
    while i > sentence_start:
        token = doc[i - 1]
        if token.tag_ == "POS":  # "Putin's advisor": take the possessor and stop
            i -= 2
            break
        if (token.pos_ in _STOP_POS and token.text != "-") or token.is_space or i - 1 in person_tokens:
            break
        i -= 1
        if token.pos_ == "DET":
            break
    return max(i, sentence_start)


def _right_edge(doc: Doc, end: int, person_tokens: set[int]) -> int:
    """End of a role phrase widened by a following "of Russia" / "to the Ukrainian presidency"."""
    if end >= len(doc) or doc[end].lower_ not in _EXTENDING_PREPS:
        return end
    stop = doc[end].right_edge.i + 1
    for i in range(end, stop):
        if doc[i].text == "," or doc[i].is_space or i in person_tokens or doc[i].is_sent_start:
            return i if i > end + 1 else end
    return stop


def listed_together(phrases: list[RolePhrase], doc: Doc) -> set[int]:
    """Indexes (into ``phrases``, in text order) of role phrases listed next to another ("the
    president, the prime minister and the head of ..."): a set of officials, not one person."""
    listed: set[int] = set()
    for i in range(1, len(phrases)):
        if _adjacent(phrases[i - 1], phrases[i], doc):
            listed.update((i - 1, i))
    return listed


def _adjacent(first: RolePhrase, second: RolePhrase, doc: Doc) -> bool:
    between = doc[first.end : second.start]
    return 0 < len(between) <= 2 and all(t.lower_ in _LIST_GLUE for t in between)


@dataclass
class Profile:
    """What an article says a person is: role nouns, their classes, and qualifying countries/orgs."""

    roles: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    qualifiers: set[str] = field(default_factory=set)

    def add(self, phrase: RolePhrase) -> None:
        self.roles.add(phrase.role)
        self.classes.add(phrase.role_class)
        self.qualifiers |= phrase.qualifiers


def roles_agree(phrase: RolePhrase, profile: Profile) -> bool:
    """Whether a reference's role fits a person's described roles: the same noun, or "leader"
    for any role of the leader class ("the Kremlin leader" = "Russian President X")."""
    return phrase.role in profile.roles or (phrase.role == "leader" and "leader" in profile.classes)


def qualifiers_agree(phrase: RolePhrase, profile: Profile) -> bool:
    """Whether the countries/places a reference names fit the person's, and its other groups
    (a party) the person's, when both name some ("the Russian president" is not "Chinese
    President Xi"; "the Indiana governor" is not "the former New Mexico governor"; "the
    Democratic nominee" is not "Republican nominee Donald Trump")."""
    for kind in (_geographic, _affiliations):
        mine, theirs = kind(phrase.qualifiers), kind(profile.qualifiers)
        if mine and theirs and not mine & theirs:
            return False
    return True


def _geographic(qualifiers: set[str]) -> set[str]:
    return {q for q in qualifiers if q.startswith(("country:", "place:"))}


def _affiliations(qualifiers: set[str]) -> set[str]:
    """Groups that are not nationalities (those count as their country): parties, faiths."""
    return {q for q in qualifiers if q.startswith("group:") and not gaz.demonym_country(q.removeprefix("group:"))}


def conflicts(phrase: RolePhrase, profile: Profile) -> bool:
    """Whether the article's own description of a person rules out the reference: a role of
    another class ("Defense Minister X" is not "the Russian president") or another country.
    A candidacy rules out no office ("the former New Mexico governor" may be the candidate)."""
    offices = profile.classes - CAMPAIGN_CLASSES
    if offices and phrase.role_class not in offices:
        return True
    return not qualifiers_agree(phrase, profile)
