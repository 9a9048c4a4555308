"""Markdown rendering and sanitising for everything members write.

Forum posts, complaint bodies and suggestion texts are written in Markdown and
rendered by :func:`render_markdown`.  Callers render **once, on write**: the
source is stored next to the sanitised HTML, and pages show the stored HTML.
Rendering on write keeps the parser and the sanitiser off every page view, and
it gives one place (this module) where untrusted HTML becomes trusted; templates
never mark anything else as safe.  When this policy changes, the stored HTML is
re-rendered from the stored source.

Safety does not rest on markdown-it alone.  Raw HTML is switched off in the
parser, and its output then goes through nh3 with an explicit allowlist of tags,
attributes and URL schemes, so a parser bug or an unexpected construct cannot
reach the page as markup.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
_CELL_ALIGNMENTS = {"left", "center", "right"}
_LINK_SCHEMES = {"http", "https", "mailto"}
_IMAGE_SCHEMES = {"http", "https"}
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_CELL_ALIGN_STYLE = re.compile(r"text-align:(left|center|right)")
_ELLIPSIS = "…"


def _cell_align_attribute(state: StateCore) -> None:
    """Turn markdown-it's ``style="text-align:…"`` on table cells into ``align``.

    ``style`` is never allowed through the sanitiser (and our CSP has no
    ``unsafe-inline``), so the alignment survives as the ``align`` attribute.
    """
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if style is not None and (match := _CELL_ALIGN_STYLE.fullmatch(str(style))):
                token.attrs["align"] = match.group(1)


def _image_source_filter(tag: str, attribute: str, value: str) -> str | None:
    """Keep an image ``src`` only when it is relative or uses http(s).

    nh3 has one scheme list for all URL attributes, and it must include
    ``mailto`` for links; images get the narrower list here.
    """
    if tag == "img" and attribute == "src":
        scheme = _SCHEME.match(value.strip().lower())
        if scheme is not None and scheme.group(1) not in _IMAGE_SCHEMES:
            return None
    return value


_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
_PARSER.core.ruler.push("cell_align_attribute", _cell_align_attribute)

_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    tag_attribute_values={
        "th": {"align": _CELL_ALIGNMENTS},
        "td": {"align": _CELL_ALIGNMENTS},
    },
    attribute_filter=_image_source_filter,
    url_schemes=_LINK_SCHEMES,
    link_rel="nofollow ugc noopener",
    strip_comments=True,
)


def render_markdown(text: str) -> str:
    """Render member-written Markdown to sanitised HTML, safe to show as is.

    Raw HTML in ``text`` comes out as visible text.  Links keep only http,
    https, mailto or relative targets and get ``rel="nofollow ugc noopener"``;
    images keep only http, https or relative sources.
    """
    return _CLEANER.clean(_PARSER.render(text))


def quote_markdown(author_name: str, body: str) -> str:
    """Return Markdown quoting ``body`` as written by ``author_name``.

    The result starts a reply: a blockquote headed ``**name** wrote:``,
    followed by a blank line so the reply typed after it is not pulled into
    the quote.  Markdown punctuation in the name is escaped so a display name
    cannot add links or formatting.
    """
    name = re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", " ".join(author_name.split()))
    lines = [f"**{name}** wrote:", "", *body.strip("\r\n").splitlines()]
    return "\n".join(f"> {line}" if line else ">" for line in lines) + "\n\n"


def plain_excerpt(html_or_text: str, length: int) -> str:
    """Return at most ``length`` characters of plain text for lists and search results.

    Tags are stripped (the content of ``script`` and ``style`` is dropped) and
    whitespace is collapsed; a cut excerpt ends with an ellipsis, at a word
    boundary when one is near.  The result is plain text, not HTML: templates
    must let autoescaping escape it.
    """
    if length < 1:
        raise ValueError("length must be at least 1")
    text = " ".join(html.unescape(nh3.clean(html_or_text, tags=set())).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    word_end = cut.rfind(" ")
    if word_end > length // 2:
        cut = cut[:word_end]
    return cut.rstrip() + _ELLIPSIS
