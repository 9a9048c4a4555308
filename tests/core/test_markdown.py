"""Markdown rendering: every XSS vector comes out inert, and ordinary Markdown still works."""

import pytest

from portal.core.markdown import plain_excerpt, quote_markdown, render_markdown
from tests.xss_corpus import XSS_VECTORS, assert_inert_html

REL = 'rel="nofollow ugc noopener"'


@pytest.mark.parametrize("vector", XSS_VECTORS, ids=[f"v{i:03d}" for i in range(len(XSS_VECTORS))])
def test_xss_vector_renders_inert(vector: str) -> None:
    assert_inert_html(render_markdown(vector))


@pytest.mark.parametrize("vector", XSS_VECTORS, ids=[f"v{i:03d}" for i in range(len(XSS_VECTORS))])
def test_xss_vector_renders_inert_inside_markdown(vector: str) -> None:
    assert_inert_html(render_markdown(f"# Title\n\nSome *text* {vector} more\n\n- item {vector}\n"))


def test_corpus_is_large_and_distinct() -> None:
    assert len(XSS_VECTORS) >= 60
    assert len(set(XSS_VECTORS)) == len(XSS_VECTORS)


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[site](https://example.com/a?b=1)", "https://example.com/a?b=1"),
        ("[site](http://example.com)", "http://example.com"),
        ("[mail](mailto:board@example.com)", "mailto:board@example.com"),
        ("[rules](/forum/rules)", "/forum/rules"),
        ("[rules](rules#parking)", "rules#parking"),
        ("<https://example.com/auto>", "https://example.com/auto"),
    ],
)
def test_safe_links_survive_with_rel(source: str, href: str) -> None:
    html = render_markdown(source)
    assert f'<a href="{href}" {REL}>' in html


def test_link_title_is_kept() -> None:
    html = render_markdown('[site](https://example.com "Our site")')
    assert f'<a href="https://example.com" title="Our site" {REL}>site</a>' in html


@pytest.mark.parametrize(
    "source",
    ["[x](javascript:alert(1))", "[x](vbscript:msgbox(1))", "[x](data:text/html,hi)"],
)
def test_unsafe_link_is_not_a_link(source: str) -> None:
    assert "<a" not in render_markdown(source)


def test_images_keep_only_http_https_or_relative_sources() -> None:
    html = render_markdown(
        "![a](https://example.com/a.png) ![b](/static/b.png) ![c](mailto:x@example.com)"
    )
    assert '<img src="https://example.com/a.png" alt="a">' in html
    assert '<img src="/static/b.png" alt="b">' in html
    assert '<img alt="c">' in html


def test_raw_html_is_shown_as_text() -> None:
    html = render_markdown('<b>bold</b> <img src=x onerror="alert(1)">')
    assert "<b>" not in html
    assert "<img" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert '&lt;img src=x onerror="alert(1)"&gt;' in html


def test_template_syntax_stays_literal() -> None:
    assert render_markdown("{{7*7}} {% raw %}") == "<p>{{7*7}} {% raw %}</p>\n"


def test_emphasis_and_strikethrough_render() -> None:
    html = render_markdown("**bold** *it* ~~gone~~")
    assert html == "<p><strong>bold</strong> <em>it</em> <s>gone</s></p>\n"


def test_table_renders_with_alignment_but_no_style() -> None:
    html = render_markdown("| Name | Points |\n|:-----|-------:|\n| Ann | 120 |\n")
    assert "<table>" in html
    assert '<th align="left">Name</th>' in html
    assert '<td align="right">120</td>' in html
    assert "style" not in html


def test_fenced_code_renders_escaped() -> None:
    html = render_markdown("```python\nif a < b:\n    print('<hi>')\n```\n")
    assert html == "<pre><code>if a &lt; b:\n    print('&lt;hi&gt;')\n</code></pre>\n"


def test_chinese_text_survives_intact() -> None:
    text = "停车位申请：请在本周五前提交《业主公约》第三条规定的材料。"  # noqa: RUF001
    assert render_markdown(text) == f"<p>{text}</p>\n"


def test_quote_markdown_renders_blockquote_with_author_and_lines() -> None:
    quote = quote_markdown("Li Wei 李伟", "First line\nSecond *line*")
    html = render_markdown(quote + "My reply")
    assert html == (
        "<blockquote>\n"
        "<p><strong>Li Wei 李伟</strong> wrote:</p>\n"
        "<p>First line\nSecond <em>line</em></p>\n"
        "</blockquote>\n"
        "<p>My reply</p>\n"
    )


def test_quote_markdown_prefixes_every_line() -> None:
    assert quote_markdown("Ann", "one\r\n\r\ntwo\n") == "> **Ann** wrote:\n>\n> one\n>\n> two\n\n"


def test_quote_markdown_escapes_markdown_in_author_name() -> None:
    html = render_markdown(quote_markdown("[x](https://evil.example) *", "hi"))
    assert "<a" not in html
    assert "<strong>[x](https://evil.example) *</strong> wrote:" in html


def test_plain_excerpt_strips_tags_and_collapses_whitespace() -> None:
    html = render_markdown("# Title\n\nSome **bold**   text & <b>more</b>\n\n- item")
    assert plain_excerpt(html, 200) == "Title Some bold text & <b>more</b> item"


def test_plain_excerpt_drops_script_content() -> None:
    assert plain_excerpt("<p>Hi</p><script>alert(1)</script>", 50) == "Hi"


def test_plain_excerpt_cuts_at_word_with_ellipsis() -> None:
    excerpt = plain_excerpt("<p>The pool opens on Monday morning</p>", 20)
    assert excerpt == "The pool opens on…"
    assert len(excerpt) <= 20


def test_plain_excerpt_cuts_text_without_spaces() -> None:
    assert plain_excerpt("业主大会将于下周六举行", 6) == "业主大会将…"


def test_plain_excerpt_keeps_short_text_whole() -> None:
    assert plain_excerpt("short", 5) == "short"


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        "<p onclick=alert(1)>x</p>",
        "<IMG SRC=x OnErRoR=alert(1)>",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="&#x6A;ava&#x09;script&colon;alert(1)">x</a>',
        '<a href=" \x1ajavascript:alert(1)">x</a>',
        '<img src="data:image/svg+xml,x">',
        '<p style="color:red">x</p>',
        "<svg><a>x</a></svg>",
        '<form action="/x"></form>',
        '<button formaction="vbscript:x">x</button>',
        '<img srcset="/a.png 1x, javascript:alert(1) 2x">',
        "<p>x</p><img src=x onerror=alert(1)//",
    ],
)
def test_assert_inert_html_rejects_active_html(snippet: str) -> None:
    with pytest.raises(AssertionError, match="not inert"):
        assert_inert_html(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
        "&lt;img src=x onerror=alert(1)&gt;",
        "<p>1 < 2 and &lt;3</p>",
        f'<a href="https://example.com" {REL}>x</a>',
        '<a href="mailto:a@example.com">x</a>',
        '<a href="/forum/1?page=2#p3">x</a>',
        '<a href="notes/a:b">x</a>',
        '<img src="/static/a.png" alt="&quot; onerror=alert(1)">',
        "<p>{{7*7}}</p>",
    ],
)
def test_assert_inert_html_accepts_escaped_and_safe_html(snippet: str) -> None:
    assert_inert_html(snippet)
