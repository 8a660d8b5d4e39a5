"""extract_html and publication_date on small hand-written pages."""
from __future__ import annotations

import json

import pytest

from storydesk.extract.html import extract_html
from storydesk.extract.html_dates import parse_day, publication_date

PARAGRAPHS = [
    "The council voted on Tuesday to expand the northern tram line by six kilometres, a project "
    "expected to cost about 240 million euros and to be finished within four years.",
    "Supporters said the extension would cut commuting times for some 30,000 residents of the "
    "outer districts, many of whom now rely on crowded buses to reach the city centre.",
    "Opponents argued that the money should go first to repairing existing lines, several of which "
    "have been closed repeatedly over the past winter because of worn-out tracks and signals.",
    "The mayor said construction would begin next spring once the final environmental review "
    "is published and the contracts for the first section have been signed.",
]


def page(head: str = "", article_top: str = "", before: str = "") -> str:
    """A news page with navigation, a header, an article and a footer."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="en"><head><title>Council backs tram extension | City Post</title>
    <meta property="og:site_name" content="City Post">{head}</head><body>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
    {before}
    <main><article><h1>Council backs tram extension</h1>{article_top}
    <p class="byline">By <span class="author">Jane Doe</span></p>
    <h2>A long-debated plan</h2>{body}</article></main>
    <footer><p>Follow us on social media</p><p>Copyright 2024 City Post. All rights reserved.</p></footer>
    </body></html>"""


def json_ld(published: str, modified: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council backs tram extension",
            "datePublished": published, "dateModified": modified}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_body_keeps_paragraphs_and_headings_without_furniture() -> None:
    extraction = extract_html(page(), url="https://citypost.example/2024/06/18/tram")
    lines = extraction.text.split("\n")
    assert "A long-debated plan" in lines
    assert all(p in lines for p in PARAGRAPHS)
    assert "Follow us" not in extraction.text and "Sport" not in lines
    assert extraction.title == "Council backs tram extension"
    assert extraction.site == "City Post"
    assert extraction.url == "https://citypost.example/2024/06/18/tram"
    assert extraction.language is None


def test_json_ld_published_wins_over_modified() -> None:
    html = page(head=json_ld("2024-06-18T09:30:00+02:00", "2024-06-20T11:00:00+02:00"))
    found = publication_date(html)
    assert (found.value, found.precision) == ("2024-06-18", "day")
    assert found.evidence[0].source == "json-ld:datePublished"
    assert any(r.source == "json-ld:dateModified" and "2024-06-20" in r.text for r in found.rejected)
    assert extract_html(html).published.value == "2024-06-18"


def test_meta_published_time_over_modified_time() -> None:
    head = ('<meta property="article:modified_time" content="2024-07-02T08:00:00Z">'
            '<meta property="article:published_time" content="2024-06-30T08:00:00Z">')
    found = publication_date(page(head=head))
    assert found.value == "2024-06-30"
    assert found.evidence[0].source == "meta:article:published_time"
    assert [r.source for r in found.rejected] == ["meta:article:modified_time"]


def test_time_pubdate_element() -> None:
    found = publication_date(page(article_top='<time pubdate datetime="2024-06-18">18 June 2024</time>'))
    assert found.value == "2024-06-18"
    assert found.evidence[0].source == "time:pubdate"


def test_article_date_beats_page_header_date() -> None:
    header = '<div class="topbar">Sunday, November 24, 2024</div>'
    top = '<time itemprop="datePublished" datetime="2024-10-24T10:00:00">24 October 2024</time>'
    found = publication_date(page(article_top=top, before=header))
    assert found.value == "2024-10-24"
    assert found.evidence[0].source == "itemprop:datePublished"


def test_article_time_beats_page_header_date_without_metadata() -> None:
    header = '<div class="topbar">Sunday, November 24, 2024</div>'
    top = '<time datetime="2024-10-24T10:00:00">24 October 2024</time>'
    found = publication_date(page(article_top=top, before=header))
    assert found.value == "2024-10-24"
    assert found.evidence[0].source.startswith("visible-text:")
    assert found.evidence[0].text == "24 October 2024"


def test_page_header_date_alone_is_not_a_publication_date() -> None:
    assert publication_date(page(before='<div class="topbar">Sunday, November 24, 2024</div>')).value is None


def test_no_date_clue_gives_no_date() -> None:
    assert publication_date(page()).value is None


