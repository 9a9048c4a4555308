"""Search text folding across Chinese scripts, and highlighting what was found.

`fold` maps a text to the one form both the search index and the query use, so
籃球 finds 篮球 and 噪聲 finds 噪声:
- Traditional to Simplified with OpenCC (`t2s`, phrase-aware; PyPI `opencc`, pinned);
- a few regional words that differ beyond the script (HK/TW vs Mainland) to one of
  them (`REGIONAL_WORDS`, 噪声 → 噪音, 冷气 → 空调 …); only pairs of equal length, so
- the folded text always has exactly the length of the original: position *i* of the
  folded text is character *i* of the original, which is how `highlight` marks the
  original words (and how an excerpt is centred on the first match);
- lower case (per character, keeping the length: "İ" stays one character).

Changing any of this changes the search index: rebuild it (`flask forum reindex`, or a
migration like 0066_search).
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc
from markupsafe import Markup, escape

# Same-length pairs only (see the module docstring). Mainland/HK/TW words for the same
# thing that homeowners' complaints use, in their Simplified form after `t2s`.
REGIONAL_WORDS = {
    "噪声": "噪音",
    "冷气": "空调",
    "相片": "照片",
    "软体": "软件",
    "资讯": "信息",
    "网路": "网络",
    "电单车": "摩托车",
}
_REGIONAL = re.compile("|".join(sorted(map(re.escape, REGIONAL_WORDS), key=len, reverse=True)))

_CJK = re.compile(r"[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
                  r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2hk() -> opencc.OpenCC:
    # Hong Kong standard characters: zh_Hant is written for Hong Kong readers (DOMAIN.md),
    # so 台 stays 台 rather than becoming 臺.
    return opencc.OpenCC("s2hk")


def to_script(text: str, written_in: str, reader: str) -> str:
    """Text written in one Chinese script (`zh_Hant` / `zh_Hans`), for a reader of `reader`:
    converted between the scripts when they differ, unchanged otherwise."""
    if written_in == "zh_Hant" and reader == "zh_Hans":
        return _t2s().convert(text)
    if written_in == "zh_Hans" and reader == "zh_Hant":
        return _s2hk().convert(text)
    return text


@lru_cache(maxsize=4096)
def written_script(text: str) -> str | None:
    """`zh_Hant` when the text has Traditional-only characters, `zh_Hans` when it has
    Simplified-only ones, None when it reads the same in both (or is not Chinese)."""
    if _t2s().convert(text) != text:
        return "zh_Hant"
    if _s2hk().convert(text) != text:
        return "zh_Hans"
    return None


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    converted = _t2s().convert(ch)
    converted = converted if len(converted) == 1 else ch
    lowered = converted.lower()
    return lowered if len(lowered) == 1 else converted


def is_cjk(ch: str) -> bool:
    """A Chinese, Japanese or Korean character (a one-character search makes sense)."""
    return bool(_CJK.match(ch))


def fold(text: str) -> str:
    """The search form of `text`, exactly as long as `text` (see the module docstring)."""
    if not text:
        return ""
    converted = _t2s().convert(text) if any(is_cjk(ch) for ch in text) else text
    if len(converted) != len(text):  # a phrase rule changed the length: go by character
        converted = "".join(_fold_char(ch) for ch in text)
    else:
        converted = "".join(_fold_char(ch) for ch in converted)
    if any(is_cjk(ch) for ch in converted):
        converted = _REGIONAL.sub(lambda m: REGIONAL_WORDS[m.group(0)], converted)
    return converted


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the (folded) terms occur in `text`, merged, in order."""
    folded = fold(text)
    spans = []
    for term in {fold(t) for t in terms if t}:
        start = folded.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: list[str]) -> Markup:
    """`text` escaped, with each occurrence of a term (in any script) in <mark>."""
    out, last = [], 0
    for start, end in _spans(text, terms):
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>%s</mark>") % text[start:end])
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def excerpt_around(text: str, terms: list[str], length: int) -> str:
    """At most `length` characters of `text`, starting a little before the first match
    (with "…" where cut), so the found words are in the excerpt."""
    if len(text) <= length:
        return text
    spans = _spans(text, terms)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - length // 4, len(text) - length))
    piece = text[start:start + length]
    if start > 0:
        piece = "…" + piece[1:]
    if start + length < len(text):
        piece = piece[:-1] + "…"
    return piece
