"""clean_text: furniture out (each line recorded with its reason), every body line kept, fields
taken out of the body (title, dateline, agencies). Fixtures are made-up texts."""
from pathlib import Path

import pytest

from storydesk.extract.clean import clean_text

PARAGRAPHS = [
    "The city council approved the new budget on Tuesday after a debate that lasted well into the night.",
    "Opposition members argued that the spending plan leaves too little for schools and public transport.",
    "The mayor said the vote showed that the council could still agree on the things that matter most.",
    "A final reading of the budget is planned for next month, when the amendments will be voted on.",
]


def _article(head: list[str], tail: list[str], body: list[str] = PARAGRAPHS) -> str:
    return "\n\n".join(head + body + tail)


def _reasons(text: str) -> dict[str, str]:
    return {removed.text: removed.reason for removed in clean_text(text).removed}


def test_body_is_one_paragraph_per_line_without_blanks():
    result = clean_text(_article(["Council passes the city budget after a long night"], []))
    assert result.text.split("\n") == PARAGRAPHS
    assert result.title == "Council passes the city budget after a long night"


def test_repeated_headline_is_the_title_once():
    headline = "Council passes the city budget after a long night"
    result = clean_text(_article([headline, headline, headline], []))
    assert result.title == headline
    assert [r.reason for r in result.removed] == ["title", "repeated-title", "repeated-title"]
    assert headline not in result.text


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("HomeNewsLocal politics", "navigation"),
        ("Home > News > Local", "navigation"),
        ("Skip to main content", "navigation"),
        ("Síguenos en Instagram", "social-prompt"),
        ("Folgen Sie uns auf Facebook", "social-prompt"),
        ("Share this article", "social-prompt"),
        ("-", "separator"),
        ("* * *", "separator"),
        ("https://example.org/some/page", "url"),
        ("Please enable Javascript to watch this video", "media-player"),
        ("× 1 of 3 2 of 3 3 of 3", "photo-credit"),
        ("We have sent a confirmation email to {* data_emailAddress *}. Please check your email.", "account-prompt"),
        ("Thank you for registering!", "account-prompt"),
        ("Already a subscriber?", "account-prompt"),
        ("You are the owner of this article.", "account-prompt"),
        ("Close Get email notifications on Jo Reporter daily!", "account-prompt"),
        ("Whenever Jo Reporter posts new content, you'll get an email delivered to your inbox.", "account-prompt"),
        ("Sorry, this zipcode is not in our deliverable area for this subscription service.", "account-prompt"),
        ("Add a location to your Tweets", "account-prompt"),
        ("EMBED >More News Videos Deputies reported the shooting happened in the 5000 block of Aldine Bender Rd.", "media-player"),
        (
            "CLOSE Skip in Skip x Embed x Share Marlow police are searching for a man accused of firing shots into a"
            " bowling alley around 11:30 p.m. Tuesday. Their search took them across the county and into the next"
            " one, where deputies joined them late on Wednesday. Jo Reporter/The Marlow Courier",
            "media-player",
        ),
        ("Shots fired near the bridge pic.twitter.com/AbC12 — Jo Reporter (@joreports) February 4, 2017", "embedded-post"),
        ("Linked Articles Sheriff: A shooting last month could have killed a man", "teaser"),
        ("Message: * A friend wanted you to see this item from example.com: http://ex.am/1", "share-form"),
    ],
)
def test_head_furniture_is_removed_with_its_reason(line, reason):
    text = _article([line, "Council passes the city budget after a long night"], [])
    assert _reasons(text)[line] == reason
    assert clean_text(text).text.split("\n") == PARAGRAPHS


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("PREV Storm warning issued for the coast", "teaser"),
        ("NEXT Festival organisers expect record crowds", "teaser"),
        ("Lesen Sie auch: Neue Brücke eröffnet", "teaser"),
        ("Follow us on Google News", "social-prompt"),
        ("Suivez-nous sur Twitter", "social-prompt"),
        ("Source link", "source-link"),
        ("Tags", "tags"),
        ("Etiquetas: política, presupuesto", "tags"),
        ("RELATED ARTICLES", "related-heading"),
        ("Most Popular", "related-heading"),
        ("Noticias relacionadas", "related-heading"),
        ("Ähnliche Beiträge", "related-heading"),
        ("Videos zum Thema", "related-heading"),
        ("Mirá también", "related-heading"),
        ("相关新闻", "related-heading"),
        ("More Must-Reads From TIME", "related-heading"),
        ("【责任编辑：严玉洁】", "editor-credit"),
        ("Comentar", "comments"),
        ("Deine E-Mail-Adresse wird nicht veröffentlicht.", "comments"),
        ("Leave a Reply", "comments"),
        ("© 2024 Example Media. All rights reserved.", "copyright"),
        ("We use cookies to improve your experience on our website.", "cookie-notice"),
        ("Teilen Sie dies mit:", "social-prompt"),
        ("Möchten Sie den Artikel teilen?", "social-prompt"),
        ("Dir hat der Artikel gefallen? Jetzt teilen...", "social-prompt"),
        ("Jetzt Newsletter abonnieren", "social-prompt"),
        ("Example Gazette Newsletter", "social-prompt"),
        ("Receive new posts directly delivered to your inbox", "social-prompt"),
        ("The best stories of the week, delivered straight to your inbox every Friday.", "social-prompt"),
        ("Aktuelle Stories und die wichtigsten News direkt in dein Postfach!", "social-prompt"),
        ("Abonnieren Sie kostenlos den Example-Newsletter und bleiben Sie informiert.", "social-prompt"),
        ("Hinterlasse eine Antwort", "comments"),
        ("Comments are closed.", "comments"),
        ("Vos réactions (11)", "comments"),
        ("Das könnte dich auch interessieren:", "related-heading"),
        ("Für dich empfohlen", "related-heading"),
        ("Notas relacionadas", "related-heading"),
        ("Zobacz także", "related-heading"),
        ("Über den Autor", "author-box"),
        ("Über Jane Roe 257 Artikel", "author-box"),
        ("This entry was posted in News. Bookmark the permalink.", "post-footer"),
        ("Veröffentlicht in: Originalbeitrag", "post-footer"),
        ("Eingestellt von Jane um 21:11", "post-footer"),
        ("Der Beitrag wurde am Mittwoch, den 27. November 2019 veröffentlicht und unter Allgemein abgelegt.", "post-footer"),
        ("Bloggen auf WordPress.com.", "post-footer"),
        ("2 responses to “Council passes the city budget”", "comments"),
        ("Antworten", "comments"),
        ("Notify me of new posts by email.", "comments"),
        ("Die Inhalte dieser Website sind unter einer Creative Commons-Lizenz lizenziert.", "licence"),
        ("Dein Browser ist leider veraltet.", "browser-notice"),
        ("Deprecated: Assigning the return value of new by reference is deprecated in /www/index.php on line 12", "browser-notice"),
        ("Diese Website verwendet Cookies, damit wir dir die beste Nutzung bieten können.", "cookie-notice"),
        ("Die technische Speicherung oder der Zugang ist unbedingt erforderlich.", "cookie-notice"),
        ("Advertisement:", "advertisement"),
        ("Reklama", "advertisement"),
        ("Zurück zur Übersicht", "navigation"),
        ("Schon registriert? Hier einloggen", "account-prompt"),
        ("Immediate online access to all issues from 2019.", "account-prompt"),
        ("Hier weiterlesen", "teaser"),
        ("War der Artikel nützlich?", "feedback-prompt"),
        ("Was this article helpful?", "feedback-prompt"),
    ],
)
def test_tail_furniture_is_removed_with_its_reason(line, reason):
    text = _article(["Council passes the city budget after a long night"], [line])
    assert _reasons(text)[line] == reason
    assert clean_text(text).text.split("\n") == PARAGRAPHS


