"""The JSON Schema editors use is generated from the validator's specs and committed."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ROOT, T0

from prepdeck import pipeline, sourcetree
from prepdeck.project import read_settings

TOPICS = sorted((ROOT / "source/topics").glob("*.yaml"))


def rendered() -> dict[str, bytes]:
    src, _ = sourcetree.read_source(ROOT, ROOT / "source")
    return pipeline.render(src, pipeline.Context(read_settings(ROOT), T0), ["schema"])


def test_committed_schema_is_current() -> None:
    for name, data in rendered().items():
        assert (ROOT / name).read_bytes() == data, (
            f"{name} is out of date with prepdeck/model.py; run: python build.py --only schema"
        )


@pytest.mark.parametrize("path", [*TOPICS, ROOT / "source/deck.yaml"], ids=lambda p: p.name)
def test_shipped_files_carry_modeline_and_pass_the_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    schema_path = (path.parent / first.split("=", 1)[1]).resolve()
    schema = json.loads(schema_path.read_text())
    jsonschema.validate(yaml.safe_load(text), schema)


@pytest.mark.parametrize(
    "fixture",
    [
        "unknown-key",
        "bool-where-text",
        "source-without-year",  # dependentRequired, from the record's `together` pairs
        "star-result-without-number",  # the text's `pattern`
        "diagram-dot-and-chart",  # oneOf, from the form's `one_of`
    ],
)
def test_schema_rejects_what_the_validator_rejects(fixture: str) -> None:
    schema = json.loads((ROOT / "source/schema/topic.schema.json").read_text())
    bad = yaml.safe_load((ROOT / f"tests/fixtures/invalid/{fixture}.yaml").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
