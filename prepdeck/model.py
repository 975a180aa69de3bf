"""The typed model of the source: plain frozen data, no I/O, no YAML."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Track:
    id: str
    title: str


@dataclass(frozen=True)
class Retired:
    version: str
    reason: str


@dataclass(frozen=True)
class Point:
    point: str
    gloss: str


@dataclass(frozen=True, kw_only=True)
class Diagram:
    """A picture: `kind` "graph" (source is Graphviz DOT) or "chart" (source is the chart
    spec as canonical JSON); `alt` describes it in words."""

    kind: str
    alt: str
    source: str


@dataclass(frozen=True, kw_only=True)
class QA:
    """A short question/answer card: a follow-up, or a why / contrast / fact / scenario card."""

    id: str  # local id, unique within the parent item
    kind: str  # followup, why, contrast, fact, scenario
    q: str
    a: str
    source: str | None = None
    year: int | None = None
    retired: Retired | None = None
    diagram: Diagram | None = None


@dataclass(frozen=True, kw_only=True)
class Topic:
    id: str
    title: str
    tracks: tuple[str, ...]
    file: str


@dataclass(frozen=True, kw_only=True)
class Question:
    id: str
    topic: str
    prompt: str
    kind: str
    level: str
    tracks: tuple[str, ...]
    probing: str
    framework: tuple[Point, ...]
    answer: str
    followups: tuple[QA, ...] = ()
    cards: tuple[QA, ...] = ()
    pitfalls: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    retired: Retired | None = None
    title: str = ""  # the cheat sheet's short title; empty: the sheet prints the prompt
    diagram: Diagram | None = None


@dataclass(frozen=True, kw_only=True)
class Framework:
    id: str
    topic: str
    name: str
    prompt: str
    tracks: tuple[str, ...]
    steps: tuple[Point, ...]
    summary: str = ""
    cards: tuple[QA, ...] = ()
    related: tuple[str, ...] = ()
    retired: Retired | None = None
    diagram: Diagram | None = None


@dataclass(frozen=True, kw_only=True)
class Star:
    id: str
    topic: str
    prompt: str
    spine: str
    tracks: tuple[str, ...]
    probing: str
    situation: str
    task: str
    action: str
    result: str
    reflection: str
    competencies: tuple[str, ...]
    retired: Retired | None = None


@dataclass(frozen=True, kw_only=True)
class Term:
    id: str
    topic: str
    term: str
    definition: str
    tracks: tuple[str, ...]
    source: str | None = None
    year: int | None = None
    related: tuple[str, ...] = ()
    retired: Retired | None = None
    diagram: Diagram | None = None


@dataclass(frozen=True, kw_only=True)
class Table:
    id: str
    topic: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str | None = None
    year: int | None = None
    computed: str | None = None  # e.g. "availability": rows calculated by the build


@dataclass(frozen=True)
class TopicItems:
    questions: tuple[Question, ...]
    frameworks: tuple[Framework, ...]
    stars: tuple[Star, ...]
    terms: tuple[Term, ...]
    tables: tuple[Table, ...]


@dataclass(frozen=True, kw_only=True)
class Source:
    """Everything in the source tree, in source order."""

    title: str
    deck: str
    tracks: tuple[Track, ...]
    topics: tuple[Topic, ...]
    questions: tuple[Question, ...]
    frameworks: tuple[Framework, ...]
    stars: tuple[Star, ...]
    terms: tuple[Term, ...]
    tables: tuple[Table, ...] = ()
    media: tuple[tuple[str, bytes], ...] = ()  # media-folder pictures the text shows

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.topics if t.id == topic_id)

    def in_topic(self, topic_id: str) -> TopicItems:
        """The items of one topic, in source order (notes, sheet and reference all need it)."""
        return TopicItems(
            tuple(q for q in self.questions if q.topic == topic_id),
            tuple(f for f in self.frameworks if f.topic == topic_id),
            tuple(s for s in self.stars if s.topic == topic_id),
            tuple(t for t in self.terms if t.topic == topic_id),
            tuple(t for t in self.tables if t.topic == topic_id),
        )

    def current(self) -> Source:
        """The source without retired items: what the reference and the sheet show."""
        gone = {q.id for q in self.questions if q.retired}
        gone |= {f.id for f in self.frameworks if f.retired}
        gone |= {s.id for s in self.stars if s.retired}
        gone |= {t.id for t in self.terms if t.retired}

        def live_qas(qas: tuple[QA, ...]) -> tuple[QA, ...]:
            return tuple(qa for qa in qas if not qa.retired)

        def live(ids: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(i for i in ids if i not in gone)

        return replace(
            self,
            questions=tuple(
                replace(
                    q,
                    followups=live_qas(q.followups),
                    cards=live_qas(q.cards),
                    related=live(q.related),
                )
                for q in self.questions
                if not q.retired
            ),
            frameworks=tuple(
                replace(f, cards=live_qas(f.cards), related=live(f.related))
                for f in self.frameworks
                if not f.retired
            ),
            stars=tuple(s for s in self.stars if not s.retired),
            terms=tuple(replace(t, related=live(t.related)) for t in self.terms if not t.retired),
        )

    def for_track(self, track: str) -> Source:
        """The items of one track (a question keeps all its cards); topics left empty go."""
        questions = tuple(q for q in self.questions if track in q.tracks)
        frameworks = tuple(f for f in self.frameworks if track in f.tracks)
        stars = tuple(s for s in self.stars if track in s.tracks)
        terms = tuple(t for t in self.terms if track in t.tracks)
        used = {q.topic for q in questions} | {f.topic for f in frameworks}
        used |= {s.topic for s in stars} | {t.topic for t in terms}
        return replace(
            self,
            topics=tuple(t for t in self.topics if t.id in used),
            questions=questions,
            frameworks=frameworks,
            stars=stars,
            terms=terms,
            tables=tuple(t for t in self.tables if t.topic in used),
        )

    def retired_items(self) -> list[tuple[str, str, Retired]]:
        """(id, title, retirement) of every retired item, sub-cards included, in source order."""
        out: list[tuple[str, str, Retired]] = []
        for q in self.questions:
            if q.retired:
                out.append((q.id, q.prompt, q.retired))
            out += [
                (f"{q.id}/{c.id}", c.q, c.retired)
                for c in (*q.followups, *q.cards)
                if c.retired and not q.retired
            ]
        for f in self.frameworks:
            if f.retired:
                out.append((f.id, f.name, f.retired))
            out += [
                (f"{f.id}/{c.id}", c.q, c.retired) for c in f.cards if c.retired and not f.retired
            ]
        out += [(s.id, s.prompt, s.retired) for s in self.stars if s.retired]
        out += [(t.id, t.term, t.retired) for t in self.terms if t.retired]
        return out