@pytest.mark.parametrize("raw, expected", [
    ("2024-06-18T09:30:00-04:00", "2024-06-18"),
    ("20240618", "2024-06-18"),
    ("18 June 2024", "2024-06-18"),
    ("Wed, 04 May 2022 00:25:56 GMT", "2022-05-04"),
    ("Tue Jan 28 15:28:56 CET 2020", "2020-01-28"),
    ("2024 Jun 30", "2024-06-30"),
    ("Thu, 09/25/2025 - 11:38", "2025-09-25"),
    ("Veröffentlicht: 30.07.2019 09:35 Uhr", "2019-07-30"),
    ("Last Updated Nov 6, 2025", None),  # a modification date under a publication key
    ("06/07/2024", None),  # day and month order unknown: refused, not guessed
    ("2024-13-45", None),
    ("1970-01-01", None),  # before news on the web
])
def test_parse_day(raw: str, expected: str | None) -> None:
    day = parse_day(raw)
    assert (day.isoformat() if day else None) == expected


@pytest.mark.parametrize("html", [
    "",
    "   ",
    "<html><body><p>Unclosed <b>tags <div><article><p>Still going",
    "\x00\x01\x02 binary \xff garbage",
    "{\"not\": \"html\"}",
    "<?xml version='1.0' encoding='utf-8'?><root><x/></root>",
])
def test_never_raises_on_bad_input(html: str) -> None:
    extraction = extract_html(html)
    assert isinstance(extraction.text, str)
    assert publication_date(html).value is None


def test_broken_html_still_gives_the_article() -> None:
    broken = page().replace("</p>", "").replace("</article>", "").replace("</main>", "")
    text = extract_html(broken).text
    assert PARAGRAPHS[0][:60] in text and PARAGRAPHS[-1][:60] in text


def test_the_page_is_parsed_once_and_the_date_read_from_that_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    from storydesk.extract import html as html_module
    from storydesk.extract import html_dates

    parses = []
    real_parse = html_module.load_html
    monkeypatch.setattr(html_module, "load_html", lambda markup: parses.append(1) or real_parse(markup))
    monkeypatch.setattr(html_dates, "parse_html", lambda markup: pytest.fail("the date search parsed the page again"))
    extraction = extract_html(page(head='<meta property="article:published_time" content="2024-06-18T09:30:00Z">'))
    assert len(parses) == 1
    assert extraction.published.value == "2024-06-18" and PARAGRAPHS[0] in extraction.text


def test_an_author_inside_the_comments_is_not_the_articles() -> None:
    comments = '<div class="comments"><span class="author">Troll Commenter</span> said: nice</div>'
    assert extract_html(page().replace("<footer>", comments + "<footer>")).author == "Jane Doe"
    no_byline = page().replace('<p class="byline">By <span class="author">Jane Doe</span></p>', "")
    assert extract_html(no_byline.replace("<footer>", comments + "<footer>")).author is None
    # a pruned part's text inside a byline is left out of the name
    tagged = page().replace('<span class="author">Jane Doe</span>',
                            '<span class="author">Jane Doe <span class="category">Transport Desk</span></span>')
    assert extract_html(tagged).author == "Jane Doe"


def test_the_baseline_runs_only_when_it_could_be_long_enough_to_win(monkeypatch: pytest.MonkeyPatch) -> None:
    from storydesk.extract import html as html_module

    calls = []
    real = html_module._baseline_text
    monkeypatch.setattr(html_module, "_baseline_text", lambda tree: calls.append(1) or real(tree))
    tree = html_module._parse(page())
    full = "\n".join(PARAGRAPHS)
    assert html_module._body_text(tree, full) == full
    assert calls == []  # the article is most of the page: the baseline cannot be 2.5 times longer
    assert PARAGRAPHS[-1] in html_module._body_text(tree, "A lone teaser line.")
    assert calls == [1]  # a far shorter main text gives way to the baseline's


def test_furniture_the_extractor_kept_is_taken_out() -> None:
    from storydesk.extract.html import _without_furniture

    body = [PARAGRAPHS[0], "Read also: Tram fares to rise in May", *PARAGRAPHS[1:]]
    tail = ["Related articles", "Bus lanes open on the ring road", "Copyright 2024 City Post. All rights reserved."]
    assert _without_furniture("\n".join(body + tail)).split("\n") == [PARAGRAPHS[0], *PARAGRAPHS[1:]]
    # high up, a related heading is no end of the article (a list inside it), but a teaser still goes
    early = [PARAGRAPHS[0], "Related articles", "Read also: Tram fares to rise in May", *PARAGRAPHS[1:]]
    assert _without_furniture("\n".join(early)).split("\n") == [PARAGRAPHS[0], "Related articles", *PARAGRAPHS[1:]]


