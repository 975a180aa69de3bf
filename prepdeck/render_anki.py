"""Note specs -> a reproducible .apkg (bytes).

genanki stamps every row with a timestamp and its zip with the wall clock, and leaks a temp
file per package. We pass the build time in, redirect its temp file into a
private directory, and re-zip with fixed entry dates so one commit gives identical bytes.
"""

from __future__ import annotations

import io
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
    """Write the package with a fixed timestamp and normalise the zip; leaves no temp files."""
    with tempfile.TemporaryDirectory(prefix="prepdeck-") as scratch:
        saved, tempfile.tempdir = tempfile.tempdir, scratch  # genanki's leaked file lands here
        try:
            folder = Path(scratch) / "media"
            folder.mkdir()
            for name, data in sorted((media or {}).items()):
                (folder / name).write_bytes(data)
            package.media_files = [str(folder / name) for name in sorted(media or {})]
            raw = Path(scratch) / "raw.apkg"
            package.write_to_file(str(raw), timestamp=timestamp)
        finally:
            tempfile.tempdir = saved
        out = io.BytesIO()
        with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w") as zout:
            for info in sorted(zin.infolist(), key=lambda i: i.filename):
                entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                entry.external_attr = 0o644 << 16
                zout.writestr(entry, zin.read(info.filename), compress_type=zipfile.ZIP_STORED)
        return out.getvalue()


def render_apkg(notes: list[NoteSpec], descriptions: dict[str, str], timestamp: int) -> bytes:
    return apkg_bytes(build_package(notes, descriptions), timestamp, media_of(notes))
