"""Headlines: the publisher's given title before a line of text taken for one, completed where it
was cut short, without a close button's symbol or the site's name."""
from __future__ import annotations

import pytest

from storydesk.extract import extract
from storydesk.extract.headline import headline
from storydesk.model import Origin, RawDocument


@pytest.mark.parametrize(
    ("found", "given", "url", "site", "expected"),
    [
        ("Sign in to read more", "Two hurt in Elm Street shooting", None, None, "Two hurt in Elm Street shooting"),
        ("× Man pleads not guilty, bail set at $5 million", "Man pleads not guilty, ba", None, None,
         "Man pleads not guilty, bail set at $5 million"),
        (None, "Man charged after shooting - WXYZ TV7-WXYZ.com:News, weather & sports", "http://www.wxyz.com/s/1", None,
         "Man charged after shooting"),
        (None, "Woman charged in shooting at sports bar :: W", "https://www.wral.com/news/1", None,
         "Woman charged in shooting at sports bar"),
        (None, "Coroner named the man - Daily Courier | Smalltown", None, "Daily Courier", "Coroner named the man"),
        ("Treaty ratified - a sovereign decision", None, "https://example.com/a", "Example", "Treaty ratified - a sovereign decision"),
        ("× ", None, None, None, None),
        (None, "Man charged after shooting - Daily Courier", "http://[malformed/a", None, "Man charged after shooting - Daily Courier"),
        (None, "Teen hurt in crash at the fair - Kessel Times", "http://web.archive.org/web/2016/http://www.kessel.com/a", None,
         "Teen hurt in crash at the fair"),
        (None, "Father saves son, kills intruder - CBS News 8 - San Diego, CA News Station - KFMB Channel 8",
         "http://www.cbs8.com/story/1", None, "Father saves son, kills intruder"),
        (None, "2 teens shot in Phoenix, 1 killed - CBS 5 - KPHO", "http://www.cbs5az.com/story/1", None,
         "2 teens shot in Phoenix, 1 killed"),
        (None, "Shooting suspect in court - a hearing in WKRP case", "https://example.com/a", None,
         "Shooting suspect in court - a hearing in WKRP case"),  # a call sign's tail must be short; this one is the headline's
        (None, "Storm hits the valley - daily life is disrupted", "https://www.dailycourier.com/a", "Daily Courier",
         "Storm hits the valley - daily life is disrupted"),  # a clause, not the site's name
        ("Council passes budget", "var monthOff = xOff % yearImgWidth; var year = Math.floor(xOff)", None, None,
         "Council passes budget"),
    ],
)
def test_headline(found, given, url, site, expected):
    assert headline(found, given, url, site) == expected


def test_a_given_title_wins_over_a_player_prompt_above_the_text():
    text = "Please enable Javascript to watch this video\n\nPolice said two people were hurt in a shooting on Elm Street on Friday night."
    raw = RawDocument(origin=Origin("a.json"), content=text, format="text", title="Two hurt in Elm Street shooting", url="https://news.example/a/1")
    extraction = extract(raw)
    assert extraction.title == "Two hurt in Elm Street shooting"
    assert "Javascript" not in extraction.text
