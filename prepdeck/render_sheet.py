"""The model -> the cheat sheet's HTML: every framework as a numbered outline, grouped by topic.

The same outline pieces as the cards (`notes.outline_items`); no long prose. One accent colour
per topic, always next to the topic's name, so a black-and-white print loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import model
from .text import data_uri, escape, outline, rewrite_media, sheet_inline

ACCENTS = ("#1f4e8c", "#2e6b30", "#7a2f7a", "#9a4a12", "#00695c", "#8f1d30", "#4e342e", "#37474f")
PAPERS = {"a4": "A4 landscape", "letter": "letter landscape"}
# Pages per paper size: a track's sheet is two sheets printed double-sided; the full sheet
# (every track) may take twice that. Over budget is a warning (an error with --strict).
TRACK_PAGE_BUDGET = 4
PAGE_BUDGET = 8


@dataclass(frozen=True)
class Layout:
    """Which sheet it is: the subtitle in its header, whether it ends with the glossary, and
    its page budget."""

    subtitle: str | None = None
    glossary: bool = True
    budget: int = PAGE_BUDGET


FULL = Layout()  # every track, with the glossary
MY_STORIES = Layout("my stories")  # the full sheet plus your own material


def track_layout(title: str) -> Layout:
    """A track's sheet: its outlines only (the glossary is on the full sheet), 4 pages."""
    return Layout(title, glossary=False, budget=TRACK_PAGE_BUDGET)


def _item(title: str, points: str, extra: str = "") -> str:
    return f'<div class="item"><p class="q">{title}</p><ol>{points}</ol>{extra}</div>'


def _picture(diagram: model.Diagram | None, show: bool) -> str:
    """A diagram under its item, light variant, inline (the sheet fetches nothing)."""
    if diagram is None or not show:
        return ""
    from .diagrams import draw

    uri = data_uri("d.svg", draw(diagram.kind, diagram.source).light)
    return f'<img class="diagram" src="{uri}" alt="{escape(diagram.alt)}">'


def _table(
    title: str,
    columns: tuple[str, ...],
    rows: list[tuple[str, ...]] | tuple[tuple[str, ...], ...],
    note: str = "",
) -> str:
    head = "".join(f"<th>{sheet_inline(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{sheet_inline(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return (
        f'<div class="item"><p class="q">{title}</p><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{note}</div>"
    )


_COMPUTED_NOTE = '<p class="src">Computed: (1 - SLO) x window.</p>'


def _points(points: tuple[model.Point, ...]) -> str:
    return outline((p.point for p in points), "sheet")


def _term_source(t: model.Term) -> str:
    return f" ({sheet_inline(t.source)}, {t.year})" if t.source and t.year else ""


def _source(source: str | None, year: int | None) -> str:
    return f'<p class="src">Source: {sheet_inline(source)}, {year}</p>' if source and year else ""


def _topic(src: model.Source, topic: model.Topic, accent: str, pictures: bool) -> str:
    items = src.in_topic(topic.id)
    questions, frameworks, stars, tables = (
        items.questions,
        items.frameworks,
        items.stars,
        items.tables,
    )
    parts = [
        f'<h2 class="topic-head">{escape(topic.title)} '
        f'<span class="count">({len(questions)} questions)</span></h2>'
    ]
    parts += [
        _item(
            sheet_inline(q.title or q.prompt), _points(q.framework), _picture(q.diagram, pictures)
        )
        for q in questions
    ]
    parts += [
        _item(
            f'{sheet_inline(f.name)} <span class="tag">framework</span>',
            _points(f.steps),
            _picture(f.diagram, pictures),
        )
        for f in frameworks
    ]
    parts += [
        _table(
            sheet_inline(t.title),
            t.columns,
            t.rows,
            _COMPUTED_NOTE if t.computed else _source(t.source, t.year),
        )
        for t in tables
    ]
    if stars:
        spine = "".join(f"<li>{sheet_inline(s.spine)}</li>" for s in stars)
        parts.append(
            '<div class="item"><p class="q">STAR examples '
            '<span class="tag">invented; use your own</span></p>'
            f"<ol>{spine}</ol></div>"
        )
    return f'<section style="--accent: {accent}">{"".join(parts)}</section>'


def _reference(src: model.Source) -> str:
    parts = ['<h2 class="topic-head">Key terms</h2>']
    terms = "".join(
        f"<p><b>{sheet_inline(t.term)}</b>: {sheet_inline(t.definition)}{_term_source(t)}</p>"
        for t in sorted(src.terms, key=lambda t: t.term.casefold())
    )
    parts.append(f'<div class="terms">{terms}</div>')
    return f'<section style="--accent: #222">{"".join(parts)}</section>'


def render_sheet(
    src: model.Source,
    *,
    paper: str,
    version: str,
    build_date: str,
    commit: str,
    url: str,
    license_name: str,
    layout: Layout = FULL,
    extra: str = "",
    pictures: bool = True,
) -> str:
    """The whole sheet as one HTML document for `paper` ('a4' or 'letter'). `extra` is HTML
    appended before the glossary (the private competency map)."""
    topics = "".join(
        _topic(src, t, ACCENTS[i % len(ACCENTS)], pictures) for i, t in enumerate(src.topics)
    )
    footer = f"v{version} · built {build_date} · commit {commit} · {license_name} · {url}"
    heading = f"{src.title} · {layout.subtitle}" if layout.subtitle else src.title
    page = (
        f"@page {{ size: {PAPERS[paper]}; "
        f"@top-left {{ content: {_css_string(heading)}; }} "
        f"@top-right {{ content: {_css_string('Content version ' + version)}; }} "
        f"@bottom-left {{ content: {_css_string(footer)}; }} }}"
    )
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(src.title)}</title>"
        f'<meta name="generator" content="prepdeck {escape(version)}">'
        f"<style>{page}</style></head><body>"
        f"<main>{topics}{extra}{_reference(src) if layout.glossary else ''}</main></body></html>"
    )
    return rewrite_media(html, _data_uris(src))


def _data_uris(src: model.Source) -> dict[str, str]:
    """Media-folder pictures inline: the sheet fetches nothing."""
    return {name: data_uri(name, data) for name, data in src.media}


def _css_string(text: str) -> str:
    """A CSS string literal; the text also sits inside an HTML <style>, so `<` is escaped."""
    escaped = "".join(c if c.isalnum() or c in " .,:;-_/()·'" else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'
