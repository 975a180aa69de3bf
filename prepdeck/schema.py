"""The source format, declared once.

The validator walks these specs, and ``json_schema()`` turns the same specs into the JSON Schema
that editors use through the ``yaml-language-server`` modeline, so the two can never disagree.
Word limits come from the card rules in .github/CONTRIBUTING.md: ``warn`` is the soft limit
(a warning, an error under ``--strict``), ``limit`` the hard cap (always an error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_TEXT_CHARS = 1_000
MAX_MARKDOWN_CHARS = 20_000

KINDS = ("technical", "system-design", "scenario", "behavioral", "coding")
LEVELS = ("mid", "senior", "staff")
CARD_KINDS = ("why", "contrast", "fact", "scenario")


@dataclass(frozen=True)
class Text:
    doc: str
    warn: int | None = None  # soft word limit
    limit: int | None = None  # hard word limit
    question: bool = False  # a card front: exactly one question mark
    chars: int | None = None  # hard character cap, where the sheet's layout needs one
    sheet: bool = False  # printed on the cheat sheet: every character needs a glyph there
    deck_name: bool = False  # an Anki deck name: '::' would nest a subdeck
    numbers_ok: bool = False  # a plain number is fine as text here (chart labels)


@dataclass(frozen=True)
class Markdown:
    doc: str


@dataclass(frozen=True)
class Slug:
    doc: str


@dataclass(frozen=True)
class Ref:
    """An id of another item; `to` names the collections it may point into."""

    doc: str
    to: tuple[str, ...]


@dataclass(frozen=True)
class Enum:
    doc: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Int:
    doc: str
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Bool:
    doc: str


@dataclass(frozen=True)
class Number:
    """A number (whole or decimal), for chart data."""

    doc: str


@dataclass(frozen=True)
class Code:
    """Multi-line text in a little language (Graphviz DOT), kept exactly as written."""

    doc: str


@dataclass(frozen=True)
class List:
    doc: str
    item: Spec
    min_items: int = 0
    max_items: int | None = None
    warn_items: int | None = None


@dataclass(frozen=True)
class Obj:
    doc: str
    fields: dict[str, Spec]
    required: frozenset[str] = field(default_factory=frozenset)


Spec = Text | Markdown | Slug | Ref | Enum | Int | Bool | Number | Code | List | Obj


def obj(doc: str, required: str, **fields: Spec) -> Obj:
    """An object spec; `required` lists the mandatory keys, space-separated."""
    return Obj(doc, fields, frozenset(required.split()))


RETIRED = obj(
    "Withdraws a released item: its notes stay (imports never delete) with a notice and the "
    "tag prepdeck::retired. Never delete a released item or reuse its id.",
    "version reason",
    version=Text("The release that retires it, MAJOR.MINOR.PATCH.", limit=1),
    reason=Text("One line for the user: why it went, or what replaces it.", warn=20, limit=30),
)

TRACK_REFS = List(
    "Tracks (roles) this item belongs to; defaults to the topic's tracks.",
    Ref("A track id from deck.yaml.", ("tracks",)),
    min_items=1,
)
SOURCE = Text(
    "Where a number that changes over time comes from (title or URL).", limit=25, sheet=True
)
YEAR = Int("The year of `source`; printed next to the number.", 1950, 2100)

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
DIAGRAM = obj(
    "A picture where it teaches better than words: a Graphviz graph (dot) or a chart. "
    "Shown on the card's back, in the reference and, when it fits, on the sheet.",
    "alt",
    alt=Text(
        "What the picture shows, in one sentence (read aloud by screen readers).", warn=35, limit=50
    ),
    dot=Code(
        "The graph in Graphviz DOT, e.g. `digraph { rankdir=TB; a -> b }`. Only layout "
        "attributes; colours and fonts come from the theme."
    ),
    chart=CHART,
)

POINT = obj(
    "One key point of a framework: a short label plus a one-line gloss.",
    "point gloss",
    point=Text(
        "The label, as it appears on the outline card and the cheat sheet.",
        warn=5,
        limit=8,
        chars=48,
        sheet=True,
    ),
    gloss=Text(
        "One line that explains the point; shown when the point is the hidden cloze.",
        warn=25,
        limit=40,
    ),
)
STEPS = List("The ordered key points (2-5; regroup a longer list).", POINT, 2, 5)

FOLLOWUP = obj(
    "A likely next question from the interviewer, with a short answer.",
    "id q a",
    id=Slug("Stable id, unique within its parent; never reuse or change it."),
    q=Text("The follow-up question (one question).", warn=25, limit=40, question=True),
    a=Text("The answer, short enough to say in a few seconds.", warn=35, limit=50),
    source=SOURCE,
    year=YEAR,
    retired=RETIRED,
)
CARD = obj(
    "An extra card: why/when, a contrast between confusable ideas, a fact or a scenario.",
    "id kind q a",
    id=Slug("Stable id, unique within its parent; never reuse or change it."),
    kind=Enum("What the card trains.", CARD_KINDS),
    q=Text("The front (one question).", warn=25, limit=40, question=True),
    a=Text("The back, short enough to say in a few seconds.", warn=35, limit=50),
    source=SOURCE,
    year=YEAR,
    diagram=DIAGRAM,
    retired=RETIRED,
)
CARDS = List("Extra cards that drill the reasons, contrasts and facts.", CARD)

QUESTION = obj(
    "An interview question with its answer framework.",
    "id prompt kind level probing framework answer",
    id=Slug("Stable id: the GUID of every card and the anchor in REFERENCE.md derive from it."),
    title=Text(
        "A short title (at most about 8 words) that the cheat sheet prints instead of "
        "the full prompt.",
        warn=8,
        limit=12,
        chars=70,
        sheet=True,
    ),
    prompt=Text(
        "The question as the interviewer asks it.", warn=25, limit=40, question=True, sheet=True
    ),
    kind=Enum("The kind of round.", KINDS),
    level=Enum("Seniority the question targets.", LEVELS),
    tracks=TRACK_REFS,
    probing=Text("What the interviewer is really testing.", warn=35, limit=60),
    framework=STEPS,
    answer=Markdown("The long model answer (Markdown); only REFERENCE.md prints it in full."),
    followups=List("Follow-up questions with short answers.", FOLLOWUP),
    cards=CARDS,
    pitfalls=List("Common mistakes in answers.", Text("One pitfall.", warn=25, limit=40)),
    related=List(
        "Ids of related questions or frameworks.",
        Ref("A question or framework id.", ("questions", "frameworks")),
    ),
    diagram=DIAGRAM,
    retired=RETIRED,
)

FRAMEWORK = obj(
    "A reusable framework (a release lifecycle, incident response steps).",
    "id name prompt steps",
    id=Slug("Stable id; never reuse or change it."),
    name=Text("Short name of the framework.", warn=6, limit=10, sheet=True),
    prompt=Text(
        "The outline card's front, e.g. 'The five steps of X, in order?'",
        warn=25,
        limit=40,
        question=True,
    ),
    tracks=TRACK_REFS,
    steps=STEPS,
    summary=Markdown("When and why to use it (Markdown, for REFERENCE.md)."),
    cards=CARDS,
    related=List(
        "Ids of related questions or frameworks.",
        Ref("A question or framework id.", ("questions", "frameworks")),
    ),
    diagram=DIAGRAM,
    retired=RETIRED,
)

STAR_PART = Text("One STAR part, a sentence or two.", warn=40, limit=70)
STAR = obj(
    "An illustrative STAR(R) example for a behavioral question (invented; study the shape).",
    "id prompt spine probing situation task action result reflection competencies",
    id=Slug("Stable id; never reuse or change it."),
    prompt=Text("The behavioral question or request ('Tell me about...').", warn=30, limit=45),
    spine=Text(
        "The story in one line (trigger: what you did; result), for the cheat sheet.",
        warn=14,
        limit=18,
        chars=100,
        sheet=True,
    ),
    tracks=TRACK_REFS,
    probing=Text("What the interviewer listens for.", warn=35, limit=60),
    situation=STAR_PART,
    task=STAR_PART,
    action=STAR_PART,
    result=Text("The outcome, with a number.", warn=40, limit=70),
    reflection=STAR_PART,
    competencies=List("Competencies the story shows.", Text("A competency.", limit=4), 1, 6),
    retired=RETIRED,
)

TERM = obj(
    "A glossary term.",
    "id term definition",
    id=Slug("Stable id; never reuse or change it."),
    term=Text("The term.", warn=6, limit=10, sheet=True),
    definition=Text("A definition that fits on a card.", warn=35, limit=50, sheet=True),
    tracks=TRACK_REFS,
    source=SOURCE,
    year=YEAR,
    related=List(
        "Ids of related terms, questions or frameworks.",
        Ref("An id.", ("questions", "frameworks", "terms")),
    ),
    diagram=DIAGRAM,
    retired=RETIRED,
)

CELL = Text("One cell: a few words.", warn=8, limit=12, chars=80, sheet=True)
COMPUTED_TABLES = ("availability",)
TABLE = obj(
    "A compact reference table for the cheat sheet and the reference (e.g. strategies compared). "
    "Give columns and rows, or `computed` for a table the build calculates.",
    "id title",
    id=Slug("Stable id; the anchor in REFERENCE.md."),
    title=Text("Title of the table.", limit=8, sheet=True),
    computed=Enum(
        "A table the build computes instead of columns and rows: availability "
        "(the downtime each SLO allows per 30 and 365 days).",
        COMPUTED_TABLES,
    ),
    columns=List("Column headings.", CELL, 2, 5),
    rows=List("Rows; each has one cell per column.", List("One row.", CELL, 2, 5), 1, 12),
    source=SOURCE,
    year=YEAR,
)

TOPIC = obj(
    "The topic this file covers; it becomes a subdeck and a section.",
    "id title tracks",
    id=Slug("Stable topic id; used in tags (topic::ID)."),
    title=Text(
        "Title; also the subdeck name, so keep it once released.",
        limit=6,
        sheet=True,
        deck_name=True,
    ),
    tracks=List(
        "Default tracks of the items in this file.", Ref("A track id.", ("tracks",)), min_items=1
    ),
)

TOPIC_FILE = obj(
    "A prepdeck topic file: one topic and its questions, frameworks, STAR examples and terms.",
    "topic",
    topic=TOPIC,
    questions=List("Interview questions.", QUESTION),
    frameworks=List("Reusable frameworks.", FRAMEWORK),
    stars=List("Illustrative STAR examples.", STAR),
    terms=List("Glossary terms.", TERM),
    tables=List("Compact reference tables.", TABLE),
)

TRACK = obj(
    "A track (role) that selects a slice of the material.",
    "id title",
    id=Slug("Track id; used in tags (track::ID)."),
    title=Text("Title of the track.", limit=8, sheet=True),
)

CONFUSABLE = obj(
    "Two glossary terms learners mix up; the build checks that a contrast card names both.",
    "a b",
    a=Ref("A term id.", ("terms",)),
    b=Ref("The other term id.", ("terms",)),
)

DECK_FILE = obj(
    "The project-wide settings of the source tree.",
    "title deck tracks",
    title=Text("Title printed on the reference and cheat sheet.", limit=12, sheet=True),
    deck=Text(
        "Root Anki deck name; keep it once released (cards never move).", limit=6, deck_name=True
    ),
    tracks=List("The tracks items can belong to.", TRACK, min_items=1),
    confusables=List("Pairs of terms that need a contrast card (rule C7).", CONFUSABLE),
)


STORY = obj(
    "One of your own stories. Bullet-like sentences, not a script; figures from your work.",
    "id headline situation task action result reflection competencies answers",
    id=Slug("Stable id of the story; your cards keep their history while it stays the same."),
    headline=Text("The story in one line, with its impact.", warn=15, limit=25, sheet=True),
    situation=STAR_PART,
    task=STAR_PART,
    action=STAR_PART,
    result=Text("The outcome, with a number.", warn=40, limit=70),
    reflection=STAR_PART,
    competencies=List("Competencies the story shows.", Text("A competency.", limit=4), 1, 8),
    answers=List(
        "Ids of the behavioral questions or STAR examples this story answers.",
        Ref("A question or STAR example id.", ("questions", "stars")),
        1,
    ),
)

MY_QUESTION = obj(
    "A question of your own (one a recruiter told you to expect, or a company's known loop). "
    "Only id, prompt and answer are required.",
    "id prompt answer",
    id=Slug("Stable id; your card keeps its history while it stays the same."),
    title=Text(
        "A short title for your sheet (at most about 8 words).",
        warn=8,
        limit=12,
        chars=70,
        sheet=True,
    ),
    prompt=Text("The question as you expect it.", warn=25, limit=40, sheet=True),
    answer=Markdown("Your answer (Markdown: code blocks, lists and tables); on the card's back."),
    probing=Text("What you think they are testing.", warn=35, limit=60),
    framework=List("Optional key points (2-5), drilled like the public ones.", POINT, 2, 5),
    followups=List("Likely follow-ups with short answers.", FOLLOWUP),
    pitfalls=List("Mistakes to avoid.", Text("One pitfall.", warn=25, limit=40)),
)

STORIES_FILE = obj(
    "Your personal file: your story bank (3-8 stories) and your own questions, built into "
    "private 'My Stories' and 'My Questions' subdecks, never into a release.",
    "",
    stories=List("Your stories.", STORY, 0, 12),
    questions=List("Your own questions.", MY_QUESTION),
)


def json_schema(spec: Spec, title: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) equivalent of a spec, for editors."""
    out = _json(spec)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **out}


