"""Every key of the format, broken one at a time: the validator reports a problem with its file
and line, or builds a model; never an exception, and never a model beside an error.

The tree is tests/fixtures/trees/every-field (every declared key set once), so each part of the
generic construction in validate.py meets a missing, empty or wrongly-shaped value."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from prepdeck import diagrams
from prepdeck.errors import Problem
from prepdeck.load import Value, load_bytes
from prepdeck.validate import validate

ROOT = Path(__file__).resolve().parent.parent
EVERY = ROOT / "tests/fixtures/trees/every-field"
TOPIC = yaml.safe_load((EVERY / "topics/all.yaml").read_text(encoding="utf-8"))
DECK = load_bytes((EVERY / "deck.yaml").read_bytes(), "deck.yaml")[0]

Path_ = tuple[Any, ...]
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's, where PyYAML has it


def _paths(node: Any, at: Path_ = ()) -> Iterator[Path_]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*at, key)
            yield from _paths(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*at, i)
            yield from _paths(value, (*at, i))


PATHS = list(_paths(TOPIC))
BROKEN: dict[str, Any] = {
    "null": None,
    "list": ["x"],
    "mapping": {"x": 1},
    "number": 7,
    "text": "some words",
}


def _mutated(path: Path_, how: str, tree: Any = TOPIC) -> dict[str, Any]:
    data = copy.deepcopy(tree)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if how == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = BROKEN[how]
    return data  # type: ignore[no-any-return]


def test_every_path_is_reached() -> None:
    assert len(PATHS) > 150  # the fixture is not empty: every kind, nested several levels


Check = Callable[[Value], tuple[Any, list[Problem]]]  # a broken file -> (its model, problems)


def _failures(tree: Any, how: str, name: str, check: Check, *, model_or_errors: bool) -> list[Any]:
    """Every way `check` mishandles `tree` broken at one key: an exception, a problem with no
    place, or (with `model_or_errors`) a model beside errors or neither."""
    failures: list[Any] = []
    for path in _paths(tree):
        data = _mutated(path, how, tree)
        raw = yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False).encode()
        value, problems = load_bytes(raw, name)
        assert value is not None and not problems
        try:
            built, found = check(value)
        except Exception as err:  # the failure under test: collected, reported below
            failures.append((path, f"{type(err).__name__}: {err}"))
            continue
        errors = [p for p in found if not p.warning]
        if model_or_errors and (built is None) != bool(errors):
            failures.append((path, "a model beside errors, or neither"))
        failures += [(path, f"no place: {p}") for p in found if p.mark.line < 1]
    return failures


@pytest.mark.parametrize("how", ["delete", *BROKEN])
def test_each_key_of_a_topic_broken(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    deck = DECK
    assert deck is not None
    # Drawing is tested in test_diagrams; here it would only redraw each broken chart.
    monkeypatch.setattr(diagrams, "draw", lambda kind, source: None)

    def check(value: Value) -> tuple[Any, list[Problem]]:
        return validate(("deck.yaml", deck), [("topics/all.yaml", value)])

    assert _failures(TOPIC, how, "topics/all.yaml", check, model_or_errors=True) == []


PERSONAL = yaml.safe_load((EVERY / "personal.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("how", ["delete", *BROKEN])
def test_each_key_of_the_personal_file_broken(how: str) -> None:
    from prepdeck.sourcetree import read_source
    from prepdeck.stories import validate_stories

    src, _ = read_source(ROOT, EVERY)

    def check(value: Value) -> tuple[Any, list[Problem]]:
        return validate_stories(value, "my-stories.yaml", src)  # a bank even with errors

    assert _failures(PERSONAL, how, "my-stories.yaml", check, model_or_errors=False) == []


DECK_TREE = yaml.safe_load((EVERY / "deck.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("how", ["delete", *BROKEN])
def test_each_key_of_the_deck_settings_broken(how: str) -> None:
    topic = load_bytes((EVERY / "topics/all.yaml").read_bytes(), "topics/all.yaml")[0]
    assert topic is not None

    def check(value: Value) -> tuple[Any, list[Problem]]:
        return validate(("deck.yaml", value), [("topics/all.yaml", topic)])

    assert _failures(DECK_TREE, how, "deck.yaml", check, model_or_errors=True) == []
