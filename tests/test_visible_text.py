"""visible_text: one block element per line, nothing hidden, never raises."""
from storydesk.extract.visible_text import visible_lines, visible_text


def test_blocks_become_lines_and_inline_text_stays_joined():
    page = """<html><head><title>Tab title</title></head><body>
      <nav><ul><li><a href="/">Home</a></li><li><a href="/w">World</a></li></ul></nav>
      <h1>A  headline</h1>
      <p>First <b>bold</b> paragraph,<br>after a break.</p>
      <table><tr><td>cell one</td><td>cell two</td></tr></table>
      <blockquote>Quoted words</blockquote>
    </body></html>"""
    assert visible_text(page).split("\n") == [
        "Home", "World", "A headline", "First bold paragraph,", "after a break.", "cell one", "cell two", "Quoted words",
    ]


def test_invisible_content_is_dropped():
    page = """<body><script>var x = "no";</script><style>p {}</style><noscript>Enable JS</noscript>
      <template><p>later</p></template><div hidden>hidden attr</div><p style="display: none">styled away</p>
      <input type="hidden" value="v"><p>Shown <!-- a comment -->text</p></body>"""
    assert visible_text(page) == "Shown text"


def test_streamed_react_segment_counts_as_visible():
    assert visible_text('<body><div hidden id="S:0"><p>Streamed body</p></div></body>') == "Streamed body"


def test_broken_or_empty_markup_never_raises():
    assert visible_text("") == ""
    assert visible_text("   ") == ""
    assert visible_text("<p>unclosed <div>nested <li>item") == "unclosed\nnested\nitem"
    assert visible_text('<?xml version="1.0" encoding="utf-8"?><html><body><p>xhtml</p></body></html>') == "xhtml"


def test_deep_nesting_does_not_hit_the_recursion_limit():
    page = "<div>" * 1500 + "deep" + "</div>" * 1500
    assert visible_text(page) == "deep"


def test_the_walk_can_stop_some_lines_after_the_headline() -> None:
    page = "<html><body><nav>Menu</nav><h1>Title</h1>" + "".join(f"<p>line {n}</p>" for n in range(50)) + "</body></html>"
    assert visible_lines(page, "Title", 3) == ["Menu", "Title", "line 0", "line 1", "line 2"]
    assert len(visible_lines(page, "No such headline", 3)) == 52
    assert len(visible_lines(page)) == 52