def _json(spec: Spec) -> dict[str, Any]:
    if isinstance(spec, Text) and spec.numbers_ok:
        return {"type": ["string", "number"], "description": spec.doc}
    if isinstance(spec, Text) and spec.chars:
        return {"type": "string", "minLength": 1, "maxLength": spec.chars, "description": spec.doc}
    if isinstance(spec, (Text, Markdown, Code)):
        return {"type": "string", "minLength": 1, "description": spec.doc}
    if isinstance(spec, Number):
        return {"type": "number", "description": spec.doc}
    if isinstance(spec, (Slug, Ref)):
        return {"type": "string", "pattern": SLUG, "description": spec.doc}
    if isinstance(spec, Enum):
        return {"enum": list(spec.values), "description": spec.doc}
    if isinstance(spec, Int):
        return {
            "type": "integer",
            "minimum": spec.minimum,
            "maximum": spec.maximum,
            "description": spec.doc,
        }
    if isinstance(spec, Bool):
        return {"type": "boolean", "description": spec.doc}
    if isinstance(spec, List):
        out: dict[str, Any] = {"type": "array", "description": spec.doc, "items": _json(spec.item)}
        if spec.min_items:
            out["minItems"] = spec.min_items
        if spec.max_items is not None:
            out["maxItems"] = spec.max_items
        return out
    return {
        "type": "object",
        "description": spec.doc,
        "properties": {name: _json(sub) for name, sub in spec.fields.items()},
        "required": sorted(spec.required),
        "additionalProperties": False,
    }
