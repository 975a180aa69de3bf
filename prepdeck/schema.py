"""The building blocks of the source format, and what follows from one declaration.

The format itself is declared once, in ``model.py``: each model class is a `record` whose
fields carry a spec (`field(Text(...))`) saying how the field is written in YAML. From those
declarations come the validator's walk (``validate.py``), the typed model the renderers read,
the JSON Schema editors use through the ``yaml-language-server`` modeline (`json_schema`) and
the field reference for contributors (`markdown_doc`), so none of them can disagree.

Word limits come from the card rules in .github/CONTRIBUTING.md: ``warn`` is the soft limit
(a warning, an error under ``--strict``), ``limit`` the hard cap (always an error).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import MISSING, dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda decorated: decorated


SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_TEXT_CHARS = 1_000
MAX_MARKDOWN_CHARS = 20_000


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
    pattern: str | None = None  # a regular expression the text must contain (re.search)
    pattern_hint: str = ""  # what to write instead, when it does not


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
    required: frozenset[str] = dataclass_field(default_factory=frozenset)
    name: str = ""  # the section title in the field reference (records: the class name)
    model: type | None = None  # the record class a checked mapping becomes; None: plain data
    preset: tuple[tuple[str, Any], ...] = ()  # model fields this form sets itself
    together: tuple[tuple[str, str], ...] = ()  # keys given both or neither
    one_of: tuple[str, ...] = ()  # keys of which exactly one is given
    convert: str | None = None  # a form the validator turns into `model` by a named step


Spec = Text | Markdown | Slug | Ref | Enum | Int | Bool | Number | Code | List | Obj


def obj(doc: str, required: str, **fields: Spec) -> Obj:
    """A plain object spec (no model class); `required` lists the mandatory keys."""
    return Obj(doc, fields, frozenset(required.split()))


# Keys that only make sense together: a dated fact needs both halves (card rule C8).
TOGETHER = (("source", "year"),)

T = TypeVar("T")


def field(
    spec: Spec | None = None, *, default: Any = MISSING, default_factory: Any = MISSING
) -> Any:
    """A field of a `record`: `spec` says how it is written in YAML; no spec means the build
    fills it in (a question's topic). A field with a default is optional in YAML."""
    return dataclass_field(
        default=default, default_factory=default_factory, metadata={"spec": spec}
    )


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """A frozen, keyword-only model class whose fields declare the source format; its
    docstring is the format's description of it."""
    return dataclass(frozen=True, kw_only=True)(cls)


def spec_of(
    cls: type,
    *,
    doc: str | None = None,
    name: str | None = None,
    omit: tuple[str, ...] = (),
    **preset: Any,
) -> Obj:
    """The YAML form of a record: its spec'd fields, in declaration order; those without a
    default are required. `omit` leaves fields out of this form and `preset` sets them
    (a follow-up is a QA card with no `kind` key: its kind is always "followup")."""
    fields: dict[str, Spec] = {}
    required = set()
    for fl in dataclasses.fields(cls):
        spec = fl.metadata.get("spec")
        if spec is None or fl.name in omit or fl.name in preset:
            continue
        fields[fl.name] = spec
        if fl.default is MISSING and fl.default_factory is MISSING:
            required.add(fl.name)
    return Obj(
        doc or " ".join((cls.__doc__ or "").split()),
        fields,
        frozenset(required),
        name=name or cls.__name__,
        model=cls,
        preset=tuple(preset.items()),
        together=tuple(pair for pair in TOGETHER if set(pair) <= fields.keys()),
    )


def json_schema(spec: Spec, title: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) equivalent of a spec, for editors."""
    out = _json(spec)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **out}


def _json(spec: Spec) -> dict[str, Any]:
    if isinstance(spec, Text) and spec.numbers_ok:
        return {"type": ["string", "number"], "description": spec.doc}
    if isinstance(spec, Text):
        out: dict[str, Any] = {"type": "string", "minLength": 1, "description": spec.doc}
        if spec.chars:
            out["maxLength"] = spec.chars
        if spec.pattern:
            out["pattern"] = spec.pattern
        return out
    if isinstance(spec, (Markdown, Code)):
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
        array: dict[str, Any] = {
            "type": "array",
            "description": spec.doc,
            "items": _json(spec.item),
        }
        if spec.min_items:
            array["minItems"] = spec.min_items
        if spec.max_items is not None:
            array["maxItems"] = spec.max_items
        return array
    out = {
        "type": "object",
        "description": spec.doc,
        "properties": {name: _json(sub) for name, sub in spec.fields.items()},
        "required": sorted(spec.required),
        "additionalProperties": False,
    }
    if spec.one_of:
        out["oneOf"] = [{"required": [key]} for key in spec.one_of]
    if spec.together:
        out["dependentRequired"] = {
            key: [other] for a, b in spec.together for key, other in ((a, b), (b, a))
        }
    return out


def markdown_doc(files: list[tuple[str, str, Obj]]) -> str:
    """The field reference for contributors: one section per kind of mapping, each key with
    whether it is required, what value it takes and its limits. `files` lists (heading, where
    the file lives, its spec)."""
    sections: dict[str, str] = {}
    lines = [
        "# The source format",
        "",
        "Generated from `prepdeck/model.py` by `python build.py --only schema`; edit the model,",
        "not this file. Word limits: *aim* is the card limit (over it: a warning, an error",
        "under `--strict`), *max* the hard limit. Text is one line unless it says Markdown.",
        "",
    ]
    for heading, where, spec in files:
        lines += [f"- [{heading}](#{_anchor(spec.name)}): {where}"]
    for _, _, spec in files:
        _section(spec, spec.name, sections)
    return "\n".join(lines) + "\n" + "".join(sections.values())


def _anchor(name: str) -> str:
    return "".join(c for c in name.lower().replace(" ", "-") if c.isalnum() or c == "-")


def _section(spec: Obj, name: str, sections: dict[str, str]) -> str:
    """Writes the section of `spec` (once per name) and returns a link to it."""
    if name not in sections:
        sections[name] = ""  # claimed first: a form reached twice is written once
        rows = ["| Key | Required | Value | What it is |", "| --- | --- | --- | --- |"]
        for key, sub in spec.fields.items():
            value = _value(sub, f"{name}.{key}", sections)
            need = "yes" if key in spec.required else ""
            rows.append(f"| `{key}` | {need} | {value} | {_cell(sub.doc)} |")
        notes = [f"Give `{a}` and `{b}` together, or neither." for a, b in spec.together]
        if spec.one_of:
            keys = " or ".join(f"`{key}`" for key in spec.one_of)
            notes.append(f"Give exactly one of {keys}.")
        notes += [f"`{key}` is always `{value}` here." for key, value in spec.preset]
        body = "\n".join([f"\n## {name}\n", _cell(spec.doc), "", *rows, *("", *notes)])
        sections[name] = body.rstrip() + "\n"
    return f"[{name}](#{_anchor(name)})"


def _value(spec: Spec, name: str, sections: dict[str, str]) -> str:
    if isinstance(spec, Obj):
        return _section(spec, spec.name or name, sections)
    if isinstance(spec, List):
        count = (
            f"{spec.min_items}-{spec.max_items} items"
            if spec.max_items is not None
            else f"at least {spec.min_items}"
            if spec.min_items
            else ""
        )
        inner = _value(spec.item, name, sections)
        return "list" + (f" ({count})" if count else "") + f"; each: {inner}"
    if isinstance(spec, Text):
        limits = [f"aim {spec.warn} words"] if spec.warn else []
        limits += [f"max {spec.limit} words"] if spec.limit else []
        limits += [f"max {spec.chars} characters"] if spec.chars else []
        limits += ["one `?`"] if spec.question else []
        limits += ["no `::`"] if spec.deck_name else []
        limits += [f"must match `{spec.pattern}`"] if spec.pattern else []
        return "text" + (f" ({', '.join(limits)})" if limits else "")
    if isinstance(spec, Markdown):
        return "Markdown"
    if isinstance(spec, Code):
        return "Graphviz DOT"
    if isinstance(spec, Ref):
        return "id of a " + " or ".join(p.rstrip("s") for p in spec.to)
    if isinstance(spec, Slug):
        return "id (lowercase letters, digits, single hyphens)"
    if isinstance(spec, Enum):
        return "one of " + ", ".join(f"`{v}`" for v in spec.values)
    if isinstance(spec, Int):
        return f"whole number, {spec.minimum} to {spec.maximum}"
    if isinstance(spec, Number):
        return "number"
    return "`true` or `false`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