@pytest.mark.parametrize(
    "credit",
    [
        "Photo: Reuters/Jane Roe", "Foto: EFE", "Bild: AP/Max Muster", "The mayor at city hall – Jane Roe/Example Press",
        "Kuva: Jane Roe", "Das Rathaus am Abend. © Max Muster", "The mayor at city hall (REUTERS/Jane Roe)",
        "The mayor at city hall. Shutterstock.com",
    ],
)
def test_photo_credits_are_removed_inside_the_body(credit):
    body = PARAGRAPHS[:2] + [credit] + PARAGRAPHS[2:]
    text = _article(["Council passes the city budget after a long night"], [], body)
    assert _reasons(text)[credit] == "photo-credit"
    assert clean_text(text).text.split("\n") == PARAGRAPHS


@pytest.mark.parametrize("teaser", ["Lea más: El alcalde presenta el presupuesto", "Lesen Sie hier: Der Haushalt im Überblick"])
def test_a_link_to_another_article_inside_the_body_is_removed(teaser):
    body = PARAGRAPHS[:2] + [teaser] + PARAGRAPHS[2:]
    text = _article(["Council passes the city budget after a long night"], [], body)
    assert _reasons(text)[teaser] == "teaser"
    assert clean_text(text).text.split("\n") == PARAGRAPHS


