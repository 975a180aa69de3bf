"""The built package in a real Anki collection: notes, cards, decks, tags, fields, rendering."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import genanki
import pytest
from ankitools import counts, import_apkg, notes_by_id
from conftest import ROOT, T0

from prepdeck import model, notetypes
from prepdeck.ids import note_guid
from prepdeck.notes import build_notes
from prepdeck.project import read_settings


@pytest.fixture
def imported(collection: Any, shipped_apkg: Path) -> tuple[Any, Any]:
    log = import_apkg(collection, shipped_apkg)
    return collection, log


def expected_notes(src: model.Source) -> list[Any]:
    return build_notes(src, read_settings(ROOT).reference_url)


def test_every_note_arrives_once(imported: tuple[Any, Any], shipped: model.Source) -> None:
    col, log = imported
    specs = expected_notes(shipped)
    assert counts(log) == (len(specs), 0, 0, 0)
    assert col.note_count() == len(specs)
    # One card per note, except a cloze note: one card per key point.
    points = {f"{q.id}/steps": len(q.framework) for q in shipped.questions}
    points |= {f"{f.id}/steps": len(f.steps) for f in shipped.frameworks}
    assert col.card_count() == sum(points.get(s.id, 1) for s in specs)


def test_fields_tags_decks_and_guids(imported: tuple[Any, Any], shipped: model.Source) -> None:
    col, _ = imported
    notes = notes_by_id(col)
    for spec in expected_notes(shipped):
        note = notes[spec.id]
        nt = notetypes.by_key(spec.notetype)
        assert note.note_type()["name"] == nt.name
        assert list(note.keys()) == list(nt.field_names)
        assert tuple(note.values()) == spec.fields
        assert sorted(note.tags) == sorted(spec.tags)
        assert note.guid == note_guid(spec.id) == genanki.guid_for("prepdeck", spec.id)
        for card in note.cards():
            assert col.decks.name(card.did) == spec.deck


def test_decks_and_descriptions(imported: tuple[Any, Any], shipped: model.Source) -> None:
    col, _ = imported
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {shipped.deck, *(f"{shipped.deck}::{t.title}" for t in shipped.topics)} <= names
    root = col.decks.by_name(shipped.deck)
    version = read_settings(ROOT).version
    assert f"Content version {version}, built 2025-10-09" in root["desc"]


def test_tags_follow_the_scheme(imported: tuple[Any, Any]) -> None:
    col, _ = imported
    for nid in col.find_notes(""):
        tags = col.get_note(nid).tags
        assert sum(t.startswith("kind::") for t in tags) == 1, tags
        assert sum(t.startswith("topic::") for t in tags) == 1, tags
        assert any(t.startswith("track::") for t in tags), tags
        assert all(re.fullmatch(r"[a-z]+::[a-z0-9-]+", t) for t in tags), tags


def test_every_card_renders(imported: tuple[Any, Any]) -> None:
    col, _ = imported
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        out = card.render_output()
        for side in (out.question_text, out.answer_text):
            assert "there is no field called" not in side
            assert "<script" not in side.lower()
            assert re.search(r"(src|href)=\"?(//|https?:)(?!//github\.com)", side) is None
            visible = re.sub(r"<[^>]+>", "", side).strip()
            assert visible, f"card {cid} has a blank side"
        assert "Full answer in the reference" in out.answer_text
        assert ".nightMode" in out.css


def test_cloze_hides_exactly_one_point(imported: tuple[Any, Any], shipped: model.Source) -> None:
    col, _ = imported
    q = shipped.questions[0]
    cids = sorted(col.find_cards(f'"Id:{q.id}/steps"'), key=lambda c: col.get_card(c).ord)
    assert len(cids) == len(q.framework)
    for ordinal, cid in enumerate(cids):
        front = col.get_card(cid).question()
        hidden = q.framework[ordinal].point
        assert hidden not in front
        assert all(p.point in front for i, p in enumerate(q.framework) if i != ordinal)
        assert q.framework[ordinal].gloss in col.get_card(cid).answer()


def test_new_cards_come_in_source_order(imported: tuple[Any, Any], shipped: model.Source) -> None:
    col, _ = imported
    order = [s.id for s in expected_notes(shipped)]
    first_due = {nid: min(c.due for c in col.get_note(nid).cards()) for nid in col.find_notes("")}
    by_due = sorted(first_due, key=first_due.__getitem__)
    assert [col.get_note(nid)["Id"] for nid in by_due] == order


def test_fields_carry_no_inline_style(imported: tuple[Any, Any]) -> None:
    col, _ = imported
    for nid in col.find_notes(""):
        for value in col.get_note(nid).values():
            assert "style=" not in value.lower()
            assert "<script" not in value.lower()


def test_build_time_is_in_the_package(shipped_apkg: Path) -> None:
    import sqlite3
    import zipfile

    with zipfile.ZipFile(shipped_apkg) as z:
        data = z.read("collection.anki2")
    db = Path(shipped_apkg.parent / "c.sqlite")
    db.write_bytes(data)
    con = sqlite3.connect(db)
    mods = {row[0] for row in con.execute("select mod from notes")}
    con.close()
    assert mods == {T0}
