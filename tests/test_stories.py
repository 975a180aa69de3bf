"""The personal story bank: template, validation, a private deck in its own GUID namespace."""

from __future__ import annotations

import html
import io
import os
from pathlib import Path
from typing import Any

import pytest
from ankitools import counts, import_apkg, notes_by_id
from conftest import ROOT, T0

from prepdeck import model, pipeline, sourcetree
from prepdeck.errors import BuildError
from prepdeck.ids import note_guid
from prepdeck.project import read_settings
from prepdeck.stories import NAMESPACE, story_notes

TEMPLATE = ROOT / "source/stories.example.yaml"
FILLED = {
    "TODO one line with impact, e.g. Led a checkout outage fix in 40 minutes": (
        "Led the fix of a checkout outage in 40 minutes"
    ),
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
    stories, found = sourcetree.read_stories(ROOT, TEMPLATE, shipped)
    assert len(stories.stories) == 3 and len(stories.questions) == 1
    assert [p.message for p in found] == [
        f"stories[{i}]: placeholder TODO text left in the story; write your own "
        "(card rule C12, .github/CONTRIBUTING.md)"
        for i in range(3)
    ] + [
        "questions[0]: placeholder TODO text left in the question; write your own "
        "(card rule C12, .github/CONTRIBUTING.md)"
    ]
    with pytest.raises(BuildError):
        sourcetree.read_stories(ROOT, TEMPLATE, shipped, strict=True)


def test_unknown_question_and_missing_number_are_errors(
    tmp_path: Path, shipped: model.Source
) -> None:
    text = filled_bank(tmp_path).read_text()
    text = text.replace("answers: [star-modernised-releases]", "answers: [star-modernized]")
    text = text.replace("Checkout back in 40 minutes.", "Checkout came back quickly.")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(BuildError) as err:
        sourcetree.read_stories(tmp_path, bad, shipped)
    messages = [str(p) for p in err.value.problems]
    assert any(
        m.startswith("bad.yaml:") and "stories[0].result: has no number" in m for m in messages
    )
    assert any(
        ":32:15: stories[1].answers[0]: no question or STAR example has id 'star-modernized'" in m
        for m in messages
    ), messages


def test_private_outputs(tmp_path: Path, shipped: model.Source) -> None:
    stories, found = sourcetree.read_stories(tmp_path, filled_bank(tmp_path), shipped)
    assert found == []
    # (the private sheets are rendered and read in test_own_questions_in_the_private_deck)
    files = pipeline.render_private(
        shipped, stories, pipeline.Context(read_settings(ROOT), T0), ["anki", "md"]
    )
    assert set(files) == {"decks/devops-interview-prep-my-stories.apkg", "REFERENCE.private.md"}
    reference = files["REFERENCE.private.md"].decode()
    from prepdeck.render_markdown import render_reference

    # The private reference is the whole public reference in one file, plus the story map.
    assert reference.startswith(render_reference(shipped, read_settings(ROOT).version))
    assert "| ownership | Led the fix of a checkout outage in 40 minutes |" in reference


def test_story_deck_beside_the_public_deck(
    tmp_path: Path, shipped: model.Source, shipped_apkg: Path, collection: Any
) -> None:
    stories, _ = sourcetree.read_stories(tmp_path, filled_bank(tmp_path), shipped)
    files = pipeline.render_private(
        shipped, stories, pipeline.Context(read_settings(ROOT), T0), ["anki"]
    )
    private = tmp_path / "mine.apkg"
    private.write_bytes(files["decks/devops-interview-prep-my-stories.apkg"])
    public = counts(import_apkg(collection, shipped_apkg))
    mine = counts(import_apkg(collection, private))
    answers = sum(len(s.answers) for s in stories.stories)
    own = len(story_notes(stories, shipped, "u")) - len(stories.stories) - answers
    assert own == 3  # the template's own question: answer card, outline, steps
    assert mine == (len(stories.stories) + answers + own, 0, 0, 0)
    assert collection.note_count() == public[0] + len(stories.stories) + answers + own
    notes = notes_by_id(collection)
    story = notes["outage-i-led"]
    assert story.guid == note_guid("outage-i-led", NAMESPACE) != note_guid("outage-i-led")
    assert len(story.cards()) == 6
    assert {collection.decks.name(c.did) for c in story.cards()} == {
        "DevOps Interview Prep::My Stories"
    }
    for card in story.cards():
        html = card.question() + card.answer()
        assert "there is no field called" not in html
    which = notes["outage-i-led/answers-star-multi-team-incident"]
    assert which["Back"] == "Led the fix of a checkout outage in 40 minutes"


def test_editing_a_story_keeps_its_guids(tmp_path: Path, shipped: model.Source) -> None:
    path = filled_bank(tmp_path)
    stories, _ = sourcetree.read_stories(tmp_path, path, shipped)
    before = {n.id: n.guid for n in story_notes(stories, shipped, "u")}
    path.write_text(path.read_text().replace("in 40 minutes", "in 35 minutes"))
    stories, _ = sourcetree.read_stories(tmp_path, path, shipped)
    assert {n.id: n.guid for n in story_notes(stories, shipped, "u")} == before


def test_personal_file_never_changes_public_outputs(tmp_path: Path) -> None:
    """A build with a personal file writes the same public decks, sheets and reference bytes
    as one without it; the personal text appears only in the private outputs."""
    import subprocess
    import sys

    bank = tmp_path / "mine.yaml"
    bank.write_text(OWN_QUESTIONS)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(T0)}
    outs = []
    for extra in ([], ["--stories", str(bank)]):
        out = tmp_path / f"out{len(extra)}"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "build.py"),
                "-q",
                "--out",
                str(out),
                "--only",
                "anki",
                "--only",
                "md",
                *extra,
            ],
            check=True,
            env=env,
            timeout=300,
        )
        outs.append(
            {
                p.relative_to(out).as_posix(): p.read_bytes()
                for p in out.rglob("*")
                if p.is_file() and p.name != ".build-cache.json"
            }
        )
    without, with_bank = outs
    private = {n for n in with_bank if "my-stories" in n or "private" in n}
    assert private == {"decks/devops-interview-prep-my-stories.apkg", "REFERENCE.private.md"}
    assert {n: d for n, d in with_bank.items() if n not in private} == without
    assert b"LaunchDarkly at Acme" in with_bank["REFERENCE.private.md"]
    assert not any(b"LaunchDarkly at Acme" in data for data in without.values())