def test_caption_repeated_before_its_credit_is_a_caption():
    head = ["Council passes the city budget after a long night", "The mayor, in her office", "The mayor, in her office – -/City Hall/dpa"]
    reasons = _reasons(_article(head, []))
    assert reasons["The mayor, in her office"] == "caption"
    assert reasons["The mayor, in her office – -/City Hall/dpa"] == "photo-credit"


def test_sub_headings_and_block_quote_with_speaker_line_are_kept():
    body = [
        PARAGRAPHS[0],
        "Schools left waiting",
        PARAGRAPHS[1],
        "We will not accept a budget that forgets the children of this city. Not this year, not ever.",
        "Maria Gonzalez",
        "Photo: Example Press",
        PARAGRAPHS[2],
        "\"A fair compromise\" hailed",
        PARAGRAPHS[3],
    ]
    result = clean_text(_article(["Council passes the city budget after a long night"], [], body))
    assert result.text.split("\n") == [line for line in body if not line.startswith("Photo:")]


def test_dateline_line_is_taken_into_its_field():
    result = clean_text(_article(["Council passes the city budget after a long night", "LISBON 3 Mar. () –"], []))
    assert result.dateline == "LISBON 3 Mar."
    assert _reasons(_article(["Budget passes after a long night", "LISBON 3 Mar. () –"], []))["LISBON 3 Mar. () –"] == "dateline"
    assert result.text.split("\n") == PARAGRAPHS


def test_dateline_fragment_and_agency_are_cut_from_the_first_paragraph():
    body = ["BERLIN (Reuters) - " + PARAGRAPHS[0]] + PARAGRAPHS[1:]
    result = clean_text(_article(["Council passes the city budget after a long night"], [], body))
    assert result.dateline == "BERLIN"
    assert result.agencies == ["Reuters"]
    assert result.text.split("\n") == PARAGRAPHS
    assert any(r.reason == "dateline" and r.text.startswith("BERLIN (Reuters)") for r in result.removed)


@pytest.mark.parametrize("opening, place", [
    ("CHICAGO — ", "CHICAGO"), ("DETROIT (WWJ) – ", "DETROIT"), ("MONCKS CORNER, S.C. (WCIV) -- ", "MONCKS CORNER"),
])
def test_a_place_in_capitals_before_a_dash_is_a_dateline(opening, place):
    body = [opening + PARAGRAPHS[0]] + PARAGRAPHS[1:]
    result = clean_text(_article(["Council passes the city budget after a long night"], [], body))
    assert result.dateline == place and result.agencies == []
    assert result.text.split("\n") == PARAGRAPHS


def test_a_headline_word_in_capitals_is_no_dateline():
    body = ["BREAKING — " + PARAGRAPHS[0]] + PARAGRAPHS[1:]
    assert clean_text(_article(["Council passes the city budget after a long night"], [], body)).dateline is None


def test_trailing_agency_signature_is_stripped_and_recorded():
    body = PARAGRAPHS[:-1] + [PARAGRAPHS[-1] + " AFP"]
    result = clean_text(_article(["Council passes the city budget after a long night"], [], body))
    assert result.agencies == ["AFP"]
    assert result.text.split("\n") == PARAGRAPHS
    assert any(r.reason == "agency-credit" and r.text == "AFP" for r in result.removed)


