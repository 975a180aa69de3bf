"""The note types, frozen once released.

Notes are matched by GUID and note types by model id. The ids, the field names
and their order, and the template names below must never change after a release; template HTML,
CSS and display names may. Field and template ids are pinned too (Anki >= 2.1.67 reads them), a
safety net that a test exercises, not a licence to rename. Every note type ends with `Id` and
`Extra` so a later need (a retirement notice, a note) has a field without forking the type.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Template:
    name: str
    id: int
    front: str
    back: str


@dataclass(frozen=True)
class NoteType:
    key: str
    name: str
    model_id: int
    fields: tuple[tuple[str, int], ...]
    templates: tuple[Template, ...]
    cloze: bool = False

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.fields)


_HEAD = (
    '{{#Extra}}<div class="pd-extra pd-head">{{Extra}}</div>{{/Extra}}'
    '{{#Context}}<div class="pd-context">{{Context}}</div>{{/Context}}'
)
# The same Extra field at the foot of the back: there the picture shows and the notice hides.
_TAIL = '{{#Extra}}<div class="pd-tail">{{Extra}}</div>{{/Extra}}'
_FOOT = (
    '<div class="pd-foot">{{#Link}}<a class="pd-ref" href="{{Link}}">Full answer in the '
    'reference</a>{{/Link}}<span class="pd-id">{{Id}}</span></div>'
)
_SOURCE = '{{#Source}}<div class="pd-source">Source: {{Source}}</div>{{/Source}}'


def _card(front: str, back: str) -> tuple[str, str]:
    """Wrap a template pair in the shared header, answer divider and footer."""
    q = f'<div class="pd">{_HEAD}{front}</div>'
    a = (
        f'<div class="pd">{_HEAD}{front}<hr id="answer">'
        f'<div class="pd-answer">{back}</div>{_TAIL}{_FOOT}</div>'
    )
    return q, a


OUTLINE = NoteType(
    "outline",
    "prepdeck · Outline",
    1182913836,
    (
        ("Prompt", 3366746998933),
        ("Outline", 4540619563407),
        ("Probing", 8070480653835),
        ("Context", 2703537873559),
        ("Link", 2267298384099),
        ("Id", 4954250075635),
        ("Extra", 6956030802679),
    ),
    (
        Template(
            "Outline",
            8323086378150,
            *_card(
                '<div class="pd-prompt">{{Prompt}}</div>'
                '<div class="pd-ask">Key points, in order?</div>',
                '<ol class="pd-outline">{{Outline}}</ol>'
                '{{#Probing}}<div class="pd-box"><span class="pd-label">They are probing</span>'
                "{{Probing}}</div>{{/Probing}}",
            ),
        ),
    ),
)

CLOZE = NoteType(
    "cloze",
    "prepdeck · Steps",
    1344601678,
    (
        ("Text", 6542368477791),
        ("Glosses", 7525648839804),
        ("Context", 7654714437564),
        ("Link", 2800627488984),
        ("Id", 3052088170624),
        ("Extra", 1484869242701),
    ),
    (
        Template(
            "Cloze",
            2369934639568,
            f'<div class="pd">{_HEAD}<ol class="pd-outline">{{{{cloze:Text}}}}</ol>'
            '<div class="pd-ask">Name the hidden step.</div></div>',
            f'<div class="pd">{_HEAD}<ol class="pd-outline">{{{{cloze:Text}}}}</ol>'
            '<hr id="answer"><div class="pd-answer"><ul class="pd-glosses">{{Glosses}}</ul></div>'
            f"{_TAIL}{_FOOT}</div>",
        ),
    ),
    cloze=True,
)

QA = NoteType(
    "qa",
    "prepdeck · Q&A",
    1879199044,
    (
        ("Front", 7795033287119),
        ("Back", 2856996960586),
        ("Context", 6446772531063),
        ("Source", 2098495020843),
        ("Link", 9220923236111),
        ("Id", 2073239077885),
        ("Extra", 3298662726275),
    ),
    (
        Template(
            "Card",
            8380885276795,
            *_card('<div class="pd-prompt">{{Front}}</div>', f"<div>{{{{Back}}}}</div>{_SOURCE}"),
        ),
    ),
)

STAR = NoteType(
    "star",
    "prepdeck · STAR",
    1926079340,
    (
        ("Prompt", 9397516591654),
        ("Probing", 9590421982995),
        ("Situation", 2435956704037),
        ("Task", 2934692437362),
        ("Action", 4447179764281),
        ("Result", 1709350214099),
        ("Reflection", 5330749586395),
        ("Competencies", 7785865386532),
        ("Context", 7734394338206),
        ("Link", 5709971492663),
        ("Id", 9531452416995),
        ("Extra", 7475624525845),
    ),
    (
        Template(
            "Scaffold",
            5541280831450,
            *_card(
                '<div class="pd-prompt">{{Prompt}}</div>'
                '<div class="pd-ask">Shape your own story: situation, task, action, result, '
                "reflection.</div>",
                '{{#Probing}}<div class="pd-box"><span class="pd-label">They listen for</span>'
                "{{Probing}}</div>{{/Probing}}"
                '<dl class="pd-star"><dt>Situation</dt><dd>{{Situation}}</dd><dt>Task</dt>'
                "<dd>{{Task}}</dd>"
                "<dt>Action</dt><dd>{{Action}}</dd><dt>Result</dt><dd>{{Result}}</dd>"
                "<dt>Reflection</dt><dd>{{Reflection}}</dd></dl>"
                '{{#Competencies}}<div class="pd-source">Shows: {{Competencies}}</div>'
                "{{/Competencies}}",
            ),
        ),
    ),
)

TERM = NoteType(
    "term",
    "prepdeck · Term",
    1943929786,
    (
        ("Term", 8457746688654),
        ("Definition", 8763100471820),
        ("Context", 2470024742187),
        ("Source", 3323500393536),
        ("Link", 1709350214100),
        ("Id", 1709350214101),
        ("Extra", 1709350214102),
    ),
    (
        Template(
            "Define",
            1709350214103,
            *_card(
                '<div class="pd-prompt">{{Term}}</div><div class="pd-ask">What does it mean?</div>',
                f"<div>{{{{Definition}}}}</div>{_SOURCE}",
            ),
        ),
    ),
)


def _story_part(name: str, template_id: int) -> Template:
    """One card per STAR part of the user's own story: the headline asks for the part."""
    return Template(
        name,
        template_id,
        *_card(
            '<div class="pd-prompt">{{Headline}}</div>'
            f'<div class="pd-ask">Your story: the {name.lower()}?</div>',
            f"<div>{{{{{name}}}}}</div>",
        ),
    )


