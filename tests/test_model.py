"""The format is declared once, in prepdeck/model.py: every field's spec and type agree, every
declared field reaches the model, and a new record is validated, built, and documented
without touching anything else."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from prepdeck import model, schema, sourcetree
from prepdeck.load import load_bytes
from prepdeck.schema import Int, Text, field, record, spec_of
from prepdeck.stories import validate_stories
from prepdeck.validate import Checker, construct

ROOT = Path(__file__).resolve().parent.parent
EVERY = ROOT / "tests/fixtures/trees/every-field"

RECORDS = [
    obj
    for obj in vars(model).values()
    if isinstance(obj, type)
    and dataclasses.is_dataclass(obj)
    and any("spec" in fl.metadata for fl in dataclasses.fields(obj))
]


def _spec(fl: dataclasses.Field[Any]) -> schema.Spec | None:
    return fl.metadata.get("spec")


def test_records_are_found() -> None:
    names = {cls.__name__ for cls in RECORDS}
    assert {"Question", "Framework", "Star", "Term", "Table", "QA", "Story", "Bank"} <= names


def _allowed(spec: schema.Spec) -> Any:
    """The Python type the validator produces for a spec (tuples hold their item's type)."""
    if isinstance(spec, (Text, schema.Markdown, schema.Slug, schema.Ref, schema.Enum, schema.Code)):
        return str
    if isinstance(spec, Int):
        return int
    if isinstance(spec, schema.Number):
        return float
    if isinstance(spec, schema.Bool):
        return bool
    if isinstance(spec, schema.List):
        return tuple[_allowed(spec.item), ...]  # type: ignore[misc]
    assert isinstance(spec, schema.Obj)
    return spec.model


def _strip_none(hint: Any) -> Any:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        assert len(args) == 1, hint
        return args[0]
    return hint


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_each_field_type_is_what_its_spec_produces(cls: type) -> None:
    hints = typing.get_type_hints(cls)
    for fl in dataclasses.fields(cls):
        spec = _spec(fl)
        if spec is None or (isinstance(spec, schema.Obj) and spec.convert):
            continue
        assert _strip_none(hints[fl.name]) == _allowed(spec), (
            f"{cls.__name__}.{fl.name}: declared {hints[fl.name]}, spec gives {_allowed(spec)}"
        )
        optional = fl.default is not dataclasses.MISSING or (
            fl.default_factory is not dataclasses.MISSING
        )
        if fl.default is None:
            assert _strip_none(hints[fl.name]) != hints[fl.name], f"{fl.name}: None not allowed"
        assert optional == (fl.name not in spec_of(cls).required)


def _non_default(root: object) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(every field of every record reached, the fields that hold a non-default value)."""
    reached: set[tuple[str, str]] = set()
    filled: set[tuple[str, str]] = set()

    def walk(value: object) -> None:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for fl in dataclasses.fields(value):
                got = getattr(value, fl.name)
                if fl.default is not dataclasses.MISSING:
                    default: object = fl.default
                elif fl.default_factory is not dataclasses.MISSING:
                    default = fl.default_factory()
                else:
                    default = dataclasses.MISSING
                reached.add((type(value).__name__, fl.name))
                if got != default:
                    filled.add((type(value).__name__, fl.name))
                walk(got)
        elif isinstance(value, tuple):
            for item in value:
                walk(item)

    walk(root)
    return reached, filled


def test_every_declared_field_reaches_the_model() -> None:
    """The fixture sets every key of the format; a field the validator failed to carry into
    the model would stay at its default."""
    src, _ = sourcetree.read_source(ROOT, EVERY, strict=False)
    value, problems = load_bytes((EVERY / "personal.yaml").read_bytes(), "personal.yaml")
    assert value is not None and not problems
    bank, found = validate_stories(value, "personal.yaml", src)
    assert not [p for p in found if not p.warning]
    reached, filled = _non_default((src, bank))
    assert reached - filled == set()
    in_files = {
        (cls.__name__, fl.name)
        for cls in RECORDS
        for fl in dataclasses.fields(cls)
        if cls not in (model.TopicFile, model.Deck, model.Confusable)
    }
    assert in_files - reached == set(), "a record the fixture never reaches"


def test_a_new_record_is_checked_built_and_documented() -> None:
    """Adding a kind of thing is one declaration: the validator, the model, the JSON Schema and
    the field reference all follow from it."""

    @record
    class Drill:
        """A timed drill."""

        id: str = field(schema.Slug("Its id."))
        minutes: int = field(Int("How long it takes.", 1, 60), default=5)
        cue: str = field(Text("What starts it.", limit=4))

    spec = spec_of(Drill)
    value, _ = load_bytes(b"id: fire-drill\nminutes: 12\ncue: pager goes off\n", "d.yaml")
    assert value is not None
    checker = Checker()
    data = checker.check(value, spec, "")
    assert not checker.problems
    assert construct(spec, data) == Drill(id="fire-drill", minutes=12, cue="pager goes off")

    bad, _ = load_bytes(b"id: fire-drill\nminutes: 90\n", "d.yaml")
    assert bad is not None
    checker = Checker()
    checker.check(bad, spec, "")
    messages = [str(p) for p in checker.problems]
    assert any("d.yaml:2:" in m and "from 1 to 60" in m for m in messages)
    assert any("missing required key 'cue'" in m for m in messages)

    js = schema.json_schema(spec, "drill")
    assert js["required"] == ["cue", "id"] and js["properties"]["minutes"]["maximum"] == 60
    doc = schema.markdown_doc([("Drill", "`drills.yaml`", spec)])
    assert "| `minutes` |  | whole number, 1 to 60 | How long it takes. |" in doc
    assert "| `cue` | yes | text (max 4 words) | What starts it. |" in doc


def test_the_field_reference_lists_every_key() -> None:
    doc = (ROOT / "source/schema/README.md").read_text(encoding="utf-8")
    schemas = [json.loads(p.read_text()) for p in (ROOT / "source/schema").glob("*.json")]

    def keys(node: Any) -> set[str]:
        if isinstance(node, dict):
            own = set(node.get("properties", {}))
            return own | {k for v in node.values() for k in keys(v)}
        if isinstance(node, list):
            return {k for v in node for k in keys(v)}
        return set()

    for key in set().union(*map(keys, schemas)):
        assert f"| `{key}` |" in doc, key


def test_each_item_kind_has_its_place_in_the_model() -> None:
    """A new list in TopicFile is an item kind: Source and TopicItems hold it under the same
    name (the validator fills Source by that name; in_topic, current and for_track use it)."""
    kinds = set(model.ITEM_KINDS)
    assert kinds == {"questions", "frameworks", "stars", "terms", "tables"}
    assert kinds <= {fl.name for fl in dataclasses.fields(model.Source)}
    assert kinds == {fl.name for fl in dataclasses.fields(model.TopicItems)}