def test_open_graph_published_time_comes_before_json_ld() -> None:
    head = json_ld("2024-06-17T23:30:00Z", "2024-06-20T11:00:00Z") + '<meta property="article:published_time" content="2024-06-18T01:30:00+02:00">'
    found = publication_date(page(head=head))
    assert found.value == "2024-06-18" and found.evidence[0].source == "meta:article:published_time"
    assert any(r.source == "json-ld:datePublished" for r in found.rejected)


def test_a_full_date_in_the_url_path_comes_first_and_the_metadata_it_contradicts_is_rejected() -> None:
    html = page(head='<meta property="article:published_time" content="2024-06-19T01:30:00Z">')
    found = publication_date(html, url="https://citypost.example/news/2024/06/18/tram-extension")
    assert found.value == "2024-06-18" and found.evidence[0].source == "url:path"
    assert any(r.source == "meta:article:published_time" for r in found.rejected)
    assert publication_date(html, url="https://citypost.example/news/20240618-tram").value == "2024-06-18"
    for url in ("https://citypost.example/2024/06/tram", "https://citypost.example/a/2024/02/30/x", None):
        assert publication_date(html, url=url).value == "2024-06-19"  # no full, real day in the path


def test_a_page_opening_with_an_xml_declaration_is_still_dated() -> None:
    html = '<?xml version="1.0" encoding="iso-8859-1"?>' + page(head=json_ld("2024-06-18", "2024-06-20"))
    assert publication_date(html).value == "2024-06-18"


def test_a_date_line_just_above_the_headline_dates_the_article() -> None:
    html = page().replace("<h1>", '<p class="kicker">24. April 2020 | Press releases</p><h1>')
    found = publication_date(html)
    assert found.value == "2020-04-24"
    assert found.evidence[0].source == "visible-text:line"


def test_a_long_headline_does_not_end_the_article_head() -> None:
    headline = ("Council backs the tram extension to the northern districts after a debate that lasted "
                "well into the night and split every party in the chamber")
    html = page(article_top='<p class="meta">18 June 2024</p>').replace("Council backs tram extension</h1>", f"{headline}</h1>")
    found = publication_date(html)
    assert (found.value, found.evidence[0].source) == ("2024-06-18", "visible-text:line")


def test_the_headline_and_a_date_line_above_the_prose_leave_the_body() -> None:
    html = page(article_top='<p class="meta">18 June 2024 09:30</p>').replace(
        "<main><article><h1>", "<main><article><p>Council backs tram extension</p><h1>")
    extraction = extract_html(html)
    assert extraction.title == "Council backs tram extension"
    assert "Council backs tram extension" not in extraction.text.split("\n")
    assert "18 June 2024 09:30" not in extraction.text
    assert PARAGRAPHS[0] in extraction.text.split("\n")


def test_a_slideshow_of_other_stories_leaves_the_body() -> None:
    slides = "".join(f"<li>{n}/12 Other story number {n} in pictures and a few words</li>" for n in range(1, 13))
    html = page().replace("</article>", f"<h2>Business news in pictures</h2><ul>{slides}</ul></article>")
    text = extract_html(html).text
    assert "Other story number" not in text
    assert all(p in text.split("\n") for p in PARAGRAPHS)


@pytest.mark.parametrize("published, expected", [
    ("2023-11-09T06:35:29+00:00", "2023-11-08"),  # UTC, a day after the page's line: the line's day
    ("2023-11-09T06:35:29-08:00", "2023-11-09"),  # in the publisher's zone: the metadata's day
])
def test_the_heads_date_line_a_day_before_a_utc_time_is_the_publishers_day(published: str, expected: str) -> None:
    head = f'<meta property="article:published_time" content="{published}">'
    found = publication_date(page(head=head, article_top="<p>Posted: Nov 8, 2023 / 10:35 PM PST</p>"))
    assert found.value == expected
    if expected == "2023-11-08":
        assert found.evidence[0].source == "visible-text:line:published"
        assert found.rejected[0].source == "meta:article:published_time"
