"""The model -> REFERENCE.md: the long-form answers, browsable on GitHub and offline.

Deterministic and diff-friendly: source order, no timestamps besides the version line, one blank
line between blocks. Every item gets an explicit anchor equal to its id, which the cards link to.
Single-line fields are inline Markdown; they are escaped where their position could change the
document's structure (a trailing `#` in a heading, a leading `|`).
"""

from __future__ import annotations

from . import model
from .text import ref_block, ref_inline

_KIND = {"system-design": "system design"}


_inline = ref_inline


def _anchor(item_id: str) -> str:
    return f'<a id="{item_id}"></a>'


def _points(points: tuple[model.Point, ...]) -> str:
    return "\n".join(f"{i}. **{_inline(p.point)}**: {_inline(p.gloss)}"
                     for i, p in enumerate(points, 1))


def _source(qa: model.QA | model.Term) -> str:
    return f" *(Source: {_inline(qa.source)}, {qa.year})*" if qa.source and qa.year else ""


def _qas(title: str, qas: tuple[model.QA, ...]) -> list[str]:
    if not qas:
        return []
    lines = [f"- **{_inline(qa.q)}** {_inline(qa.a)}{_source(qa)}" for qa in qas]
    return [f"**{title}**", "\n".join(lines)]


def _related(ids: tuple[str, ...], titles: dict[str, str]) -> list[str]:
    if not ids:
        return []
    return ["Related: " + " · ".join(f"[{titles[i]}](#{i})" for i in ids)]


def _question(q: model.Question, titles: dict[str, str], tracks: dict[str, str]) -> list[str]:
    badges = " · ".join([f"`{_KIND.get(q.kind, q.kind)}`", f"`{q.level}`",
                         *(f"`{tracks[t]}`" for t in q.tracks)])
    out = [_anchor(q.id), f"### {_inline(q.prompt)}", badges,
           f"**What they are probing:** {_inline(q.probing)}",
           "**Framework**", _points(q.framework),
           "**Model answer**", ref_block(q.answer)]
    out += _qas("Follow-ups", q.followups)
    out += _qas("Why, contrasts and facts", q.cards)
    if q.pitfalls:
        out += ["**Pitfalls**", "\n".join(f"- {_inline(p)}" for p in q.pitfalls)]
    return out + _related(q.related, titles)


def _framework(f: model.Framework, titles: dict[str, str]) -> list[str]:
    out = [_anchor(f.id), f"### Framework: {_inline(f.name)}", f"*{_inline(f.prompt)}*",
           _points(f.steps)]
    if f.summary:
        out.append(ref_block(f.summary))
    out += _qas("Why and contrasts", f.cards)
    return out + _related(f.related, titles)


def _star(s: model.Star) -> list[str]:
    parts = [("Situation", s.situation), ("Task", s.task), ("Action", s.action),
             ("Result", s.result), ("Reflection", s.reflection)]
    return [_anchor(s.id), f"### STAR example: {_inline(s.prompt)}",
            "*An invented illustration of the shape; answer with your own story.*",
            f"**In one line:** {_inline(s.spine)}",
            f"**They listen for:** {_inline(s.probing)}",
            "\n".join(f"- **{label}.** {_inline(text)}" for label, text in parts),
            f"Competencies: {', '.join(_inline(c) for c in s.competencies)}"]


def _counts(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_reference(full: model.Source, version: str) -> str:
    """The reference of the live items; retired ones keep an anchor in a closing section, so
    links from cards already in users' collections still land somewhere useful."""
    src = full.current()
    titles = {q.id: _inline(q.prompt) for q in src.questions}
    titles.update({f.id: f"Framework: {_inline(f.name)}" for f in src.frameworks})
    titles.update({t.id: _inline(t.term) for t in src.terms})
    tracks = {t.id: t.title for t in src.tracks}
    blocks: list[str] = [
        f"# {_inline(src.title)}",
        f"Content version **{version}**. Generated from `source/` by `python build.py`; edit the "
        "YAML, not this file. Study the same material as Anki cards and a printable sheet: see "
        "the [README](README.md).",
        "## Contents",
    ]
    toc = []
    for t in src.topics:
        items = src.in_topic(t.id)
        parts = [_counts(len(items.questions), "question"),
                 _counts(len(items.frameworks), "framework"),
                 _counts(len(items.stars), "STAR example")]
        toc.append(f"- [{_inline(t.title)}](#topic-{t.id}): "
                   + ", ".join(p for p in parts if not p.startswith("0 ")))
    toc.append(f"- [Glossary](#glossary): {_counts(len(src.terms), 'term')}")
    retired = full.retired_items()
    if retired:
        toc.append(f"- [Retired](#retired): {_counts(len(retired), 'item')}")
    blocks.append("\n".join(toc))
    for t in src.topics:
        blocks += [f'<a id="topic-{t.id}"></a>', f"## {_inline(t.title)}"]
        items = src.in_topic(t.id)
        for q in items.questions:
            blocks += _question(q, titles, tracks)
        for f in items.frameworks:
            blocks += _framework(f, titles)
        for s in items.stars:
            blocks += _star(s)
    blocks += ['<a id="glossary"></a>', "## Glossary"]
    for term in sorted(src.terms, key=lambda x: (x.term.casefold(), x.id)):
        line = f"{_anchor(term.id)}**{_inline(term.term)}**: {_inline(term.definition)}"
        blocks.append(line + _source(term) + "".join(
            f" See [{titles[r]}](#{r})." for r in term.related))
    if retired:
        blocks += ['<a id="retired"></a>', "## Retired",
                   "Withdrawn from the decks. Their cards stay in your collection until you "
                   "delete them: search `tag:prepdeck::retired` in the Anki browser."]
        blocks.append("\n".join(
            f"- {_anchor(item_id)}**{_inline(title)}**: retired in v{r.version}. "
            f"{_inline(r.reason)}" for item_id, title, r in retired))
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
