"""The model -> REFERENCE.md: the long-form answers, browsable on GitHub and offline.

Deterministic and diff-friendly: source order, no timestamps besides the version line, one blank
line between blocks. Every item gets an explicit anchor equal to its id, which the cards link to.
Single-line fields are inline Markdown; they are escaped where their position could change the
document's structure (a trailing `#` in a heading, a leading `|`).
"""

from __future__ import annotations

import re

from . import model
from .text import data_uri, escape, ref_block, ref_inline

_KIND = {"system-design": "system design"}


_inline = ref_inline


def _anchor(item_id: str) -> str:
    return f'<a id="{item_id}"></a>'


def _points(points: tuple[model.Point, ...]) -> str:
    return "\n".join(
        f"{i}. **{_inline(p.point)}**: {_inline(p.gloss)}" for i, p in enumerate(points, 1)
    )


def _source(qa: model.QA | model.Term) -> str:
    return f" *(Source: {_inline(qa.source)}, {qa.year})*" if qa.source and qa.year else ""


class Pictures:
    """Diagrams in the reference. Pages link image files written beside them (GitHub shows
    the dark variant in dark mode through <picture>); the one-file reference that travels
    offline embeds them as data URIs."""

    def __init__(self, embed: bool) -> None:
        self.embed = embed
        self.files: dict[str, bytes] = {}

    def __call__(self, item_id: str, diagram: model.Diagram | None) -> list[str]:
        if diagram is None:
            return []
        from .diagrams import draw

        drawing = draw(diagram.kind, diagram.source)
        alt = escape(diagram.alt)
        width = round(min(drawing.width_px, 640))
        if self.embed:
            uri = data_uri("d.svg", drawing.light)
            return [f'<img src="{uri}" alt="{alt}" width="{width}">']
        stem = "diagrams/" + item_id.replace("/", "--")
        self.files[f"{stem}.svg"] = drawing.light
        self.files[f"{stem}-dark.svg"] = drawing.dark
        return [
            f'<picture><source media="(prefers-color-scheme: dark)" '
            f'srcset="{stem}-dark.svg"><img src="{stem}.svg" alt="{alt}" width="{width}">'
            "</picture>"
        ]


def _qas(
    title: str, qas: tuple[model.QA, ...], parent: str = "", pics: Pictures | None = None
) -> list[str]:
    if not qas:
        return []
    lines = [f"- **{_inline(qa.q)}** {_inline(qa.a)}{_source(qa)}" for qa in qas]
    out = [f"**{title}**", "\n".join(lines)]
    for qa in qas:
        if pics is not None and qa.diagram is not None:
            out += [f"*{_inline(qa.q)}*", *pics(f"{parent}/{qa.id}", qa.diagram)]
    return out


Links = dict[str, tuple[str, str]]  # id -> (title as inline Markdown, link target)


def _related(ids: tuple[str, ...], links: Links) -> list[str]:
    if not ids:
        return []
    return ["Related: " + " · ".join(f"[{links[i][0]}]({links[i][1]})" for i in ids)]


def _question(q: model.Question, links: Links, tracks: dict[str, str], pics: Pictures) -> list[str]:
    badges = " · ".join(
        [f"`{_KIND.get(q.kind, q.kind)}`", f"`{q.level}`", *(f"`{tracks[t]}`" for t in q.tracks)]
    )
    out = [
        _anchor(q.id),
        f"### {_inline(q.prompt)}",
        badges,
        f"**What they are probing:** {_inline(q.probing)}",
        "**Framework**",
        _points(q.framework),
        *pics(q.id, q.diagram),
        "**Model answer**",
        ref_block(q.answer),
    ]
    out += _qas("Follow-ups", q.followups, q.id, pics)
    out += _qas("Why, contrasts and facts", q.cards, q.id, pics)
    if q.pitfalls:
        out += ["**Pitfalls**", "\n".join(f"- {_inline(p)}" for p in q.pitfalls)]
    return out + _related(q.related, links)


