"""The id ledger: what was released can be retired, never silently removed, reused or forked."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from conftest import ROOT

from prepdeck import ledger, notetypes, sourcetree
from prepdeck.errors import BuildError
from prepdeck.notes import RETIRED_TAG, build_notes
from prepdeck.project import Settings, read_settings

SETTINGS = read_settings(ROOT)
RETIRE = "    retired: {version: 0.2.0, reason: Folded into the zero-downtime question.}\n"


def check(source: Path, settings: Settings = SETTINGS) -> list[str]:
    src, _ = sourcetree.read_source(source, source)
    try:
        sourcetree.check_ledger(source, source, src, settings)
    except BuildError as err:
        return [str(p) for p in err.problems]
    return []


def cut_item(path: Path, item_id: str) -> None:
    """Remove one list item (`  - id: ITEM` up to the next item or section) from a topic file."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(f"  - id: {item_id}\n")
    end = next(
        i
        for i in range(start + 1, len(lines))
        if lines[i].startswith(("  - id: ", "\n")) or not lines[i].startswith(" ")
    )
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


def ledger_line(source: Path, note_id: str) -> int:
    lines = (source / "ledger.json").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f'    "{note_id}": '))


def test_shipped_source_matches_its_ledger() -> None:
    assert check(ROOT / "source") == []


def test_ledger_is_written_canonically() -> None:
    text = (ROOT / "source/ledger.json").read_text()
    parsed, problems = ledger.parse(text)
    assert problems == [] and parsed is not None
    assert ledger.dump(parsed) == text


def test_removing_a_released_item_fails(source_copy: Path) -> None:
    cut_item(source_copy / "topics/30-infrastructure.yaml", "term-break-glass")
    line = ledger_line(source_copy, "term-break-glass")
    assert check(source_copy) == [
        f"ledger.json:{line}:5: term-break-glass: released in v0.1.0 "
        "but gone from the source; put the item back and mark it `retired:` (version, reason) "
        "instead of deleting it"
    ]


def test_retiring_instead_passes_and_marks_the_notes(source_copy: Path) -> None:
    path = source_copy / "topics/20-releasing.yaml"
    text = path.read_text()
    anchor = "    related: [zero-downtime-deploys]\n"
    assert text.count(anchor) >= 1
    path.write_text(text.replace(anchor, anchor + RETIRE, 1))
    assert check(source_copy) == []
    src, _ = sourcetree.read_source(source_copy, source_copy)
    notes = {n.id: n for n in build_notes(src, SETTINGS.reference_url)}
    for note_id in (
        "rollback-coordinated-release",
        "rollback-coordinated-release/steps",
        "rollback-coordinated-release/irreversible-migration",
    ):
        assert RETIRED_TAG in notes[note_id].tags
        assert (
            "Retired in v0.2.0: Folded into the zero-downtime question."
            in notes[note_id].fields[-1]
        )
    assert RETIRED_TAG not in notes["zero-downtime-deploys"].tags
    live = src.current()
    assert "rollback-coordinated-release" not in {q.id for q in live.questions}


def test_reusing_an_id_for_another_kind_of_note_fails(source_copy: Path) -> None:
    text = (source_copy / "ledger.json").read_text()
    old = '"term-break-glass": {"guid": "'
    assert old in text
    start = text.index(old)
    end = text.index("\n", start)
    entry = text[start:end].replace('"notetype": "term"', '"notetype": "outline"')
    (source_copy / "ledger.json").write_text(text[:start] + entry + text[end:])
    (problem,) = check(source_copy)
    assert (
        "term-break-glass: released as a outline note, now a term note; never reuse an id"
        in problem
    )


def test_removing_a_released_key_point_fails(source_copy: Path) -> None:
    path = source_copy / "topics/30-infrastructure.yaml"
    text = path.read_text()
    point = (
        "      - point: Prevent repeat changes\n        gloss: Read-only console roles, "
        "logged break-glass access, and a reconciler where the platform offers one.\n"
    )
    assert point in text
    path.write_text(text.replace(point, "", 1))
    (problem,) = check(source_copy)
    assert problem.endswith(
        "iac-drift/steps: released with 4 key points, now 3; a removed "
        "point blanks a card users have studied: keep it, or retire the item"
    )


def test_note_type_change_needs_a_major_release(
    source_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    qa = notetypes.QA
    renamed = dataclasses.replace(qa, fields=(*qa.fields, ("Hint", 1234567890123)))
    monkeypatch.setattr(
        notetypes, "ALL", tuple(renamed if n.key == "qa" else n for n in notetypes.ALL)
    )
    (problem,) = check(source_copy)
    released = json.loads((source_copy / "ledger.json").read_text())["version"]
    assert (
        ":5: note type 'qa' changed from id 1879199044 fields [Front, Back, Context, "
        "Source, Link, Id, Extra] templates [Card] to id 1879199044 fields [Front, Back, "
        f"Context, Source, Link, Id, Extra, Hint] templates [Card] since v{released}" in problem
    )
    assert check(source_copy, dataclasses.replace(SETTINGS, version="1.0.0")) == []


def test_guid_collisions_are_refused(source_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, _ = sourcetree.read_source(source_copy, source_copy)
    notes = build_notes(src, SETTINGS.reference_url)[:2]
    from prepdeck import notes as notes_module

    monkeypatch.setattr(notes_module, "note_guid", lambda note_id, namespace: "same")
    empty = ledger.Ledger("0.1.0", {nt.key: ledger.notetype_record(nt) for nt in notetypes.ALL})
    problems = ledger.check(empty, notes, "0.1.0", "{}")
    assert [p.message for p in problems] == [
        f"{notes[1].id} and {notes[0].id} share the GUID 'same'; rename one of the new ids"
    ]


def test_record_keeps_history_and_adds_new_ids() -> None:
    text = (ROOT / "source/ledger.json").read_text()
    old, _ = ledger.parse(text)
    assert old is not None
    src, _ = sourcetree.read_source(ROOT, ROOT / "source")
    notes = build_notes(src, SETTINGS.reference_url)
    extra = dataclasses.replace(notes[0], id="brand-new-question")
    new = ledger.record(old, [*notes, extra], "0.2.0")
    assert new.notes["brand-new-question"]["since"] == "0.2.0"
    assert new.notes[notes[0].id] == old.notes[notes[0].id]
    assert new.version == "0.2.0"
