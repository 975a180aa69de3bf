"""Note specs -> a reproducible .apkg (bytes).

genanki builds the collection rows; we write them ourselves. Its `write_to_file` stamps the
zip with the wall clock and leaves its database in the system temp directory, so we ask it
only for the rows (`write_to_db`, with the build time), into a database in a private scratch
directory, and zip that with fixed entry dates: one commit gives identical bytes.
"""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
import tempfile
import warnings
import zipfile
from pathlib import Path

import genanki

from . import notetypes
from .ids import deck_id
from .notes import NoteSpec


def genanki_model(nt: notetypes.NoteType) -> genanki.Model:
    return genanki.Model(
        nt.model_id,
        nt.name,
        fields=[{"name": name, "id": fid} for name, fid in nt.fields],
        templates=[
            {"name": t.name, "id": t.id, "qfmt": t.front, "afmt": t.back} for t in nt.templates
        ],
        css=notetypes.css(),
        model_type=genanki.Model.CLOZE if nt.cloze else genanki.Model.FRONT_BACK,
        sort_field_index=0,
    )


def build_package(notes: list[NoteSpec], descriptions: dict[str, str]) -> genanki.Package:
    """One package, a deck per distinct deck name; `descriptions` maps deck name -> HTML."""
    used = {n.notetype for n in notes}
    models = {
        nt.key: genanki_model(nt) for nt in (*notetypes.ALL, *notetypes.PRIVATE) if nt.key in used
    }
    decks: dict[str, genanki.Deck] = {}
    for name in sorted({n.deck for n in notes} | set(descriptions)):
        decks[name] = genanki.Deck(deck_id(name), name, description=descriptions.get(name, ""))
    with warnings.catch_warnings():
        # genanki warns on HTML it considers invalid: for us that is a bug, not a notice.
        warnings.simplefilter("error")
        for spec in notes:
            decks[spec.deck].add_note(
                genanki.Note(
                    model=models[spec.notetype],
                    fields=list(spec.fields),
                    guid=spec.guid,
                    tags=list(spec.tags),
                    due=spec.due,
                    sort_field=spec.fields[0],
                )
            )
    package = genanki.Package(list(decks.values()))
    return package


def media_of(notes: list[NoteSpec]) -> dict[str, bytes]:
    """Every picture the notes show, by file name (names are content hashes: no clashes)."""
    return {name: data for n in notes for name, data in n.media}


def apkg_bytes(
    package: genanki.Package, timestamp: int, media: dict[str, bytes] | None = None
) -> bytes:
    """The package as .apkg bytes: the collection, the media index and the media files, in
    name order with fixed dates. Leaves no file behind."""
    with tempfile.TemporaryDirectory(prefix="prepdeck-") as scratch:
        db = Path(scratch) / "collection.anki2"
        conn = sqlite3.connect(db)
        try:
            ids = itertools.count(timestamp * 1000)  # what genanki's write_to_file would use
            package.write_to_db(conn.cursor(), timestamp, ids)
            conn.commit()
        finally:
            conn.close()
        entries = {"collection.anki2": db.read_bytes()}
    names = sorted(media or {})
    entries["media"] = json.dumps(dict(enumerate(names))).encode()
    entries.update({str(index): (media or {})[name] for index, name in enumerate(names)})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name in sorted(entries):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            zout.writestr(entry, entries[name], compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def render_apkg(notes: list[NoteSpec], descriptions: dict[str, str], timestamp: int) -> bytes:
    return apkg_bytes(build_package(notes, descriptions), timestamp, media_of(notes))