OWN_QUESTIONS = """questions:
  - id: acme-rollback
    prompt: How did you undo the bad release at Acme?
    answer: |
      Roll back first, then investigate:

      ```sh
      LONG_LINE
      ```

      | step | time |
      | --- | --- |
      | detect | 2 min |
      | roll back | 4 min |
  - id: acme-flags
    title: Flags at Acme
    prompt: Which flag system did Acme use?
    answer: LaunchDarkly at Acme, with `{{ flag.key }}` templates.
    framework:
      - point: Flag per change
        gloss: Every risky change ships dark.
      - point: Kill switch
        gloss: A flag to turn the feature off.
"""


OWN_QUESTIONS = OWN_QUESTIONS.replace(
    "LONG_LINE",
    "kubectl rollout undo deployment/checkout "
    "--to-revision=41 --namespace=payments-production-eu-w"
    "est-1 && kubectl rollout status deployment/checkout",
)


def test_own_questions_in_the_private_deck(
    tmp_path: Path, shipped: model.Source, collection: Any
) -> None:
    bank_file = tmp_path / "mine.yaml"
    bank_file.write_text(OWN_QUESTIONS)
    bank, found = sourcetree.read_stories(tmp_path, bank_file, shipped)
    assert found == [] and [q.id for q in bank.questions] == ["acme-rollback", "acme-flags"]
    files = pipeline.render_private(shipped, bank, pipeline.Context(read_settings(ROOT), T0))
    assert set(files) == {
        "decks/devops-interview-prep-my-stories.apkg",
        "REFERENCE.private.md",
        "pdf/devops-interview-prep-my-stories-a4.pdf",
        "pdf/devops-interview-prep-my-stories-letter.pdf",
    }
    private = tmp_path / "mine.apkg"
    private.write_bytes(files["decks/devops-interview-prep-my-stories.apkg"])
    log = import_apkg(collection, private)
    assert counts(log) == (4, 0, 0, 0)  # one answer card, one with an outline and a cloze
    notes = notes_by_id(collection)
    answer = notes["acme-rollback"]
    assert answer.guid == note_guid("acme-rollback", NAMESPACE) != note_guid("acme-rollback")
    back = answer.cards()[0].answer()
    assert "<pre><code" in back and "<table>" in back and "kubectl rollout undo" in back
    assert {collection.decks.name(c.did) for c in answer.cards()} == {
        "DevOps Interview Prep::My Questions"
    }
    assert len(notes["acme-flags/steps"].cards()) == 2
    assert "{{ flag.key }}" in html.unescape(notes["acme-flags"].cards()[0].answer())
    reference = files["REFERENCE.private.md"].decode()
    assert '<a id="acme-rollback"></a>' in reference and "## My questions" in reference
    from pypdf import PdfReader

    sheet = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(files["pdf/devops-interview-prep-my-stories-a4.pdf"])).pages
    )
    assert "Flags at Acme" in sheet and "Kill switch" in sheet


def test_own_question_card_reads_on_a_phone(tmp_path: Path, shipped: model.Source) -> None:
    """A long code line scrolls inside its box, never the page, at 360 px in light and dark."""
    from browser import measure

    from prepdeck.gallery import render_cards

    bank_file = tmp_path / "mine.yaml"
    bank_file.write_text(OWN_QUESTIONS)
    bank, _ = sourcetree.read_stories(tmp_path, bank_file, shipped)
    files = pipeline.render_private(
        shipped, bank, pipeline.Context(read_settings(ROOT), T0), ["anki"]
    )
    cards = [
        c
        for c in render_cards(files["decks/devops-interview-prep-my-stories.apkg"])
        if c.note_id.startswith("acme-")
    ]
    sides = [
        (f"{c.note_id} {c.ord} {side}", body, c.css, c.ord)
        for c in cards
        for side, body in (("front", c.question), ("back", c.answer))
    ]
    for night in (False, True):
        results = [r for r in measure(sides, night=night) if r["id"] != "__page__"]
        assert len(results) == len(sides)
        assert [r["id"] for r in results if r["overflow"] > 0] == []
        assert [r["id"] for r in results if r["contrast"] < 4.5] == []


def test_own_question_ids_cannot_shadow_public_ones(tmp_path: Path, shipped: model.Source) -> None:
    bank_file = tmp_path / "mine.yaml"
    bank_file.write_text(OWN_QUESTIONS.replace("id: acme-flags", "id: dora-metrics"))
    with pytest.raises(BuildError) as err:
        sourcetree.read_stories(tmp_path, bank_file, shipped)
    assert "already used in the public source" in str(err.value)
