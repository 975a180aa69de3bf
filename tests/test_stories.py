"""The personal story bank: template, validation, a private deck in its own GUID namespace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ankitools import counts, import_apkg, notes_by_id
from conftest import ROOT, T0

from prepdeck import model, pipeline
from prepdeck.errors import BuildError
from prepdeck.ids import note_guid
from prepdeck.project import read_settings
from prepdeck.stories import NAMESPACE, story_notes

TEMPLATE = ROOT / "source/stories.example.yaml"
FILLED = {
    "TODO one line with impact, e.g. Led a checkout outage fix in 40 minutes":
        "Led the fix of a checkout outage in 40 minutes",
    "TODO the outcome with a number (minutes, percent, count).": "Checkout back in 40 minutes.",
    "TODO before and after, in numbers.": "Release time fell from 6 hours to 45 minutes.",
    "TODO the decision and its measured outcome.": "Date moved 2 weeks; cutover took 7 hours.",
}


def filled_bank(tmp_path: Path) -> Path:
    text = TEMPLATE.read_text()
    for old, new in FILLED.items():
        assert old in text
        text = text.replace(old, new)
    text = text.replace("TODO ", "")
    path = tmp_path / "my-stories.yaml"
    path.write_text(text)
    return path


def test_template_has_only_placeholder_warnings(shipped: model.Source) -> None:
    stories, found = pipeline.read_stories(ROOT, TEMPLATE, shipped)
    assert len(stories) == 3
    assert [p.message for p in found] == [
        f"stories[{i}]: placeholder TODO text left in the story; write your own (rule C12)"
        for i in range(3)]
    with pytest.raises(BuildError):
        pipeline.read_stories(ROOT, TEMPLATE, shipped, strict=True)


def test_unknown_question_and_missing_number_are_errors(tmp_path: Path,
                                                        shipped: model.Source) -> None:
    text = filled_bank(tmp_path).read_text()
    text = text.replace("answers: [star-modernised-releases]", "answers: [star-modernized]")
    text = text.replace("Checkout back in 40 minutes.", "Checkout came back quickly.")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(BuildError) as err:
        pipeline.read_stories(tmp_path, bad, shipped)
    messages = [str(p) for p in err.value.problems]
    assert any(m.startswith("bad.yaml:") and "stories[0].result: the result has no number" in m
               for m in messages)
    assert any(":32:15: stories[1].answers[0]: no question or STAR example has id "
               "'star-modernized'" in m for m in messages), messages


def test_private_outputs(tmp_path: Path, shipped: model.Source) -> None:
    stories, found = pipeline.read_stories(tmp_path, filled_bank(tmp_path), shipped)
    assert found == []
    files = pipeline.render_private(shipped, stories, pipeline.Context(read_settings(ROOT), T0))
    assert set(files) == {"decks/devops-interview-prep-my-stories.apkg", "REFERENCE.private.md",
                          "pdf/devops-interview-prep-my-stories-a4.pdf",
                          "pdf/devops-interview-prep-my-stories-letter.pdf"}
    reference = files["REFERENCE.private.md"].decode()
    from prepdeck.render_markdown import render_reference

    # The private reference is the whole public reference in one file, plus the story map.
    assert reference.startswith(render_reference(shipped, read_settings(ROOT).version))
    assert "| ownership | Led the fix of a checkout outage in 40 minutes |" in reference


def test_story_deck_beside_the_public_deck(tmp_path: Path, shipped: model.Source,
                                           shipped_apkg: Path, collection: Any) -> None:
    stories, _ = pipeline.read_stories(tmp_path, filled_bank(tmp_path), shipped)
    files = pipeline.render_private(shipped, stories, pipeline.Context(read_settings(ROOT), T0),
                                    ["anki"])
    private = tmp_path / "mine.apkg"
    private.write_bytes(files["decks/devops-interview-prep-my-stories.apkg"])
    public = counts(import_apkg(collection, shipped_apkg))
    mine = counts(import_apkg(collection, private))
    answers = sum(len(s.answers) for s in stories)
    assert mine == (len(stories) + answers, 0, 0, 0)
    assert collection.note_count() == public[0] + len(stories) + answers
    notes = notes_by_id(collection)
    story = notes["outage-i-led"]
    assert story.guid == note_guid("outage-i-led", NAMESPACE) != note_guid("outage-i-led")
    assert len(story.cards()) == 6
    assert {collection.decks.name(c.did) for c in story.cards()} == {
        "DevOps Interview Prep::My Stories"}
    for card in story.cards():
        html = card.question() + card.answer()
        assert "there is no field called" not in html
    which = notes["outage-i-led/answers-star-multi-team-incident"]
    assert which["Back"] == "Led the fix of a checkout outage in 40 minutes"


def test_editing_a_story_keeps_its_guids(tmp_path: Path, shipped: model.Source) -> None:
    path = filled_bank(tmp_path)
    stories, _ = pipeline.read_stories(tmp_path, path, shipped)
    before = {n.id: n.guid for n in story_notes(stories, shipped, "u")}
    path.write_text(path.read_text().replace("in 40 minutes", "in 35 minutes"))
    stories, _ = pipeline.read_stories(tmp_path, path, shipped)
    assert {n.id: n.guid for n in story_notes(stories, shipped, "u")} == before


def test_release_never_contains_stories(shipped: model.Source) -> None:
    ctx = pipeline.Context(read_settings(ROOT), T0, "abc1234")
    assets = pipeline.release_bundle(ROOT, ROOT / "source", shipped, ctx, None, dry_run=True)
    assert not [name for name in assets if "stor" in name or "private" in name]
