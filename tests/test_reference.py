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
from prepdeck.render_markdown import render_reference, render_reference_pages

ANCHOR = re.compile(r'<a id="([^"]+)"></a>')


def rendered(src: model.Source) -> str:
    return render_reference(src, read_settings(ROOT).version)


def anchors(text: str) -> list[str]:
    return ANCHOR.findall(text)


def pages(src: model.Source) -> dict[str, str]:
    return render_reference_pages(src, read_settings(ROOT).version)[0]


def test_committed_reference_is_current(shipped: model.Source) -> None:
    """REFERENCE.md and every page under reference/ match the source, with no stale page."""
    expected = pages(shipped)
    committed = {
        p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
        for p in [ROOT / "REFERENCE.md", *sorted((ROOT / "reference").glob("*.md"))]
    }
    stale = sorted(set(committed) - set(expected))
    assert not stale, f"remove stale pages: {stale}"
    for name, text in expected.items():
        assert committed.get(name) == text, (
            f"{name} is out of date with source/; regenerate with: python build.py --only md"
        )
    pictures = render_reference_pages(shipped, read_settings(ROOT).version)[1]
    on_disk = {p.relative_to(ROOT).as_posix() for p in (ROOT / "reference").rglob("*.svg")}
    assert on_disk == set(pictures), "regenerate with: python build.py --only md"
    for name, data in pictures.items():
        assert (ROOT / name).read_bytes() == data, f"{name} is out of date"


def test_every_page_is_small_enough_for_a_phone(shipped: model.Source) -> None:
    sizes = {name: len(text.encode()) for name, text in pages(shipped).items()}
    assert max(sizes.values()) < 200_000, sizes
    assert sizes["REFERENCE.md"] < 100_000


def _resolve(name: str, href: str) -> tuple[str, str]:
    """A relative link from page `name` -> (target page, anchor)."""
    import posixpath

    target, _, anchor = href.partition("#")
    page = posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name
    return page, anchor


def test_anchors_unique_and_links_resolve(shipped: model.Source) -> None:
    rendered_pages = pages(shipped)
    anchors_of = {name: anchors(text) for name, text in rendered_pages.items()}
    for name, ids in anchors_of.items():
        assert len(ids) == len(set(ids)), name
    everywhere = {i for name, ids in anchors_of.items() if name != "REFERENCE.md" for i in ids}
    live = shipped.current()
    ids = [
        *(q.id for q in live.questions),
        *(f.id for f in live.frameworks),
        *(s.id for s in live.stars),
        *(t.id for t in live.terms),
    ]
    assert set(ids) <= everywhere
    checked = 0
    for name, text in rendered_pages.items():
        for href in links(text):
            if href.startswith(("http", "../README.md", "README.md")) or href.endswith("/"):
                continue
            page, anchor = _resolve(name, href)
            assert page in rendered_pages, (name, href)
            assert not anchor or anchor in anchors_of[page], (name, href)
            checked += 1
    assert checked > len(ids)  # the index, related links and term cross-references


def links(text: str) -> list[str]:
    found = []
    for tok in MarkdownIt("commonmark").parse(text):
        for child in tok.children or ():
            href = child.attrGet("href") if child.type == "link_open" else None
            if isinstance(href, str):
                found.append(href)
    return found


def test_every_card_link_resolves(
    collection: Any, shipped_apkg: Path, shipped: model.Source
) -> None:
    import_apkg(collection, shipped_apkg)
    rendered_pages = pages(shipped)
    base = read_settings(ROOT).reference_url
    for nid in collection.find_notes(""):
        link = collection.get_note(nid)["Link"]
        assert link.startswith(base + "reference/"), link
        page, _, anchor = link.removeprefix(base).partition("#")
        assert anchor in anchors(rendered_pages[page]), link


def test_every_anchor_of_0_1_0_still_leads_to_its_item(shipped: model.Source) -> None:
    """Links into the one-file REFERENCE.md of v0.1.0 land on an index line whose link opens
    the item's page at the item."""
    old = (ROOT / "tests/fixtures/reference-0.1.0-anchors.txt").read_text().split()
    assert len(old) > 100
    rendered_pages = pages(shipped)
    index = rendered_pages["REFERENCE.md"]
    for anchor in old:
        line = next((ln for ln in index.splitlines() if f'<a id="{anchor}"></a>' in ln), None)
        assert line is not None, f"REFERENCE.md lost the anchor {anchor!r}"
        targets = links(line)
        assert targets, line
        page, item = _resolve("REFERENCE.md", targets[0])
        assert page in rendered_pages
        assert not item or item in anchors(rendered_pages[page]), (anchor, targets[0])


def test_layout_is_diff_friendly(shipped: model.Source) -> None:
    for name, text in pages(shipped).items():
        assert text.endswith("\n") and not text.endswith("\n\n"), name
        assert not [n for n, line in enumerate(text.splitlines(), 1) if line != line.rstrip()]
        prose = re.sub(r"^```.*?^```", "(code)", text, flags=re.S | re.M)
        assert "\n\n\n" not in prose, name


def outline(text: str) -> list[tuple[str, str]]:
    tokens = MarkdownIt("commonmark").parse(text)
    return [
        (tok.tag, "".join(c.content for c in tokens[i + 1].children or ()))
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open"
    ]


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
        q,
        prompt="| Is p99 < 200 ms the goal? ##",
        framework=(model.Point(point="# Not a heading", gloss="a | b < c"), *q.framework[1:]),
        pitfalls=("### still not a heading", "<b>not bold</b> | pipe"),
    )
    src = dataclasses.replace(shipped, questions=(tricky, *shipped.questions[1:]))
    text = rendered(src)
    assert outline(text) == [
        (tag, "| Is p99 < 200 ms the goal? ##" if title == q.prompt else title)
        for tag, title in outline(rendered(shipped))
    ]
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = parser.parse(text)
    tables = [tok.map for tok in tokens if tok.type == "table_open"]
    assert len(tables) == sum(tok.type == "table_open" for tok in parser.parse(rendered(shipped)))
    anchor_tag = re.compile(r'<a id="[^"]+">|</a>')
    inline_html = [
        c.content
        for tok in tokens
        for c in tok.children or ()
        if c.type == "html_inline" and not anchor_tag.fullmatch(c.content)
    ]
    assert inline_html == []


def test_headings_in_markdown_fields_are_rejected(tmp_path: Path) -> None:
    from trees import make_tree, problems

    minimal = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()
    bad = minimal.replace(
        "      Build one artifact and widen exposure step by step.",
        "      # Priority: build one artifact.",
    )
    src = make_tree(tmp_path, t=bad)
    assert problems(src) == [
        "topics/t.yaml:17:7: questions[0].answer: a Markdown heading would break the "
        "reference's outline; use a **bold** lead-in, or write '\\#' for a literal '#'"
    ]