MY_STORY = NoteType(
    "story",
    "prepdeck · My story",
    1918618122,
    (
        ("Headline", 6779959447637),
        ("Situation", 4438071569798),
        ("Task", 8262728371793),
        ("Action", 2331302738424),
        ("Result", 4125757978296),
        ("Reflection", 7135882835042),
        ("Competencies", 2017436933654),
        ("Answers", 6837728323762),
        ("Context", 1202554819455),
        ("Link", 3620827165682),
        ("Id", 9697620626218),
        ("Extra", 4457166270928),
    ),
    (
        Template(
            "Headline",
            9748418775204,
            *_card(
                '<div class="pd-prompt">{{Headline}}</div>'
                '<div class="pd-ask">Tell this story: situation, task, action, result, '
                "reflection.</div>",
                '<dl class="pd-star"><dt>Situation</dt><dd>{{Situation}}</dd><dt>Task</dt>'
                "<dd>{{Task}}</dd><dt>Action</dt><dd>{{Action}}</dd><dt>Result</dt><dd>{{Result}}</dd>"
                "<dt>Reflection</dt><dd>{{Reflection}}</dd></dl>"
                '{{#Competencies}}<div class="pd-source">Shows: {{Competencies}}'
                "</div>{{/Competencies}}"
                '{{#Answers}}<div class="pd-box"><span class="pd-label">Answers'
                "</span>{{Answers}}</div>"
                "{{/Answers}}",
            ),
        ),
        *(
            _story_part(name, tid)
            for name, tid in (
                ("Situation", 4637236719794),
                ("Task", 3224170996917),
                ("Action", 9571684007690),
                ("Result", 4844780354728),
                ("Reflection", 1098765432109),
            )
        ),
    ),
)

ALL: tuple[NoteType, ...] = (OUTLINE, CLOZE, QA, STAR, TERM)
# Note types only the user's private story deck uses; never in a public release.
PRIVATE: tuple[NoteType, ...] = (MY_STORY,)


def by_key(key: str) -> NoteType:
    """The public or private note type with this key (looked up in ALL and PRIVATE, the one
    registry, at call time)."""
    found = next((nt for nt in (*ALL, *PRIVATE) if nt.key == key), None)
    if found is None:
        raise KeyError(f"no note type {key!r}")  # a programming error, not a source problem
    return found


@lru_cache(maxsize=1)
def css() -> str:
    return resources.files("prepdeck").joinpath("assets/card.css").read_text(encoding="utf-8")
