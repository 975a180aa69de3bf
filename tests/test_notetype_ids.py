"""Do pinned field/template ids (Anki >= 2.1.67) protect users from a rename? Measured here.

Our rule stays: field names and order and template names are frozen after the first release.
This test documents how much the pinned ids forgive, so a regression in genanki or Anki shows.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from ankitools import counts, import_apkg
from conftest import T0

from prepdeck import notetypes
from prepdeck.notes import NoteSpec
from prepdeck.render_anki import render_apkg

DECK = "Pinned ids test"


def qa_note(back: str, n_fields: int = 7) -> NoteSpec:
    fields = ["Why pin ids?", back, "", "", "", "pin-test", ""]
    padded = tuple(fields + [""] * (n_fields - 7))
    return NoteSpec("pin-test", "qa", DECK, padded, ("kind::why",), 0)


def write(tmp_path: Path, name: str, note: NoteSpec, when: int) -> Path:
    path = tmp_path / f"{name}.apkg"
    path.write_bytes(render_apkg([note], {}, when))
    return path


def swap_qa(monkeypatch: pytest.MonkeyPatch, qa: notetypes.NoteType) -> None:
    monkeypatch.setattr(notetypes, "ALL", tuple(qa if n.key == "qa" else n for n in notetypes.ALL))


def test_rename_with_pinned_ids_updates_in_place(
    tmp_path: Path, collection: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_apkg(collection, write(tmp_path, "v1", qa_note("Old answer."), T0))
    qa = notetypes.QA
    renamed = dataclasses.replace(
        qa,
        fields=tuple(("Answer" if name == "Back" else name, fid) for name, fid in qa.fields),
        templates=tuple(
            dataclasses.replace(
                t,
                name="Question card",
                front=t.front,
                back=t.back.replace("{{Back}}", "{{Answer}}"),
            )
            for t in qa.templates
        ),
    )
    swap_qa(monkeypatch, renamed)
    log = import_apkg(collection, write(tmp_path, "v2", qa_note("New answer."), T0 + 60))
    assert counts(log) == (0, 1, 0, 0)
    model = collection.models.get(qa.model_id)
    assert [f["name"] for f in model["flds"]][:2] == ["Front", "Answer"]
    assert [t["name"] for t in model["tmpls"]] == ["Question card"]
    assert not any(m["name"].endswith("+") for m in collection.models.all())
    assert collection.card_count() == 1
    (nid,) = collection.find_notes("")
    assert collection.get_note(nid)["Answer"] == "New answer."


def test_adding_a_field_still_forks_the_note_type(
    tmp_path: Path, collection: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why field lists are frozen: an added field makes a `Name+` copy and loses the edit."""
    import_apkg(collection, write(tmp_path, "v1", qa_note("Old answer."), T0))
    qa = notetypes.QA
    swap_qa(monkeypatch, dataclasses.replace(qa, fields=(*qa.fields, ("Hint", 1234567890123))))
    log = import_apkg(collection, write(tmp_path, "v2", qa_note("New answer.", 8), T0 + 60))
    assert len(log.conflicting) == 1
    assert any(m["name"].endswith("+") for m in collection.models.all())
    (nid,) = collection.find_notes("")
    assert collection.get_note(nid)["Back"] == "Old answer."