def test_page_menu_and_footer_around_the_body_are_removed():
    menu = ["News", "Sport", "Culture", "Weather", "Sign in"]
    footer = ["About us", "Contact", "Jobs", "Privacy policy"]
    result = clean_text(_article(menu + ["Council passes the city budget after a long night"], footer))
    assert result.text.split("\n") == PARAGRAPHS
    assert {r.reason for r in result.removed if r.text in menu} == {"navigation"}


def test_empty_text_gives_an_empty_extraction():
    result = clean_text("")
    assert result.text == "" and result.title is None and result.removed == []


SEEDS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def _seed(prefix: str) -> tuple[list[str], object]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    text = path.read_text(encoding="utf-8")
    return text.splitlines(), clean_text(text)


def _assert_body_kept(lines: list[str], result, first: int, last: int, dropped: set[int]) -> None:
    """Every non-blank line of the body span is in the clean text, except the ``dropped`` ones."""
    body = result.text
    for no in range(first, last + 1):
        line = lines[no - 1].strip()
        if line and no not in dropped:
            assert line.removesuffix(" EFE") in body, f"line {no} lost: {line[:60]}"


def test_seed_articles():
    lines, result = _seed("000")
    assert result.title.startswith("Putin defends the military agreement")
    assert result.dateline == "MADRID 25 Oct."
    assert (result.published.value, result.published.precision) == ("--10-25", "day-no-year")
    assert {r.line_no: r.reason for r in result.removed} == {
        1: "navigation", 3: "title", 5: "caption", 8: "photo-credit", 10: "teaser", 12: "dateline",
        26: "source-link", 28: "tags",
    }
    _assert_body_kept(lines, result, 14, 24, set())

    lines, result = _seed("001")
    assert (result.published.value, result.published.precision) == ("2024-10-24", "day")
    assert result.title == "Putin: 2000 Ukraine soldiers encircled in Kursk"
    assert {r.line_no: r.reason for r in result.removed}[8] == "photo-credit"
    assert "Wladimir Putin" in result.text.split("\n")  # the block quote's speaker line
    _assert_body_kept(lines, result, 3, 15, {8})

    lines, result = _seed("002")
    assert result.published.value is None
    assert result.agencies == ["EFE"]
    removed = {r.line_no: r.reason for r in result.removed}
    assert [removed[no] for no in (1, 3, 4)] == ["title", "repeated-title", "repeated-title"]
    assert [removed[no] for no in (27, 30, 32, 33)] == ["social-prompt", "separator", "teaser", "teaser"]
    assert result.text.split("\n")[-1].endswith("called for their lifting.")
    _assert_body_kept(lines, result, 6, 24, set())

    lines, result = _seed("003")
    assert result.published.value in ("2024-10-24", "--10-24")
    assert any(r.source.startswith("page-header") for r in result.published.rejected)
    removed = {r.line_no: r.reason for r in result.removed}
    assert removed[1] == "page-date-header" and removed[2] == "navigation"
    assert removed[24] == removed[26] == "related-heading"
    _assert_body_kept(lines, result, 6, 22, set())

    lines, result = _seed("004")
    assert result.published.value is None
    removed = {r.line_no: r.reason for r in result.removed}
    assert removed[38] == "url" and removed[45] == "social-prompt" and removed[50] == removed[51] == "teaser"
    assert "Against US hegemony" in result.text.split("\n")
    _assert_body_kept(lines, result, 6, 42, {38})


def test_a_station_call_sign_is_no_dateline():
    body = ["WJAX - " + PARAGRAPHS[0]] + PARAGRAPHS[1:]
    assert clean_text(_article(["Council passes the city budget after a long night"], [], body)).dateline is None


def test_a_line_removed_twice_is_one_record_with_its_whole_text():
    from storydesk.extract.clean import _one_per_line
    from storydesk.model import RemovedLine

    merged = _one_per_line([RemovedLine(3, "x", "navigation"), RemovedLine(1, "HOUSTON —", "dateline"),
                            RemovedLine(1, "From the parade of cars", "page-footer")])
    assert merged == [RemovedLine(1, "HOUSTON — From the parade of cars", "page-footer"), RemovedLine(3, "x", "navigation")]


