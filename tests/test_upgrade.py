"""A user studies release N, then imports release N+1 with Anki's default options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ankitools import answer_some, counts, import_apkg, notes_by_id, review_state, revlog
from conftest import ROOT, T0, apkg_of, build

from prepdeck import sourcetree
from prepdeck.notes import build_notes
from prepdeck.project import read_settings

NEW_QUESTION = """
  - id: upgrade-test-question
    prompt: What is a release train?
    kind: technical
    level: mid
    probing: Whether you know fixed-cadence releases.
    framework:
      - point: Fixed schedule
        gloss: Trains leave on time whether or not a feature is aboard.
      - point: Cut-off before departure
        gloss: Changes not ready by the cut-off wait for the next train.
    answer: |
      A release train ships on a fixed cadence.
"""


def guids(source_dir: Path) -> dict[str, str]:
    src, _ = sourcetree.read_source(ROOT, source_dir)
    return {n.id: n.guid for n in build_notes(src, read_settings(ROOT).reference_url)}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_upgrade_keeps_reviews_applies_edits_adds_new(
    tmp_path: Path, source_copy: Path, collection: Any
) -> None:
    col = collection
    v1 = apkg_of(build(source_copy, tmp_path / "v1", T0))
    assert counts(import_apkg(col, v1))[2:] == (0, 0)
    reviewed = answer_some(col, "DevOps Interview Prep", 6)
    assert len(reviewed) == 6
    history, state = revlog(col), review_state(col)
    assert len(history) == 6 and len(state) == 6
    notetypes_before = sorted(m["name"] for m in col.models.all())
    before = col.note_count(), col.card_count()
    guids_v1 = guids(source_copy)

    releasing = source_copy / "topics/20-releasing.yaml"
    edit(
        releasing,
        "How do you deploy a web service without any downtime?",
        "How do you deploy a web service with zero downtime?",
    )
    edit(
        releasing,
        "Tell stakeholders and downstream teams what is reverting",
        "Tell stakeholders and dependent teams what is reverting",
    )
    edit(releasing, "\nframeworks:\n", NEW_QUESTION + "\nframeworks:\n")
    v2 = apkg_of(build(source_copy, tmp_path / "v2", T0 + 86_400))

    guids_v2 = guids(source_copy)
    assert {k: guids_v2[k] for k in guids_v1} == guids_v1, "editing text changed a GUID"
    added = set(guids_v2) - set(guids_v1)
    assert added == {"upgrade-test-question", "upgrade-test-question/steps"}

    log = import_apkg(col, v2)
    assert counts(log) == (len(added), before[0], 0, 0)
    notes = notes_by_id(col)
    assert notes["zero-downtime-deploys"]["Prompt"] == (
        "How do you deploy a web service with zero downtime?"
    )
    assert "dependent teams" in notes["rollback-coordinated-release/steps"]["Glosses"]
    assert notes["upgrade-test-question"]["Prompt"] == "What is a release train?"
    assert col.note_count() == before[0] + len(added)
    assert col.card_count() == before[1] + 1 + 2
    assert sorted(m["name"] for m in col.models.all()) == notetypes_before
    assert not any(m["name"].endswith("+") for m in col.models.all())
    assert revlog(col) == history
    assert review_state(col) == state


def test_same_build_imported_twice_changes_nothing(tmp_path: Path, collection: Any) -> None:
    apkg = apkg_of(build(ROOT / "source", tmp_path, T0))
    first = counts(import_apkg(collection, apkg))
    again = counts(import_apkg(collection, apkg))
    assert again == (0, 0, first[0], 0)


def test_template_and_css_change_updates_note_type_in_place(
    tmp_path: Path, collection: Any, monkeypatch: Any
) -> None:
    from prepdeck import notetypes

    v1 = apkg_of(build(ROOT / "source", tmp_path / "v1", T0))
    import_apkg(collection, v1)
    ids_before = {m["name"]: m["id"] for m in collection.models.all()}
    monkeypatch.setattr(notetypes, "css", lambda: ".card { color: #101010; } /* v2 */")
    v2 = apkg_of(build(ROOT / "source", tmp_path / "v2", T0 + 60))
    log = import_apkg(collection, v2)
    assert counts(log)[2:] == (0, 0)
    ids_after = {m["name"]: m["id"] for m in collection.models.all()}
    assert ids_after == ids_before
    outline = collection.models.by_name(notetypes.OUTLINE.name)
    assert "/* v2 */" in outline["css"]


RETIRE = "    retired: {version: 0.2.0, reason: Folded into the zero-downtime question.}\n"


def test_release_replay_edit_add_retire_restyle(
    tmp_path: Path, source_copy: Path, collection: Any, monkeypatch: Any
) -> None:
    """One upgrade with every kind of change a normal release makes, seen through Anki."""
    from prepdeck import notetypes

    col = collection
    import_apkg(col, apkg_of(build(source_copy, tmp_path / "v1", T0)))
    answer_some(col, "DevOps Interview Prep", 8)
    history, state, before = revlog(col), review_state(col), col.note_count()

    releasing = source_copy / "topics/20-releasing.yaml"
    edit(
        releasing,
        "How do you deploy a web service without any downtime?",
        "How do you ship a web service release with zero downtime?",
    )
    edit(releasing, "\nframeworks:\n", NEW_QUESTION + "\nframeworks:\n")
    edit(
        releasing,
        "    related: [zero-downtime-deploys]\n",
        "    related: [zero-downtime-deploys]\n" + RETIRE,
    )
    css = notetypes.css() + "\n.pd-prompt { letter-spacing: .01em; } /* v2 */\n"
    monkeypatch.setattr(notetypes, "css", lambda: css)
    log = import_apkg(col, apkg_of(build(source_copy, tmp_path / "v2", T0 + 86_400)))

    assert counts(log) == (2, before, 0, 0)
    notes = notes_by_id(col)
    assert notes["zero-downtime-deploys"]["Prompt"].startswith("How do you ship")
    assert "upgrade-test-question/steps" in notes
    retired = notes["rollback-coordinated-release/steps"]
    assert "prepdeck::retired" in retired.tags
    front = col.get_card(retired.cards()[0].id).question()
    assert "Retired in v0.2.0: Folded into the zero-downtime question." in front
    assert col.find_notes("tag:prepdeck::retired")
    assert all("/* v2 */" in m["css"] for m in col.models.all() if m["name"].startswith("prep"))
    assert not any(m["name"].endswith("+") for m in col.models.all())
    assert revlog(col) == history and review_state(col) == state


def test_major_release_with_merge_keeps_reviews(
    tmp_path: Path, collection: Any, monkeypatch: Any
) -> None:
    """A major release adds a field; users import with 'Merge note types' as its notes say."""
    import dataclasses

    from ankitools import ALWAYS

    from prepdeck import notetypes
    from prepdeck.render_anki import render_apkg

    col = collection
    import_apkg(col, apkg_of(build(ROOT / "source", tmp_path / "v1", T0)))
    answer_some(col, "DevOps Interview Prep", 5)
    history, state, before = revlog(col), review_state(col), col.note_count()

    qa = notetypes.QA
    grown = dataclasses.replace(qa, fields=(*qa.fields, ("Hint", 1234567890123)))
    monkeypatch.setattr(
        notetypes, "ALL", tuple(grown if n.key == "qa" else n for n in notetypes.ALL)
    )
    src, _ = sourcetree.read_source(ROOT, ROOT / "source")
    specs = build_notes(src, read_settings(ROOT).reference_url)  # QA notes now have 8 fields
    v2 = tmp_path / "v2.apkg"
    v2.write_bytes(render_apkg(specs, {}, T0 + 86_400))
    log = import_apkg(col, v2, merge=True, update=ALWAYS)
    assert counts(log)[0] == 0 and counts(log)[2:] == (0, 0)
    model = col.models.by_name(qa.name)
    assert [f["name"] for f in model["flds"]][-1] == "Hint"
    assert not any(m["name"].endswith("+") for m in col.models.all())
    assert col.note_count() == before
    assert revlog(col) == history and review_state(col) == state
