"""The seed story's dossier as a reader meets it, ingested through the Desk: it opens with what
the outlets dispute, names speakers only where the analysis knows them, counts articles and
outlets, states claims as propositions, and has a summary of sentences that stand alone."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storydesk.desk import Desk
from storydesk.model import Dossier
from storydesk.synthesise.render import SHOWN_STATEMENTS, who_said_what

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"
SPEAKER_KINDS = {"PERSON", "ORG", "NORP", "GPE"}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    with Desk(tmp_path_factory.mktemp("reader") / "seed.db") as opened:
        opened.ingest([str(EXAMPLES)])
        yield opened


@pytest.fixture(scope="module")
def dossier(desk: Desk) -> Dossier:
    return desk.dossier(1)


def test_the_dossier_opens_with_the_troop_dispute(desk: Desk, dossier: Dossier) -> None:
    markdown = desk.render_dossier(dossier, "md")
    sections = re.findall(r"^## (.+)$", markdown, re.MULTILINE)
    assert sections[:4] == ["Where the outlets disagree", "Summary", "Timeline", "Who said what"], sections
    troops = [d for d in dossier.disputes if "North Korean" in d.about]
    assert troops, [d.about for d in dossier.disputes]
    for dispute in troops:
        assert len(dispute.sides) >= 2 and all(side.citations and side.outlets for side in dispute.sides)
    claim = next(d for d in dossier.disputes if d.kind == "claim" and "troops" in d.about)
    assert {"denied", "not denied"} <= {side.says for side in claim.sides}
    lead = json.loads(desk.render_dossier(dossier, "json"))["disputes"]
    assert [d["about"] for d in lead] == [d.about for d in dossier.disputes]


def test_the_troop_claim_is_stated_as_the_proposition(dossier: Dossier) -> None:
    abouts = [claim.about for claim in dossier.claims]
    assert "North Korean troops are in Russia" in abouts, abouts
    assert not [about for about in abouts if about[0].islower() and about.split()[0] in ("either", "that", "and")]


def test_only_resolved_people_organisations_and_groups_speak(dossier: Dossier) -> None:
    said = who_said_what(dossier)
    shown = said.shared + [s for sp in said.speakers for s in sp.shown + sp.folded]
    assert shown and all(s.speaker and s.speaker_name for s in shown)
    names = {s.speaker_name.lower() for s in shown}
    assert not names & {"they", "those", "a statement", "unknown speaker", "republican"}
    assert all(dossier.quotes[i].speaker is None for s in said.unattributed for i in s.versions)


def test_statements_count_articles_and_outlets_and_fold_after_a_few(desk: Desk, dossier: Dossier) -> None:
    said = who_said_what(dossier)
    business = next(s for s in said.shared if "business" in s.text)
    assert len(business.articles) == 3 and len(business.versions) > 3
    markdown = desk.render_dossier(dossier, "md")
    assert "in 3 articles of unknown outlet" in markdown and "reported by 6 articles" not in markdown
    assert "5 articles from 1 outlet and 4 of unknown outlet" in markdown
    putin = next(sp for sp in said.speakers if sp.name == "Vladimir Putin")
    assert len(putin.shown) == SHOWN_STATEMENTS and putin.folded
    assert "paraphrased" in markdown and "(indirect)" not in markdown


def test_the_summary_stands_alone_and_holds_the_dispute(dossier: Dossier) -> None:
    sentences = [s.sentence for s in dossier.summary]
    assert sentences and all(s.citations for s in dossier.summary)
    openers = {"but", "and", "he", "she", "they", "it", "this", "however", "meanwhile"}
    assert not [s for s in sentences if s.split()[0].lower().strip(",") in openers], sentences
    assert any(re.search(r"\b(3,000|1,500)\b", s) or "troops" in s for s in sentences), sentences


def test_the_growing_troop_count_is_an_update_with_its_dates(dossier: Dossier) -> None:
    (update,) = [d for d in dossier.disputes if d.kind == "update"]
    assert update.told == "1,500 on 24 Oct 2024, some 3,000 on 25 Oct 2024, 10,000 expected"
    assert not [d for d in dossier.discrepancies if d.kind == "conflict" and "soldiers" in d.about]
    assert all(f.as_of for f in dossier.figures)
    thousands = next(f for f in dossier.figures if f.text == "thousands")
    assert thousands.upper and thousands.value < thousands.upper


def test_counts_say_articles_and_outlets_in_words(dossier: Dossier) -> None:
    from dataclasses import replace

    from storydesk.synthesise.render import carried_by

    named = replace(dossier, articles=[replace(a, outlet=f"Outlet {a.id % 2}", outlet_from="site") for a in dossier.articles])
    assert carried_by(named, [1, 2, 3]) == "3 articles from 2 outlets"
    assert carried_by(named, [1]) == "1 article from 1 outlet"
    assert carried_by(dossier, [1, 2]) == "2 articles of unknown outlet"
    assert set(dossier.coverage) == {"EFE", "article 1", "article 2", "article 4", "article 5"}