HEADLINE = "Council passes the city budget after a long night"


def test_a_caption_toggle_glued_to_the_headline_and_lead_leaves_the_lead_alone():
    # A station page flattened to one line: headline, caption toggle, caption, section label, the
    # headline again and the lead, which the next paragraph repeats.
    glued = (f"{HEADLINE} [ ] Hide Caption [ ] Show Caption The mayor in her office on Tuesday in Washington, D.C. "
             f"Local News {HEADLINE} {PARAGRAPHS[0]}")
    result = clean_text(_article([glued], []))
    assert result.text.split("\n") == PARAGRAPHS
    assert result.title == HEADLINE
    assert "The mayor in her office" not in result.text


def test_a_headline_glued_to_a_lead_seen_nowhere_else_is_cut_off_it():
    glued = f"{HEADLINE} [ ] Hide Caption [ ] Show Caption The mayor in her office. Local News {HEADLINE} {PARAGRAPHS[0]}"
    result = clean_text(_article([glued], [], PARAGRAPHS[1:]))
    assert result.text.split("\n") == PARAGRAPHS


def test_a_gallery_of_captions_glued_into_one_line_is_removed():
    captions = [f"Photos: Budget night – {sentence}" for sentence in PARAGRAPHS[1:]]
    gallery = " ".join(f"{caption} Hide Caption {number} of 3" for number, caption in enumerate(captions, 1))
    result = clean_text(_article([HEADLINE], [], PARAGRAPHS[:1] + [gallery] + PARAGRAPHS[1:]))
    assert result.text.split("\n") == PARAGRAPHS
    assert [(removed.text, removed.reason) for removed in result.removed if "Photos:" in removed.text] == [(gallery, "media-player")]


def test_a_headline_inside_a_sentence_is_not_cut_out_of_it():
    quoted = f"The article “{HEADLINE}” was read by many readers in the city council on the same evening."
    assert quoted in clean_text(_article([HEADLINE], [], PARAGRAPHS + [quoted])).text


def test_an_embedded_videos_description_however_long_is_removed():
    video = " ".join(PARAGRAPHS[1:]) + " Our reporter has the latest details. (Published Sunday, April 17, 2016)"
    result = clean_text(_article([HEADLINE], [], PARAGRAPHS[:1] + [video] + PARAGRAPHS[1:]))
    assert len(video.split()) > 40
    assert result.text.split("\n") == PARAGRAPHS


def test_a_gallery_of_captions_and_photo_credits_glued_into_one_line_is_removed():
    gallery = (f"Photo: Ann Lee, Daily Star Image 1 of / 3 Caption Close Image 1 of 3 {PARAGRAPHS[1]} {PARAGRAPHS[1]} "
               f"Photo: Ann Lee, Daily Star {PARAGRAPHS[2]} Photo: Bo Sun / Daily Star")
    result = clean_text(_article([HEADLINE], [], [PARAGRAPHS[0], gallery, *PARAGRAPHS[1:]]))
    assert result.text.split("\n") == PARAGRAPHS


def test_a_gallery_counted_image_by_image_in_one_line_is_removed():
    gallery = f"Image 1 of 2 {PARAGRAPHS[1]} Image 2 of 2 {PARAGRAPHS[2]} Image 3 of 3"
    result = clean_text(_article([HEADLINE], [], [PARAGRAPHS[0], gallery, *PARAGRAPHS[1:]]))
    assert result.text.split("\n") == PARAGRAPHS


def test_a_box_heading_glued_before_its_text_is_cut_off_it():
    result = clean_text(_article([HEADLINE], [], [f"What to Know {PARAGRAPHS[0]}", *PARAGRAPHS[1:]]))
    assert result.text.split("\n") == PARAGRAPHS


