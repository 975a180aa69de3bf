"""The source format and the typed model, declared once: plain frozen data, no I/O, no YAML.

Each `record` below is both a model class the renderers read and the declaration of how it is
written in YAML: every field carries its spec (`field(Text(...))`, see ``schema.py``), and a field
with a default is optional. The validator, the JSON Schemas in ``source/schema/`` and the field
reference ``source/schema/README.md`` all follow from these classes. Fields declared with a
bare `field()` are filled in by the build (a question's topic). To add a field: declare it here,
then show it in the renderers that need it; ``python build.py --only schema`` refreshes the
generated files.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields, replace
from typing import Any

from .schema import (
    Bool,
    Code,
    Enum,
    Int,
    List,
    Markdown,
    Number,
    Obj,
    Ref,
    Slug,
    Text,
    field,
    obj,
    record,
    spec_of,
)

KINDS = ("technical", "system-design", "scenario", "behavioral", "coding")
LEVELS = ("mid", "senior", "staff")
CARD_KINDS = ("why", "contrast", "fact", "scenario")
COMPUTED_TABLES = ("availability",)
SEMVER = r"^\d+\.\d+\.\d+$"


# -- Shared field specs ---------------------------------------------------------------------

TRACK_REFS = List(
    "Tracks (roles) this item belongs to; defaults to the topic's tracks.",
    Ref("A track id from deck.yaml.", ("tracks",)),
    min_items=1,
)
SOURCE = Text(
    "Where a number that changes over time comes from (title or URL).", limit=25, sheet=True
)
YEAR = Int("The year of `source`; printed next to the number.", 1950, 2100)
STAR_PART = Text("One STAR part, a sentence or two.", warn=40, limit=70)
# The parts of a STAR(R) story, in telling order: fields of Star and Story, and (capitalised)
# fields of their note types.
STAR_PARTS = ("situation", "task", "action", "result", "reflection")
COMPETENCY = Text("A competency.", limit=4)
PITFALLS = List("Common mistakes in answers.", Text("One pitfall.", warn=25, limit=40))
RELATED = List(
    "Ids of related questions or frameworks.",
    Ref("A question or framework id.", ("questions", "frameworks")),
)
STAR_RESULT = Text(
    "The outcome, with a number.",
    warn=40,
    limit=70,
    pattern=r"\d",
    pattern_hint="has no number; say what changed and by how much (time, rate, count)",
)


@record
class Retired:
    """Withdraws a released item: its notes stay (imports never delete) with a notice and the
    tag prepdeck::retired. Never delete a released item or reuse its id."""

    version: str = field(
        Text(
            "The release that retires it, MAJOR.MINOR.PATCH.",
            limit=1,
            pattern=SEMVER,
            pattern_hint="is not a version like 0.4.0 (the release that retires the item)",
        )
    )
    reason: str = field(
        Text("One line for the user: why it went, or what replaces it.", warn=20, limit=30)
    )


RETIRED = spec_of(Retired)


@record
class Track:
    """A track (role) that selects a slice of the material."""

    id: str = field(Slug("Track id; used in tags (track::ID)."))
    title: str = field(Text("Title of the track.", limit=8, sheet=True))


@record
class Point:
    """One key point of a framework: a short label plus a one-line gloss."""

    point: str = field(
        Text(
            "The label, as it appears on the outline card and the cheat sheet.",
            warn=5,
            limit=8,
            chars=48,
            sheet=True,
        )
    )
    gloss: str = field(
        Text(
            "One line that explains the point; shown when the point is the hidden cloze.",
            warn=25,
            limit=40,
        )
    )


STEPS = List("The ordered key points (2-5; regroup a longer list).", spec_of(Point), 2, 5)


@record
class Diagram:
    """A picture: `kind` "graph" (source is Graphviz DOT) or "chart" (source is the chart
    spec as canonical JSON); `alt` describes it in words. Written in YAML as `DIAGRAM`."""

    kind: str = field()
    alt: str = field()
    source: str = field()


CHART = obj(
    "A chart the build draws (matplotlib): traffic steps, burn rates, nines.",
    "type x series",
    type=Enum(
        "step (a value that jumps, e.g. canary traffic), line, or bar.", ("step", "line", "bar")
    ),
    title=Text("Optional title inside the chart.", limit=8),
    x=List(
        "The x values: numbers, or short labels for a bar chart.",
        Text("One x value or label.", limit=3, chars=16, numbers_ok=True),
        2,
        24,
    ),
    x_label=Text("Label of the x axis.", limit=6),
    y_label=Text("Label of the y axis.", limit=6),
    log_y=Bool("A logarithmic y axis."),
    series=List(
        "One to three series, each a value per x.",
        obj(
            "One series.",
            "label values",
            label=Text("Legend label.", limit=6),
            values=List("One number per x value.", Number("A value."), 2, 24),
        ),
        1,
        3,
    ),
    lines=List(
        "Horizontal reference lines (thresholds).",
        obj(
            "A threshold line.",
            "y label",
            y=Number("Where it is."),
            label=Text("Its label.", limit=5),
        ),
        0,
        4,
    ),
)
# The one form that differs from its model class: the validator draws it (`convert`) and
# keeps the drawing's source, so a picture that cannot be drawn is a source problem.
DIAGRAM = Obj(
    "A picture where it teaches better than words: a Graphviz graph (dot) or a chart. "
    "Shown on the card's back, in the reference and, when it fits, on the sheet.",
    {
        "alt": Text(
            "What the picture shows, in one sentence (read aloud by screen readers).",
            warn=35,
            limit=50,
        ),
        "dot": Code(
            "The graph in Graphviz DOT, e.g. `digraph { rankdir=TB; a -> b }`. Only layout "
            "attributes; colours and fonts come from the theme."
        ),
        "chart": CHART,
    },
    frozenset({"alt"}),
    one_of=("dot", "chart"),
    name="Diagram",
    model=Diagram,
    convert="diagram",
)


@record
class QA:
    """An extra card: why/when, a contrast between confusable ideas, a fact or a scenario."""

    # Follow-ups are QA cards too: their form (FOLLOWUPS) has no `kind` and no `diagram`.

    id: str = field(Slug("Stable id, unique within its parent; never reuse or change it."))
    kind: str = field(Enum("What the card trains.", CARD_KINDS))  # "followup" for follow-ups
    q: str = field(Text("The front (one question).", warn=25, limit=40, question=True))
    a: str = field(Text("The back, short enough to say in a few seconds.", warn=35, limit=50))
    source: str | None = field(SOURCE, default=None)
    year: int | None = field(YEAR, default=None)
    diagram: Diagram | None = field(DIAGRAM, default=None)
    retired: Retired | None = field(RETIRED, default=None)


FOLLOWUPS = List(
    "Follow-up questions with short answers.",
    spec_of(
        QA,
        doc="A likely next question from the interviewer, with a short answer.",
        name="Follow-up",
        omit=("diagram",),
        kind="followup",
    ),
)
CARDS = List("Extra cards that drill the reasons, contrasts and facts.", spec_of(QA, name="Card"))


@record
class Topic:
    """The topic this file covers; it becomes a subdeck and a section."""

    id: str = field(Slug("Stable topic id; used in tags (topic::ID)."))
    title: str = field(
        Text(
            "Title; also the subdeck name, so keep it once released.",
            limit=6,
            sheet=True,
            deck_name=True,
        )
    )
    tracks: tuple[str, ...] = field(
        List(
            "Default tracks of the items in this file.",
            Ref("A track id.", ("tracks",)),
            min_items=1,
        )
    )
    file: str = field()  # the file that first declares it


TOPIC = spec_of(Topic)


@record
class Question:
    """An interview question with its answer framework."""

    id: str = field(
        Slug("Stable id: the GUID of every card and the anchor in REFERENCE.md derive from it.")
    )
    title: str = field(
        Text(
            "A short title (at most about 8 words) that the cheat sheet prints instead of "
            "the full prompt.",
            warn=8,
            limit=12,
            chars=70,
            sheet=True,
        ),
        default="",
    )
    prompt: str = field(
        Text(
            "The question as the interviewer asks it.", warn=25, limit=40, question=True, sheet=True
        )
    )
    kind: str = field(Enum("The kind of round.", KINDS))
    level: str = field(Enum("Seniority the question targets.", LEVELS))
    tracks: tuple[str, ...] = field(TRACK_REFS, default=())
    probing: str = field(Text("What the interviewer is really testing.", warn=35, limit=60))
    framework: tuple[Point, ...] = field(STEPS)
    answer: str = field(
        Markdown("The long model answer (Markdown); only REFERENCE.md prints it in full.")
    )
    followups: tuple[QA, ...] = field(FOLLOWUPS, default=())
    cards: tuple[QA, ...] = field(CARDS, default=())
    pitfalls: tuple[str, ...] = field(PITFALLS, default=())
    related: tuple[str, ...] = field(RELATED, default=())
    diagram: Diagram | None = field(DIAGRAM, default=None)
    retired: Retired | None = field(RETIRED, default=None)
    topic: str = field()


@record
class Framework:
    """A reusable framework (a release lifecycle, incident response steps)."""

    id: str = field(Slug("Stable id; never reuse or change it."))
    name: str = field(Text("Short name of the framework.", warn=6, limit=10, sheet=True))
    prompt: str = field(
        Text(
            "The outline card's front, e.g. 'The five steps of X, in order?'",
            warn=25,
            limit=40,
            question=True,
        )
    )
    tracks: tuple[str, ...] = field(TRACK_REFS, default=())
    steps: tuple[Point, ...] = field(STEPS)
    summary: str = field(
        Markdown("When and why to use it (Markdown, for REFERENCE.md)."), default=""
    )
    cards: tuple[QA, ...] = field(CARDS, default=())
    related: tuple[str, ...] = field(RELATED, default=())
    diagram: Diagram | None = field(DIAGRAM, default=None)
    retired: Retired | None = field(RETIRED, default=None)
    topic: str = field()


@record
class Star:
    """An illustrative STAR(R) example for a behavioral question (invented; study the shape)."""

    id: str = field(Slug("Stable id; never reuse or change it."))
    prompt: str = field(
        Text("The behavioral question or request ('Tell me about...').", warn=30, limit=45)
    )
    spine: str = field(
        Text(
            "The story in one line (trigger: what you did; result), for the cheat sheet.",
            warn=14,
            limit=18,
            chars=100,
            sheet=True,
        )
    )
    tracks: tuple[str, ...] = field(TRACK_REFS, default=())
    probing: str = field(Text("What the interviewer listens for.", warn=35, limit=60))
    situation: str = field(STAR_PART)
    task: str = field(STAR_PART)
    action: str = field(STAR_PART)
    result: str = field(STAR_RESULT)
    reflection: str = field(STAR_PART)
    competencies: tuple[str, ...] = field(List("Competencies the story shows.", COMPETENCY, 1, 6))
    retired: Retired | None = field(RETIRED, default=None)
    topic: str = field()


@record
class Term:
    """A glossary term."""

    id: str = field(Slug("Stable id; never reuse or change it."))
    term: str = field(Text("The term.", warn=6, limit=10, sheet=True))
    definition: str = field(
        Text("A definition that fits on a card.", warn=35, limit=50, sheet=True)
    )
    tracks: tuple[str, ...] = field(TRACK_REFS, default=())
    source: str | None = field(SOURCE, default=None)
    year: int | None = field(YEAR, default=None)
    related: tuple[str, ...] = field(
        List(
            "Ids of related terms, questions or frameworks.",
            Ref("An id.", ("questions", "frameworks", "terms")),
        ),
        default=(),
    )
    diagram: Diagram | None = field(DIAGRAM, default=None)
    retired: Retired | None = field(RETIRED, default=None)
    topic: str = field()


CELL = Text("One cell: a few words.", warn=8, limit=12, chars=80, sheet=True)


@record
class Table:
    """A compact reference table for the cheat sheet and the reference (e.g. strategies
    compared). Give columns and rows, or `computed` for a table the build calculates."""

    id: str = field(Slug("Stable id; the anchor in REFERENCE.md."))
    title: str = field(Text("Title of the table.", limit=8, sheet=True))
    computed: str | None = field(
        Enum(
            "A table the build computes instead of columns and rows: availability "
            "(the downtime each SLO allows per 30 and 365 days).",
            COMPUTED_TABLES,
        ),
        default=None,
    )
    columns: tuple[str, ...] = field(List("Column headings.", CELL, 2, 5), default=())
    rows: tuple[tuple[str, ...], ...] = field(
        List("Rows; each has one cell per column.", List("One row.", CELL, 2, 5), 1, 12),
        default=(),
    )
    source: str | None = field(SOURCE, default=None)
    year: int | None = field(YEAR, default=None)
    topic: str = field()


@record
class TopicFile:
    """A prepdeck topic file: one topic and its questions, frameworks, STAR examples, terms
    and tables."""

    # Every list field below is an item kind: the validator builds each the same way, and
    # `Source` has a field of the same name. A new kind is one record and one field here.

    topic: Topic = field(TOPIC)
    questions: tuple[Question, ...] = field(
        List("Interview questions.", spec_of(Question)), default=()
    )
    frameworks: tuple[Framework, ...] = field(
        List("Reusable frameworks.", spec_of(Framework)), default=()
    )
    stars: tuple[Star, ...] = field(List("Illustrative STAR examples.", spec_of(Star)), default=())
    terms: tuple[Term, ...] = field(List("Glossary terms.", spec_of(Term)), default=())
    tables: tuple[Table, ...] = field(List("Compact reference tables.", spec_of(Table)), default=())


@record
class Confusable:
    """Two glossary terms learners mix up; the build checks that a contrast card names both."""

    a: str = field(Ref("A term id.", ("terms",)))
    b: str = field(Ref("The other term id.", ("terms",)))


@record
class Deck:
    """The project-wide settings of the source tree (deck.yaml)."""

    title: str = field(
        Text("Title printed on the reference and cheat sheet.", limit=12, sheet=True)
    )
    deck: str = field(
        Text(
            "Root Anki deck name; keep it once released (cards never move).",
            limit=6,
            deck_name=True,
        )
    )
    tracks: tuple[Track, ...] = field(
        List("The tracks items can belong to.", spec_of(Track), min_items=1)
    )
    confusables: tuple[Confusable, ...] = field(
        List("Pairs of terms that need a contrast card (rule C7).", spec_of(Confusable)),
        default=(),
    )


@record
class Story:
    """One of your own stories. Bullet-like sentences, not a script; figures from your work."""

    id: str = field(
        Slug("Stable id of the story; your cards keep their history while it stays the same.")
    )
    headline: str = field(
        Text("The story in one line, with its impact.", warn=15, limit=25, sheet=True)
    )
    situation: str = field(STAR_PART)
    task: str = field(STAR_PART)
    action: str = field(STAR_PART)
    result: str = field(
        dataclasses.replace(STAR_RESULT, pattern=r"\d|\bTODO\b")  # the template's TODO warns
    )
    reflection: str = field(STAR_PART)
    competencies: tuple[str, ...] = field(List("Competencies the story shows.", COMPETENCY, 1, 8))
    answers: tuple[str, ...] = field(
        List(
            "Ids of the behavioral questions or STAR examples this story answers.",
            Ref("A question or STAR example id.", ("questions", "stars")),
            1,
        )
    )


@record
class MyQuestion:
    """A question of your own (one a recruiter told you to expect, or a company's known
    loop). Only id, prompt and answer are required."""

    id: str = field(Slug("Stable id; your card keeps its history while it stays the same."))
    title: str = field(
        Text(
            "A short title for your sheet (at most about 8 words).",
            warn=8,
            limit=12,
            chars=70,
            sheet=True,
        ),
        default="",
    )
    prompt: str = field(Text("The question as you expect it.", warn=25, limit=40, sheet=True))
    answer: str = field(
        Markdown("Your answer (Markdown: code blocks, lists and tables); on the card's back.")
    )
    probing: str = field(Text("What you think they are testing.", warn=35, limit=60), default="")
    framework: tuple[Point, ...] = field(
        List("Optional key points (2-5), drilled like the public ones.", spec_of(Point), 2, 5),
        default=(),
    )
    followups: tuple[QA, ...] = field(FOLLOWUPS, default=())
    pitfalls: tuple[str, ...] = field(
        List("Mistakes to avoid.", Text("One pitfall.", warn=25, limit=40)), default=()
    )


@record
class Bank:
    """Your personal file: your story bank (3-8 stories) and your own questions, built into
    private 'My Stories' and 'My Questions' subdecks, never into a release."""

    stories: tuple[Story, ...] = field(List("Your stories.", spec_of(Story), 0, 12), default=())
    questions: tuple[MyQuestion, ...] = field(
        List("Your own questions.", spec_of(MyQuestion)), default=()
    )


TOPIC_FILE = spec_of(TopicFile, name="Topic file")
# The item kinds, by their key in a topic file (and field of Source and TopicItems): the form
# each is written in, and its model class.
ITEM_FORMS: dict[str, Obj] = {
    key: spec.item
    for key, spec in TOPIC_FILE.fields.items()
    if isinstance(spec, List) and isinstance(spec.item, Obj)
}
ITEM_KINDS: dict[str, type] = {
    key: form.model for key, form in ITEM_FORMS.items() if form.model is not None
}
DECK_FILE = spec_of(Deck, name="Deck settings")
STORIES_FILE = spec_of(Bank, name="Personal file")


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

    def items(self, kind: str) -> tuple[Any, ...]:
        """The items of one kind ("questions", ...: a key of ITEM_KINDS)."""
        return getattr(self, kind)  # type: ignore[no-any-return]

    def in_topic(self, topic_id: str) -> TopicItems:
        """The items of one topic, in source order (notes, sheet and reference all need it)."""
        return TopicItems(
            **{k: tuple(i for i in self.items(k) if i.topic == topic_id) for k in ITEM_KINDS}
        )

    def current(self) -> Source:
        """The source without retired items (sub-cards included) or links to them: what the
        reference and the sheet show."""
        gone = {i.id for k in ITEM_KINDS for i in self.items(k) if getattr(i, "retired", None)}

        def live(item: Any) -> Any:
            changes: dict[str, tuple[Any, ...]] = {}
            for name in ("followups", "cards"):
                if hasattr(item, name):
                    changes[name] = tuple(qa for qa in getattr(item, name) if not qa.retired)
            if hasattr(item, "related"):
                changes["related"] = tuple(i for i in item.related if i not in gone)
            return replace(item, **changes)

        kept: dict[str, Any] = {
            k: tuple(live(i) for i in self.items(k) if not getattr(i, "retired", None))
            for k in ITEM_KINDS
        }
        return replace(self, **kept)

    def for_track(self, track: str) -> Source:
        """The items of one track (a question keeps all its cards); the kinds without tracks
        (tables) follow their topic; topics left empty go."""
        tracked: dict[str, Any] = {
            k: tuple(i for i in self.items(k) if track in i.tracks)
            for k, cls in ITEM_KINDS.items()
            if "tracks" in {f.name for f in fields(cls)}
        }
        used = {i.topic for items in tracked.values() for i in items}
        rest: dict[str, Any] = {
            k: tuple(i for i in self.items(k) if i.topic in used)
            for k in ITEM_KINDS
            if k not in tracked
        }
        return replace(
            self, topics=tuple(t for t in self.topics if t.id in used), **tracked, **rest
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
