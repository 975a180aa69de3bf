"""The typed model of the source: plain frozen data, no I/O, no YAML."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Track:
    id: str
    title: str


@dataclass(frozen=True)
class Point:
    point: str
    gloss: str


@dataclass(frozen=True)
class QA:
    """A short question/answer card: a follow-up, or a why / contrast / fact / scenario card."""

    id: str  # local id, unique within the parent item
    kind: str  # followup, why, contrast, fact, scenario
    q: str
    a: str
    source: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    tracks: tuple[str, ...]
    file: str


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Term:
    id: str
    topic: str
    term: str
    definition: str
    tracks: tuple[str, ...]
    source: str | None = None
    year: int | None = None
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    id: str
    topic: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str | None = None
    year: int | None = None


@dataclass(frozen=True)
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

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.topics if t.id == topic_id)
