"""REFERENCE.md: up to date, valid Markdown, every anchor unique and every link resolving."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from ankitools import import_apkg
from conftest import ROOT
from markdown_it import MarkdownIt

from prepdeck import model
from prepdeck.project import read_settings
from prepdeck.render_markdown import render_reference

ANCHOR = re.compile(r'<a id="([^"]+)"></a>')


def rendered(src: model.Source) -> str:
    return render_reference(src, read_settings(ROOT).version)


def anchors(text: str) -> list[str]:
    return ANCHOR.findall(text)


def internal_links(text: str) -> list[str]:
    md = MarkdownIt("commonmark")
    found = []
    for tok in md.parse(text):
        for child in tok.children or ():
            href = child.attrGet("href") if child.type == "link_open" else None
            if isinstance(href, str) and href.startswith("#"):
                found.append(href[1:])
    return found


def test_committed_reference_is_current(shipped: model.Source) -> None:
    committed = (ROOT / "REFERENCE.md").read_text(encoding="utf-8")
    assert committed == rendered(shipped), (
        "REFERENCE.md is out of date with source/; regenerate it with: python build.py --only md")


def test_anchors_unique_and_links_resolve(shipped: model.Source) -> None:
    text = rendered(shipped)
    ids = anchors(text)
    assert len(ids) == len(set(ids))
    items = [*shipped.questions, *shipped.frameworks, *shipped.stars, *shipped.terms]
    assert {i.id for i in items} <= set(ids)
    links = internal_links(text)
    assert links, "expected internal links (contents, related)"
    assert set(links) <= set(ids)


def test_every_card_link_resolves(collection: Any, shipped_apkg: Path,
                                  shipped: model.Source) -> None:
    import_apkg(collection, shipped_apkg)
    ids = set(anchors(rendered(shipped)))
    base = read_settings(ROOT).reference_url + "#"
    for nid in collection.find_notes(""):
        link = collection.get_note(nid)["Link"]
        assert link.startswith(base)
        assert link.removeprefix(base) in ids


def test_layout_is_diff_friendly(shipped: model.Source) -> None:
    text = rendered(shipped)
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert not [n for n, line in enumerate(text.splitlines(), 1) if line != line.rstrip()]
    prose = re.sub(r"^```.*?^```", "(code)", text, flags=re.S | re.M)
    assert "\n\n\n" not in prose
    assert rendered(shipped) == text


def outline(text: str) -> list[tuple[str, str]]:
    tokens = MarkdownIt("commonmark").parse(text)
    return [(tok.tag, "".join(c.content for c in tokens[i + 1].children or ()))
            for i, tok in enumerate(tokens) if tok.type == "heading_open"]


def test_heading_outline(shipped: model.Source) -> None:
    heads = outline(rendered(shipped))
    assert [h for h in heads if h[0] == "h1"] == [("h1", shipped.title)]
    h2 = [title for tag, title in heads if tag == "h2"]
    retired = ["Retired"] if shipped.retired_items() else []
    assert h2 == ["Contents", *(t.title for t in shipped.topics), "Glossary", *retired]
    h3 = [title for tag, title in heads if tag == "h3"]
    live = shipped.current()
    assert len(h3) == len(live.questions) + len(live.frameworks) + len(live.stars)
    assert all(tag in {"h1", "h2", "h3"} for tag, _ in heads)
    html = MarkdownIt("commonmark", {"html": True}).render(rendered(shipped))
    assert html.count("<h3>") == len(h3)


def test_stray_markdown_characters_keep_the_structure(shipped: model.Source) -> None:
    """A `#`, `|` or `<` in source text must not add headings, tables or tags."""
    q = shipped.questions[0]
    tricky = dataclasses.replace(
        q, prompt="| Is p99 < 200 ms the goal? ##",
        framework=(model.Point("# Not a heading", "a | b < c"), *q.framework[1:]),
        pitfalls=("### still not a heading", "<b>not bold</b> | pipe"))
    src = dataclasses.replace(shipped, questions=(tricky, *shipped.questions[1:]))
    text = rendered(src)
    assert outline(text) == [
        (tag, "| Is p99 < 200 ms the goal? ##" if title == q.prompt else title)
        for tag, title in outline(rendered(shipped))]
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = parser.parse(text)
    tables = [tok.map for tok in tokens if tok.type == "table_open"]
    assert len(tables) == sum(tok.type == "table_open" for tok in parser.parse(rendered(shipped)))
    anchor_tag = re.compile(r'<a id="[^"]+">|</a>')
    inline_html = [c.content for tok in tokens for c in tok.children or ()
                   if c.type == "html_inline" and not anchor_tag.fullmatch(c.content)]
    assert inline_html == []


def test_headings_in_markdown_fields_are_rejected(tmp_path: Path) -> None:
    from test_validate import make_tree, problems

    minimal = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()
    bad = minimal.replace("      Build one artifact and widen exposure step by step.",
                          "      # Priority: build one artifact.")
    src = make_tree(tmp_path, t=bad)
    assert problems(src) == [
        "topics/t.yaml:17:7: questions[0].answer: a Markdown heading would break the "
        "reference's outline; use a **bold** lead-in, or write '\\#' for a literal '#'"]