def _framework(f: model.Framework, links: Links, pics: Pictures) -> list[str]:
    out = [
        _anchor(f.id),
        f"### Framework: {_inline(f.name)}",
        f"*{_inline(f.prompt)}*",
        _points(f.steps),
        *pics(f.id, f.diagram),
    ]
    if f.summary:
        out.append(ref_block(f.summary))
    out += _qas("Why and contrasts", f.cards, f.id, pics)
    return out + _related(f.related, links)


def _star(s: model.Star) -> list[str]:
    parts = [(part.capitalize(), getattr(s, part)) for part in model.STAR_PARTS]
    return [
        _anchor(s.id),
        f"### STAR example: {_inline(s.prompt)}",
        "*An invented illustration of the shape; answer with your own story.*",
        f"**In one line:** {_inline(s.spine)}",
        f"**They listen for:** {_inline(s.probing)}",
        "\n".join(f"- **{label}.** {_inline(text)}" for label, text in parts),
        f"Competencies: {', '.join(_inline(c) for c in s.competencies)}",
    ]


def _counts(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _topic_counts(src: model.Source, topic: model.Topic) -> str:
    items = src.in_topic(topic.id)
    parts = [
        _counts(len(items.questions), "question"),
        _counts(len(items.frameworks), "framework"),
        _counts(len(items.stars), "STAR example"),
    ]
    return ", ".join(p for p in parts if not p.startswith("0 "))


def _intro(version: str, readme: str) -> str:
    return (
        f"Content version **{version}**. Generated from `source/` by `python build.py`; edit "
        "the YAML, not this file. Study the same material as Anki cards and a printable "
        f"sheet: see the [README]({readme})."
    )


def _titles(src: model.Source) -> dict[str, str]:
    titles = {q.id: _inline(q.prompt) for q in src.questions}
    titles.update({f.id: f"Framework: {_inline(f.name)}" for f in src.frameworks})
    titles.update({s.id: f"STAR example: {_inline(s.prompt)}" for s in src.stars})
    titles.update({t.id: _inline(t.term) for t in src.terms})
    return titles


def _glossary(src: model.Source, links: Links, pics: Pictures) -> list[str]:
    blocks = []
    for term in sorted(src.terms, key=lambda x: (x.term.casefold(), x.id)):
        line = f"{_anchor(term.id)}**{_inline(term.term)}**: {_inline(term.definition)}"
        blocks.append(
            line
            + _source(term)
            + "".join(f" See [{links[r][0]}]({links[r][1]})." for r in term.related)
        )
        blocks += pics(term.id, term.diagram)
    return blocks


def _retired(full: model.Source) -> list[str]:
    retired = full.retired_items()
    if not retired:
        return []
    return [
        "Withdrawn from the decks. Their cards stay in your collection until you "
        "delete them: search `tag:prepdeck::retired` in the Anki browser.",
        "\n".join(
            f"- {_anchor(item_id)}**{_inline(title)}**: retired in v{r.version}. "
            f"{_inline(r.reason)}"
            for item_id, title, r in retired
        ),
    ]


def _topic_body(src: model.Source, topic: model.Topic, links: Links, pics: Pictures) -> list[str]:
    tracks = {t.id: t.title for t in src.tracks}
    items = src.in_topic(topic.id)
    blocks: list[str] = []
    for q in items.questions:
        blocks += _question(q, links, tracks, pics)
    for f in items.frameworks:
        blocks += _framework(f, links, pics)
    for table in items.tables:
        blocks += _table(table)
    return blocks


def _table(t: model.Table) -> list[str]:
    def row(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(_inline(c).replace("|", "\\|") for c in cells) + " |"

    lines = [
        row(t.columns),
        "| " + " | ".join("---" for _ in t.columns) + " |",
        *(row(r) for r in t.rows),
    ]
    note = (
        "*Computed: (1 - SLO) x window.*"
        if t.computed
        else f"*Source: {_inline(t.source)}, {t.year}*"
        if t.source and t.year
        else ""
    )
    return [f"{_anchor(t.id)}**Table: {_inline(t.title)}**", "\n".join(lines), note]


def render_reference(full: model.Source, version: str) -> str:
    """The whole reference as one file (the release asset that reads offline, and the private
    reference); retired items keep an anchor in a closing section."""
    src = full.current()
    pics = Pictures(embed=True)
    links = {i: (t, f"#{i}") for i, t in _titles(src).items()}
    blocks: list[str] = [f"# {_inline(src.title)}", _intro(version, "README.md"), "## Contents"]
    toc = [f"- [{_inline(t.title)}](#topic-{t.id}): {_topic_counts(src, t)}" for t in src.topics]
    toc.append(f"- [Glossary](#glossary): {_counts(len(src.terms), 'term')}")
    retired = full.retired_items()
    if retired:
        toc.append(f"- [Retired](#retired): {_counts(len(retired), 'item')}")
    blocks.append("\n".join(toc))
    for t in src.topics:
        blocks += [f'<a id="topic-{t.id}"></a>', f"## {_inline(t.title)}"]
        blocks += _topic_body(src, t, links, pics)
        for s in src.in_topic(t.id).stars:
            blocks += _star(s)
    blocks += ['<a id="glossary"></a>', "## Glossary", *_glossary(src, links, pics)]
    if retired:
        blocks += ['<a id="retired"></a>', "## Retired", *_retired(full)]
    return _embed_media(_join(blocks), full.media)


def _embed_media(text: str, media: tuple[tuple[str, bytes], ...]) -> str:
    """In the one-file reference, media-folder pictures travel inside the file."""
    if not media:
        return text
    uris = {name: data_uri(name, data) for name, data in media}
    return re.sub(
        r"\]\(media/([^)\s]+)\)",
        lambda m: f"]({uris.get(m.group(1), 'media/' + m.group(1))})",
        text,
    )


# --- the reference in pages: one file per topic, the STAR examples and the glossary ---------

PAGE_DIR = "reference"
STARS_PAGE = "star-examples"
GLOSSARY_PAGE = "glossary"
RETIRED_PAGE = "retired"


def page_of(src: model.Source) -> dict[str, str]:
    """Every anchor id -> the page (path from the project root) that holds it."""
    pages: dict[str, str] = {}
    for q in src.questions:
        pages[q.id] = f"{PAGE_DIR}/{q.topic}.md"
    for f in src.frameworks:
        pages[f.id] = f"{PAGE_DIR}/{f.topic}.md"
    for table in src.tables:
        pages[table.id] = f"{PAGE_DIR}/{table.topic}.md"
    pages.update({s.id: f"{PAGE_DIR}/{STARS_PAGE}.md" for s in src.stars})
    pages.update({t.id: f"{PAGE_DIR}/{GLOSSARY_PAGE}.md" for t in src.terms})
    pages.update(
        {item_id: f"{PAGE_DIR}/{RETIRED_PAGE}.md" for item_id, _, _ in src.retired_items()}
    )
    return pages


def render_reference_pages(
    full: model.Source, version: str
) -> tuple[dict[str, str], dict[str, bytes]]:
    """REFERENCE.md (a short index) plus reference/*.md, each small enough for a phone.

    The index keeps an anchor for every item id, so a link to `REFERENCE.md#id` from an older
    card lands on a line that leads to the item's page in one click."""
    src = full.current()
    pages = page_of(full)
    titles = _titles(src)
    links = {i: (t, pages[i].removeprefix(f"{PAGE_DIR}/") + f"#{i}") for i, t in titles.items()}
    out: dict[str, str] = {}
    pics = Pictures(embed=False)
    back = f"[Index](../REFERENCE.md) · {_inline(src.title)}"
    for t in src.topics:
        out[f"{PAGE_DIR}/{t.id}.md"] = _join(
            [
                back,
                f"# {_inline(t.title)}",
                _intro(version, "../README.md"),
                *_topic_body(src, t, links, pics),
            ]
        )
    stars = [s for t in src.topics for s in src.in_topic(t.id).stars]
    if stars:
        out[f"{PAGE_DIR}/{STARS_PAGE}.md"] = _join(
            [
                back,
                "# STAR examples",
                _intro(version, "../README.md"),
                *(block for s in stars for block in _star(s)),
            ]
        )
    out[f"{PAGE_DIR}/{GLOSSARY_PAGE}.md"] = _join(
        [back, "# Glossary", _intro(version, "../README.md"), *_glossary(src, links, pics)]
    )
    retired = _retired(full)
    if retired:
        out[f"{PAGE_DIR}/{RETIRED_PAGE}.md"] = _join(
            [back, "# Retired", _intro(version, "../README.md"), *retired]
        )
    out["REFERENCE.md"] = _index(full, src, pages, version)
    return dict(sorted(out.items())), {f"{PAGE_DIR}/{n}": d for n, d in sorted(pics.files.items())}


def _index(full: model.Source, src: model.Source, pages: dict[str, str], version: str) -> str:
    titles = _titles(src)
    toc = [
        f"- {_anchor(f'topic-{t.id}')}[{_inline(t.title)}]({PAGE_DIR}/{t.id}.md): "
        f"{_topic_counts(src, t)}"
        for t in src.topics
    ]
    if src.stars:
        toc.append(
            f"- [STAR examples]({PAGE_DIR}/{STARS_PAGE}.md): {_counts(len(src.stars), 'example')}"
        )
    toc.append(
        f"- {_anchor('glossary')}[Glossary]({PAGE_DIR}/{GLOSSARY_PAGE}.md): "
        f"{_counts(len(src.terms), 'term')}"
    )
    retired = full.retired_items()
    if retired:
        toc.append(
            f"- {_anchor('retired')}[Retired]({PAGE_DIR}/{RETIRED_PAGE}.md): "
            f"{_counts(len(retired), 'item')}"
        )
    blocks = [
        f"# {_inline(src.title)}",
        _intro(version, "README.md"),
        "The answers live in one page per topic under [`reference/`](reference/), "
        "small enough to open on a phone. Every card links straight to its item there.",
        "## Contents",
        "\n".join(toc),
        "## Every item",
        "One line per item, in source order; each line's anchor is the item's id, so "
        "links to this file from older cards still lead to the item.",
    ]
    for t in src.topics:
        items = src.in_topic(t.id)
        ids = [
            *(q.id for q in items.questions),
            *(f.id for f in items.frameworks),
            *(s.id for s in items.stars),
        ]
        if ids:
            blocks += [
                f"**{_inline(t.title)}**",
                "\n".join(f"- {_anchor(i)}[{titles[i]}]({pages[i]}#{i})" for i in ids),
            ]
    blocks += [
        "**Glossary**",
        "\n".join(
            f"- {_anchor(term.id)}[{_inline(term.term)}]({pages[term.id]}#{term.id})"
            for term in sorted(src.terms, key=lambda x: (x.term.casefold(), x.id))
        ),
    ]
    if retired:
        blocks += [
            "**Retired**",
            "\n".join(
                f"- {_anchor(i)}[{_inline(title)}]({pages[i]}#{i})" for i, title, _ in retired
            ),
        ]
    return _join(blocks)


def _join(blocks: list[str]) -> str:
    return _tidy("\n\n".join(b.strip("\n") for b in blocks if b.strip()))


def _tidy(text: str) -> str:
    """No trailing spaces and never two blank lines in a row, except inside code fences."""
    out: list[str] = []
    fence = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.lstrip()
        if not fence and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif fence and stripped.startswith(fence):
            fence = ""
        elif not fence and not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out) + "\n"
