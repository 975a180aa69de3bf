"""The text layer: every source string becomes each output's form here, and only here.

Source text is text. Single-line fields and long answers are Markdown, rendered by one
markdown-it-py instance with raw HTML off, so `<svg onload=...>` in the source arrives as the
literal characters. On top of that each output has its own hazards, handled by one function each:

- Anki fields (``anki_*``): Anki parses `{{` and `}}` in a field as template or cloze markup, so
  every brace is stored as an HTML entity; Anki shows the character, never the markup.
- Cloze text (``cloze``): inside a cloze `::` starts a hint and `}}` closes it, so `:` is stored
  as an entity as well. The only literal `{{c1::...}}` in any field is the one we write here.
- The reference (``ref_*``): Markdown that GitHub renders *with* raw HTML, so every `<` outside
  code is escaped and one-line fields cannot open a block.
- The sheet (``sheet_*``): HTML for WeasyPrint.
- Deck names, descriptions and file names (``deck_*``, ``file_slug``).

Renderers call these; none escapes on its own.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MAYBE_HEADING = re.compile(r"^ {0,3}(#|=+\s*$|-+\s*$)", re.M)  # ATX or setext candidates
_WORD = re.compile(r"[\w'\u2019-]+(?:[.,]\d+)*")  # "1,200" and "99.9" are one word each
# C0 controls except tab and line feed, DEL, and the C1 block: never meaningful in our text.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        "table"
    )


# --- rendering -----------------------------------------------------------------------------


def md_block(text: str) -> str:
    """Markdown -> HTML block markup (raw HTML in the source comes out escaped)."""
    return str(_md().render(text)).strip()


def md_inline(text: str) -> str:
    """One line of Markdown (code spans, emphasis) -> inline HTML, no wrapping paragraph."""
    return str(_md().renderInline(text))


def escape(text: str) -> str:
    """Plain text -> HTML text (for text that is not Markdown: ids, names, generated labels)."""
    return html.escape(text, quote=True)


def _braces(markup: str) -> str:
    return markup.replace("{", "&#123;").replace("}", "&#125;")


def anki_inline(text: str) -> str:
    """A one-line Markdown field -> Anki field HTML that Anki can never read as template markup."""
    return _braces(md_inline(text))


def anki_block(text: str) -> str:
    """A Markdown answer -> Anki field HTML (code blocks, lists, tables)."""
    return _braces(md_block(text))


def anki_plain(text: str) -> str:
    """Plain text -> Anki field HTML."""
    return _braces(escape(text))


def cloze(number: int, text: str) -> str:
    """Cloze `number` over one line of Markdown: the only place a `{{c` marker is written.

    The text inside encodes `{`, `}` and `:` so nothing in it can close the cloze early or
    start a hint; Anki decodes the entities on both sides of the card."""
    inner = anki_inline(text).replace(":", "&#58;")
    return f"{{{{c{number}::{inner}}}}}"


def ref_inline(text: str) -> str:
    """One-line source text -> Markdown that is safe inside a heading, list item or paragraph.

    Escapes what could start a block (`#`, `>`, `-`, `1.`, `|`), a heading's closing `#`s, and
    every `<` outside code spans, so no source text adds structure or tags to the document."""
    text = _escape_lt_outside_code(text)
    text = _BLOCK_MARK.sub(
        lambda m: m.group(1) + (f"{m.group(2)}\\{m.group(3)}" if m.group(2) else "\\" + m.group(4)),
        text,
    )
    return re.sub(r"#+\s*$", lambda m: m.group(0).replace("#", r"\#"), text)


def ref_block(text: str) -> str:
    """A Markdown answer -> Markdown for the reference: `<` outside code is escaped (GitHub
    renders raw HTML; we do not), and code blocks keep every character and indent."""
    lines = text.split("\n")
    code = _code_lines(text)
    out = [line if i in code else _escape_lt_outside_code(line) for i, line in enumerate(lines)]
    return "\n".join(out)


def sheet_inline(text: str) -> str:
    """One line of Markdown -> HTML for the cheat sheet."""
    return md_inline(text)


def sheet_plain(text: str) -> str:
    return escape(text)


def outline(points: Iterable[str], render: str = "anki") -> str:
    """The numbered outline's items, shared by the outline card and the sheet."""
    fn = anki_inline if render == "anki" else sheet_inline
    return "".join(f"<li>{fn(p)}</li>" for p in points)


def deck_name(*parts: str) -> str:
    """An Anki deck path; the validator guarantees no part contains `::`."""
    return "::".join(parts)


def file_slug(text: str) -> str:
    """A title -> a file-name stem of ASCII letters, digits and hyphens ('' if none survive)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# --- checks the validator runs --------------------------------------------------------------


_CODE_SPAN = re.compile(r"(`+)(?:.*?)\1")
_BLOCK_MARK = re.compile(r"^(\s*)(?:(\d+)([.)])|([#>+*=|-]))")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^\s<>]*>")


def _escape_lt_outside_code(text: str) -> str:
    pieces = []
    last = 0
    for m in _CODE_SPAN.finditer(text):
        pieces.append(_escape_lt(text[last : m.start()]))
        pieces.append(m.group(0))
        last = m.end()
    pieces.append(_escape_lt(text[last:]))
    return "".join(pieces)


def _escape_lt(text: str) -> str:
    out, last = [], 0
    for m in _AUTOLINK.finditer(text):
        out.append(text[last : m.start()].replace("<", r"\<"))
        out.append(m.group(0))
        last = m.end()
    out.append(text[last:].replace("<", r"\<"))
    return "".join(out)


def _code_lines(text: str) -> set[int]:
    """0-based line numbers inside fenced or indented code blocks (kept byte for byte)."""
    lines: set[int] = set()
    for token in _md().parse(text):
        if token.type in ("fence", "code_block") and token.map:
            lines.update(range(token.map[0], token.map[1]))
    return lines


@dataclass(frozen=True)
class TextIssue:
    """A problem inside one field: `line` and `col` are 1-based within the field's text."""

    line: int
    col: int
    message: str