def test_a_quotation_mark_glued_to_the_next_sentence_gets_its_space_back():
    glued = 'The mayor said "we paid overtime."The suspects fled.“Go,” he said.'
    result = clean_text(_article([HEADLINE], [], [*PARAGRAPHS, glued]))
    assert result.text.split("\n")[-1] == 'The mayor said "we paid overtime." The suspects fled. “Go,” he said.'
    assert PARAGRAPHS[0] in result.text
    german = "Der Bürgermeister sagte: „Wir haben die Überstunden bezahlt.“Dann ging er nach Hause zurück."
    assert "„Wir haben die Überstunden bezahlt.“ Dann ging er" in clean_text(_article([HEADLINE], [], [*PARAGRAPHS, german])).text


def test_a_caption_after_its_toggle_runs_on_across_its_photo_credit():
    glued = (f"{HEADLINE} [ ] Hide Caption [ ] Show Caption (Photo: Ann Lee / @annlee / Twitter) "
             f"Local News {HEADLINE} {PARAGRAPHS[0]}")
    assert clean_text(_article([glued], [], PARAGRAPHS[1:])).text.split("\n") == PARAGRAPHS



LONG_BODY = PARAGRAPHS + [
    "Schools will receive a small increase, which the opposition called too little to repair old buildings.",
    "Bus fares stay the same for another year, and two new night lines will start running in the spring.",
    "The council also set aside money for a study of flooding along the river after last winter's storms.",
    "Residents can comment on the plan at three public meetings before the final vote is taken next month.",
]
TEASER = (  # longer than a boundary's penalty: the best run alone would take it in
    "The regional transport authority has published a long report on the state of the bus and tram"
    " network, which finds that delays have grown in every district over the past five years and that"
    " the ageing fleet needs replacing before the end of the decade."
)


def test_a_related_heading_after_most_of_the_body_ends_it_though_long_teasers_follow():
    text = _article(["Council passes the city budget after a long night"], ["Related coverage", TEASER], LONG_BODY)
    assert clean_text(text).text.split("\n") == LONG_BODY
    assert _reasons(text)["Related coverage"] == "related-heading"
    assert _reasons(text)[TEASER] == "page-footer"


def test_a_related_heading_above_most_of_the_body_does_not_end_it():
    body = LONG_BODY[:3] + ["Related coverage"] + LONG_BODY[3:]
    result = clean_text(_article(["Council passes the city budget after a long night"], [], body))
    assert result.text.split("\n") == LONG_BODY


def test_an_author_box_ends_the_body():
    bio = "Jane Roe has covered city hall for the Example Gazette since 2015 and writes about budgets, housing and the people who run the city."
    result = clean_text(_article(["Council passes the city budget after a long night"], ["About the author", bio]))
    assert result.text.split("\n") == PARAGRAPHS


def test_a_cookie_banner_longer_than_other_furniture_is_removed():
    banner = (
        "We use cookies and similar technologies to improve your browsing experience, personalise content"
        " and offers, show targeted ads, analyse traffic and better understand where our visitors come"
        " from. By clicking accept or continuing to use the site you agree to this; you can change your"
        " choice at any time in the settings of your browser or on our privacy page."
    )
    text = _article([banner, "Council passes the city budget after a long night"], [])
    assert _reasons(text)[banner] == "cookie-notice"
    assert clean_text(text).text.split("\n") == PARAGRAPHS


def test_a_copyright_line_with_the_sign_inside_is_a_copyright_line():
    assert _reasons(_article(["Council passes the city budget after a long night"], ["Copyright © 2015, Example Media, Inc."]))[
        "Copyright © 2015, Example Media, Inc."
    ] == "copyright"


def test_a_slideshow_inside_the_article_leaves_the_body_and_does_not_cut_it():
    slides = []
    for n in range(1, 13):
        slides += [f"{n}/12 Other story {n}", f"A caption of the picture of another story, number {n}, in a sentence of some words.", "Getty Images"]
    body = LONG_BODY[:4] + slides + LONG_BODY[4:]
    result = clean_text(_article(["Council passes the city budget after a long night"], [], body))
    assert result.text.split("\n") == LONG_BODY
    assert {r.reason for r in result.removed if r.text.startswith(("A caption", "1/12", "12/12"))} == {"gallery"}
