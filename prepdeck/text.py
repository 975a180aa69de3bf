"""Markdown and HTML text helpers, shared by every renderer.

One markdown-it-py instance with raw HTML disabled renders every field, so nothing in the source
can put a script or an inline style into a card, the reference or the sheet.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt

_MAYBE_HEADING = re.compile(r"^ {0,3}(#|=+\s*$|-+\s*$)", re.M)  # ATX or setext candidates
_WORD = re.compile(r"[\w'\u2019-]+(?:[.,]\d+)*")  # "1,200" and "99.9" are one word each


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        "table"
    )


@lru_cache(maxsize=1)
def _md_html_aware() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def md_block(text: str) -> str:
    """Markdown -> HTML block markup (raw HTML in the source comes out escaped)."""
    return str(_md().render(text)).strip()


def md_inline(text: str) -> str:
    """One line of Markdown (code spans, emphasis) -> inline HTML, no wrapping paragraph."""
    return str(_md().renderInline(text))


def raw_html(text: str) -> list[str]:
    """The raw HTML fragments a Markdown text contains (we reject them at validation)."""
    if "<" not in text:
        return []  # no tag without '<': skip the parse, most texts take this path
    found: list[str] = []
    for token in _md_html_aware().parse(text):
        if token.type == "html_block":
            found.append(token.content.strip())
        for child in token.children or ():
            if child.type == "html_inline":
                found.append(child.content)
    return found


def headings(text: str) -> list[int]:
    """Line numbers (1-based, within `text`) of Markdown headings, which a field must not add."""
    if not _MAYBE_HEADING.search(text):
        return []
    return [tok.map[0] + 1 for tok in _md().parse(text) if tok.type == "heading_open" and tok.map]


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def words(text: str) -> int:
    return len(_WORD.findall(text))
