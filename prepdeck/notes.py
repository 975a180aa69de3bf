"""The model as Anki notes: which note type, fields, deck, tags and order, as plain data.

This neutral layer is shared by the .apkg renderer, the tests and the release manifest, so the
question "what did we ship?" has one answer. Field values are HTML made by ``text.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import model, notetypes
from .ids import NAMESPACE, note_guid
from .render_markdown import page_of
from .text import anki_inline, anki_plain, cloze, deck_name, media_file_name, outline, rewrite_media

KIND_LABELS = {"system-design": "system design"}
RETIRED_TAG = "prepdeck::retired"


def retired_notice(retired: model.Retired) -> str:
    return (
        f'<div class="pd-notice">Retired in v{anki_plain(retired.version)}: '
        f"{anki_inline(retired.reason)} You can delete it: search "
        f"<code>tag:{RETIRED_TAG}</code> in the browser.</div>"
    )


Media = tuple[tuple[str, bytes], ...]


def diagram_html(diagram: model.Diagram) -> tuple[str, Media]:
    """The picture for a card's back: a light and a dark drawing, switched by the night-mode
    class, as media files named by their content."""
    from .diagrams import draw

    drawing = draw(diagram.kind, diagram.source)
    light, dark = drawing.name("light"), drawing.name("dark")
    alt = anki_plain(diagram.alt)
    return (
        f'<figure class="pd-diagram"><img class="pd-light" src="{light}" alt="{alt}">'
        f'<img class="pd-dark" src="{dark}" alt="{alt}"></figure>',
        ((light, drawing.light), (dark, drawing.dark)),
    )


@dataclass(frozen=True)
class NoteSpec:
    id: str  # the stable source id this note derives from
    notetype: str  # a key of notetypes.by_key
    deck: str
    fields: tuple[str, ...]  # in the note type's field order
    tags: tuple[str, ...]
    due: int  # position in the source, so new cards come in source order
    namespace: str = NAMESPACE  # personal stories use their own, so they never collide
    points: int | None = None  # cloze notes: how many key points (from the source, not the HTML)
    media: Media = ()  # (file name, bytes) of the pictures its fields show

    @property
    def guid(self) -> str:
        return note_guid(self.id, self.namespace)


def anchor_url(reference_url: str, anchor: str, pages: dict[str, str]) -> str:
    """The card's link: the item's page of the reference on GitHub, at its anchor."""
    return f"{reference_url}{pages[anchor]}#{anchor}"


def build_notes(src: model.Source, reference_url: str) -> list[NoteSpec]:
    """Every note of the public deck, in source order (topics, then items within them)."""
    builder = _Notes(src, reference_url)
    for topic in src.topics:
        builder.topic(topic)
    return builder.notes


class _Notes:
    def __init__(self, src: model.Source, reference_url: str) -> None:
        self.src = src
        self.ref = reference_url
        self.pages = page_of(src)
        # Media-folder pictures travel under content-hash names (an edit reaches users).
        self.pictures = {name: (media_file_name(name, data), data) for name, data in src.media}
        self.notes: list[NoteSpec] = []

    def add(
        self,
        key: str,
        note_id: str,
        deck: str,
        tags: list[str],
        retired: model.Retired | None = None,
        points: int | None = None,
        diagram: model.Diagram | None = None,
        **fields: str,
    ) -> None:
        nt = notetypes.by_key(key)
        unknown = set(fields) - set(nt.field_names)
        if unknown:  # a programming error in this module, not a source problem
            raise TypeError(f"note type {key!r} has no fields {sorted(unknown)}")
        media: Media = ()
        if retired:
            tags = [*tags, RETIRED_TAG]
            fields["Extra"] = retired_notice(retired)
        if diagram:  # shown at the foot of the back (the template hides it on the front)
            picture, media = diagram_html(diagram)
            fields["Extra"] = fields.get("Extra", "") + picture
        values = tuple(fields.get(name, "") for name in nt.field_names)
        if self.pictures:
            names = {name: new for name, (new, _) in self.pictures.items()}
            values = tuple(rewrite_media(v, names) for v in values)
            media += tuple(
                (new, data)
                for name, (new, data) in sorted(self.pictures.items())
                if any(f'src="{new}"' in v for v in values)
            )
        self.notes.append(
            NoteSpec(
                note_id,
                key,
                deck,
                values,
                tuple(sorted(set(tags))),
                len(self.notes),
                points=points,
                media=media,
            )
        )

    def topic(self, topic: model.Topic) -> None:
        deck = deck_name(self.src.deck, topic.title)
        items = self.src.in_topic(topic.id)
        for q in items.questions:
            self.question(q, topic, deck)
        for f in items.frameworks:
            self.framework(f, topic, deck)
        for s in items.stars:
            self.star(s, topic, deck)
        for t in items.terms:
            self.term(t, topic, deck)

    def _tags(
        self, topic: model.Topic, kind: str, tracks: tuple[str, ...], *extra: str
    ) -> list[str]:
        return [f"topic::{topic.id}", f"kind::{kind}", *(f"track::{t}" for t in tracks), *extra]

    def question(self, q: model.Question, topic: model.Topic, deck: str) -> None:
        link = anchor_url(self.ref, q.id, self.pages)
        extra = (f"round::{q.kind}", f"level::{q.level}")
        context = anki_plain(f"{topic.title} · {KIND_LABELS.get(q.kind, q.kind)} · {q.level}")
        self.add(
            "outline",
            q.id,
            deck,
            self._tags(topic, "outline", q.tracks, *extra),
            q.retired,
            diagram=q.diagram,
            Prompt=anki_inline(q.prompt),
            Outline=outline_items(q.framework),
            Probing=anki_inline(q.probing),
            Context=context,
            Link=link,
            Id=anki_plain(q.id),
        )
        self.steps(
            q.id, anki_inline(q.prompt), q.framework, topic, deck, q.tracks, link, extra, q.retired
        )
        for qa in (*q.followups, *q.cards):
            label = "Follow-up" if qa.kind == "followup" else qa.kind.capitalize()
            self.qa(
                q.id,
                qa,
                topic,
                deck,
                q.tracks,
                link,
                f"{label} · {anki_inline(q.prompt)}",
                extra,
                q.retired or qa.retired,
            )

    def framework(self, f: model.Framework, topic: model.Topic, deck: str) -> None:
        link = anchor_url(self.ref, f.id, self.pages)
        context = anki_plain(f"{topic.title} · framework · {f.name}")
        self.add(
            "outline",
            f.id,
            deck,
            self._tags(topic, "outline", f.tracks, "round::framework"),
            f.retired,
            diagram=f.diagram,
            Prompt=anki_inline(f.prompt),
            Outline=outline_items(f.steps),
            Context=context,
            Link=link,
            Id=anki_plain(f.id),
        )
        self.steps(
            f.id,
            anki_plain(f.name),
            f.steps,
            topic,
            deck,
            f.tracks,
            link,
            ("round::framework",),
            f.retired,
        )
        for qa in f.cards:
            self.qa(
                f.id,
                qa,
                topic,
                deck,
                f.tracks,
                link,
                f"{qa.kind.capitalize()} · {anki_plain(f.name)}",
                ("round::framework",),
                f.retired or qa.retired,
            )

    def steps(
        self,
        parent: str,
        title: str,
        points: tuple[model.Point, ...],
        topic: model.Topic,
        deck: str,
        tracks: tuple[str, ...],
        link: str,
        extra: tuple[str, ...],
        retired: model.Retired | None,
    ) -> None:
        text = "".join(f"<li>{cloze(i, p.point)}</li>" for i, p in enumerate(points, 1))
        glosses = "".join(
            f"<li><b>Step {i}.</b> {anki_inline(p.gloss)}</li>" for i, p in enumerate(points, 1)
        )
        self.add(
            "cloze",
            f"{parent}/steps",
            deck,
            self._tags(topic, "step", tracks, *extra),
            retired,
            points=len(points),
            Text=text,
            Glosses=glosses,
            Context=title,
            Link=link,
            Id=anki_plain(f"{parent}/steps"),
        )

    def qa(
        self,
        parent: str,
        qa: model.QA,
        topic: model.Topic,
        deck: str,
        tracks: tuple[str, ...],
        link: str,
        context: str,
        extra: tuple[str, ...],
        retired: model.Retired | None,
    ) -> None:
        note_id = f"{parent}/{qa.id}"
        self.add(
            "qa",
            note_id,
            deck,
            self._tags(topic, qa.kind, tracks, *extra),
            retired,
            diagram=qa.diagram,
            Front=anki_inline(qa.q),
            Back=anki_inline(qa.a),
            Context=context,
            Source=source_line(qa.source, qa.year),
            Link=link,
            Id=anki_plain(note_id),
        )

    def star(self, s: model.Star, topic: model.Topic, deck: str) -> None:
        parts: dict[str, Any] = {
            part.capitalize(): anki_inline(getattr(s, part)) for part in model.STAR_PARTS
        }
        self.add(
            "star",
            s.id,
            deck,
            self._tags(topic, "star", s.tracks, "round::behavioral"),
            s.retired,
            Prompt=anki_inline(s.prompt),
            Probing=anki_inline(s.probing),
            **parts,
            Competencies=anki_plain(", ".join(s.competencies)),
            Context=anki_plain(
                f"{topic.title} · behavioral · invented example: tell your own story"
            ),
            Link=anchor_url(self.ref, s.id, self.pages),
            Id=anki_plain(s.id),
        )

    def term(self, t: model.Term, topic: model.Topic, deck: str) -> None:
        self.add(
            "term",
            t.id,
            deck,
            self._tags(topic, "term", t.tracks),
            t.retired,
            diagram=t.diagram,
            Term=anki_inline(t.term),
            Definition=anki_inline(t.definition),
            Context=anki_plain(f"{topic.title} · term"),
            Source=source_line(t.source, t.year),
            Link=anchor_url(self.ref, t.id, self.pages),
            Id=anki_plain(t.id),
        )


def outline_items(points: tuple[model.Point, ...]) -> str:
    """The numbered outline of the outline card (the sheet prints the same points)."""
    return outline(p.point for p in points)


def source_line(source: str | None, year: int | None) -> str:
    return f"{anki_inline(source)} ({year})" if source and year else ""