def control_chars(text: str) -> list[TextIssue]:
    found = []
    for m in CONTROL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        name = unicodedata.name(m.group(), "") or f"U+{ord(m.group()):04X}"
        found.append(
            TextIssue(
                line,
                col,
                f"control character U+{ord(m.group()):04X} {name}".rstrip()
                + " is not allowed in text; delete it",
            )
        )
    return found


def markdown_issues(text: str, *, block: bool) -> list[TextIssue]:
    """Everything in a Markdown field that could change the document around it: headings,
    unclosed code fences, link reference definitions, and images (which would fetch a URL or
    embed a file), each with its line inside the field."""
    if not block:
        return _inline_issues(text)
    issues = []
    env: dict[str, object] = {}
    tokens = _md().parse(text, env)
    lines = text.split("\n")
    for token in tokens:
        start = (token.map[0] + 1) if token.map else 1
        if token.type == "heading_open":
            issues.append(
                TextIssue(
                    start,
                    1,
                    "a Markdown heading would break the reference's "
                    "outline; use a **bold** lead-in, or write '\\#' for a "
                    "literal '#'",
                )
            )
        elif token.type == "fence" and token.map and not _fence_closed(token, lines):
            issues.append(
                TextIssue(
                    start,
                    1,
                    f"code fence {token.markup!r} is never closed, so "
                    "it would swallow everything after this field; close it "
                    f"with a line of {token.markup}",
                )
            )
        issues += [
            TextIssue(start + i.line - 1, i.col, i.message) for i in _inline_issues_of(token)
        ]
    if env.get("references"):
        code = _code_lines(text)
        for n, line in enumerate(lines, 1):
            if n - 1 not in code and re.match(r"^ {0,3}\[[^\]]+\]:", line):
                issues.append(
                    TextIssue(
                        n,
                        1,
                        "a link reference definition applies to the "
                        "whole reference page; write the link inline "
                        "as [text](url)",
                    )
                )
    return issues


def _fence_closed(token: Token, lines: list[str]) -> bool:
    if token.map is None:
        return False
    last = token.map[1] - 1
    if last <= token.map[0] or last >= len(lines):
        return False
    closing = lines[last].strip()
    return closing.startswith(token.markup[0] * len(token.markup)) and set(closing) <= {
        token.markup[0]
    }


def _inline_issues(text: str) -> list[TextIssue]:
    issues = []
    for token in _md().parseInline(text):
        issues += _inline_issues_of(token)
    return issues


# An image may show a file of the source tree's media folder: `![what it shows](media/x.png)`.
# Raster formats only (an SVG could carry scripts or links); never a URL or another path.
MEDIA_SRC = re.compile(r"^media/([A-Za-z0-9][A-Za-z0-9._-]{0,80}\.(?:png|jpe?g|gif|webp))$", re.I)


def _inline_issues_of(token: Token) -> list[TextIssue]:
    issues = []
    for child in token.children or ():
        if child.type == "image":
            src = str(child.attrs.get("src", ""))
            if MEDIA_SRC.match(src):
                continue  # a file of the media folder: checked and copied by the build
            issues.append(
                TextIssue(
                    1,
                    1,
                    f"image {src[:60]!r}: a build never fetches a URL or reads a file "
                    "outside the source tree; put the picture in the source's media/ folder "
                    "(PNG, JPEG, GIF or WebP) and write ![what it shows](media/name.png)",
                )
            )
    return issues


def media_refs(text: str, *, block: bool) -> list[tuple[int, str]]:
    """(line within the text, file name) of every media-folder picture a field shows."""
    if "![" not in text:
        return []
    found: list[tuple[int, str]] = []
    tokens = _md().parse(text) if block else _md().parseInline(text)
    for token in tokens:
        line = (token.map[0] + 1) if token.map else 1
        for child in token.children or ():
            src = str(child.attrs.get("src", "")) if child.type == "image" else ""
            match = MEDIA_SRC.match(src)
            if match:
                found.append((line, match.group(1)))
    return found


def media_file_name(name: str, data: bytes) -> str:
    """The name a media-folder picture travels under: its content hash, so an edited picture
    reaches users on the next import."""
    import hashlib

    ext = name.rsplit(".", 1)[-1].lower()
    return f"pd-media-{hashlib.sha256(data).hexdigest()[:16]}.{ext}"


_IMAGE_TYPES = {
    "svg": "svg+xml",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "gif": "gif",
    "webp": "webp",
}


def data_uri(name: str, data: bytes) -> str:
    """A picture inline, typed by its file name's extension: what the sheet, the one-file
    reference and the card preview embed instead of fetching a file."""
    import base64

    kind = _IMAGE_TYPES[name.rsplit(".", 1)[-1].lower()]
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def rewrite_media(markup: str, names: dict[str, str]) -> str:
    """`src="media/x.png"` -> `src="<names[x.png]>"` in rendered HTML."""
    if 'src="media/' not in markup:
        return markup
    return re.sub(
        r'src="media/([^"]+)"', lambda m: f'src="{names.get(m.group(1), m.group(0))}"', markup
    )


def headings(text: str) -> list[int]:
    """Line numbers (1-based, within `text`) of Markdown headings, which a field must not add."""
    if not _MAYBE_HEADING.search(text):
        return []
    return [tok.map[0] + 1 for tok in _md().parse(text) if tok.type == "heading_open" and tok.map]


def words(text: str) -> int:
    return len(_WORD.findall(text))
