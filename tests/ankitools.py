"""Thin helpers over the real `anki` backend (the Rust importer Anki desktop uses)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as UC

IF_NEWER = UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
ALWAYS = UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS


def import_apkg(col: Collection, path: Path, *, merge: bool = False, update: Any = IF_NEWER) -> Any:
    """Import with the options a fresh Anki profile uses (merge off, update if newer)."""
    res = col.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=str(Path(path).resolve()),
            options=ImportAnkiPackageOptions(
                merge_notetypes=merge,
                update_notes=update,
                update_notetypes=update,
                with_scheduling=False,
                with_deck_configs=False,
            ),
        )
    )
    col.models._clear_cache()  # the Python-side note-type cache is stale after an import
    return res.log


def counts(log: Any) -> tuple[int, int, int, int]:
    return len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)


def notes_by_id(col: Collection) -> dict[str, Any]:
    """Notes keyed by their `Id` field (the stable source id)."""
    out = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        out[note["Id"]] = note
    return out


def _rows(col: Collection, sql: str) -> list[tuple[Any, ...]]:
    assert col.db is not None
    return [tuple(row) for row in col.db.all(sql)]


def review_state(col: Collection) -> list[tuple[Any, ...]]:
    return _rows(
        col,
        "select id, type, queue, ivl, due, reps, lapses, factor from cards "
        "where reps > 0 order by id",
    )


def revlog(col: Collection) -> list[tuple[Any, ...]]:
    return _rows(col, "select id, cid, ease, ivl, lastIvl, type from revlog order by id")


def answer_some(col: Collection, deck: str, n: int) -> list[int]:
    """Study `n` new cards of `deck` through the real v3 scheduler, answering Good."""
    deck_id = col.decks.id_for_name(deck)
    assert deck_id is not None, deck
    col.decks.select(deck_id)
    done: list[int] = []
    for _ in range(n):
        card = col.sched.getCard()
        if card is None:
            break
        card.start_timer()
        col.sched.answerCard(card, 3)
        done.append(card.id)
    return done
