"""The id ledger: every note id ever released, with its GUID and note type.

Users keep their reviews only while every released note keeps its GUID and note type, and
while every note type keeps its schema. The ledger, committed as source/ledger.json
and extended by ``python build.py ledger`` before each release, lets every build check that:
no released id disappears (retire it instead), no id is reused for a different kind of note, no
cloze loses a released key point, and no note type changes its fields or templates outside a
major release. One note per line keeps the file diff-friendly and lets problems name a line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import notetypes
from .errors import Mark, Problem
from .notes import NoteSpec

FILE = "source/ledger.json"  # where the shipped source keeps it (sourcetree.LEDGER_FILE)


@dataclass
class Ledger:
    version: str
    notetypes: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)


def notetype_record(nt: notetypes.NoteType) -> dict[str, Any]:
    """What forks a note type if it changes: model id, kind, fields and templates in order."""
    return {
        "model_id": nt.model_id,
        "cloze": nt.cloze,
        "fields": [[name, fid] for name, fid in nt.fields],
        "templates": [[t.name, t.id] for t in nt.templates],
    }


def points(note: NoteSpec) -> int | None:
    return note.points if note.notetype == "cloze" else None


_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
_NOTE_KEYS = {"guid": str, "notetype": str, "since": str, "points": int}
_NOTETYPE_KEYS = {"model_id": int, "cloze": bool, "fields": list, "templates": list}


def parse(text: str, file: str = FILE) -> tuple[Ledger | None, list[Problem]]:
    """The ledger, or every way its text is malformed, each at its line."""
    lines = text.splitlines()

    def at(key: str) -> Mark:
        needle = f"{json.dumps(key)}:"
        line = next((i for i, ln in enumerate(lines, 1) if ln.lstrip().startswith(needle)), 1)
        return Mark(file, line, 1)

    fix = "restore it from git (`git checkout -- source/ledger.json`): it records what users "
    fix += "already have"
    try:
        data = json.loads(text)
    except ValueError as err:
        line, col = getattr(err, "lineno", 1), getattr(err, "colno", 1)
        return None, [Problem(Mark(file, line, col), f"not valid JSON ({err}); {fix}")]
    if not isinstance(data, dict):
        return None, [Problem(Mark(file, 1, 1), f"expected a JSON object; {fix}")]
    problems: list[Problem] = []
    for key, kind in (("version", str), ("notetypes", dict), ("notes", dict)):
        if not isinstance(data.get(key), kind):
            what = "missing" if key not in data else f"not a {kind.__name__}"
            problems.append(
                Problem(at(key) if key in data else Mark(file, 1, 1), f"{key!r} is {what}; {fix}")
            )
    if problems:
        return None, problems
    if not _SEMVER.match(data["version"]):
        problems.append(
            Problem(at("version"), f"version {data['version']!r} is not MAJOR.MINOR.PATCH; {fix}")
        )
    for key, entry in data["notetypes"].items():
        problems += _entry(
            entry,
            _NOTETYPE_KEYS,
            {"model_id", "cloze", "fields", "templates"},
            f"note type {key!r}",
            at(key),
            fix,
        )
    for key, entry in data["notes"].items():
        found = _entry(
            entry, _NOTE_KEYS, {"guid", "notetype", "since"}, f"note {key!r}", at(key), fix
        )
        if not found and not _SEMVER.match(entry["since"]):
            found.append(
                Problem(
                    at(key),
                    f"note {key!r}: since {entry['since']!r} is not MAJOR.MINOR.PATCH; {fix}",
                )
            )
        problems += found
    if problems:
        return None, problems
    return Ledger(data["version"], data["notetypes"], data["notes"]), []


def _entry(
    entry: Any, kinds: dict[str, type], required: set[str], what: str, mark: Mark, fix: str
) -> list[Problem]:
    if not isinstance(entry, dict):
        return [Problem(mark, f"{what} is not an object; {fix}")]
    problems = [
        Problem(mark, f"{what} lacks {key!r}; {fix}") for key in sorted(required - entry.keys())
    ]
    for key, value in entry.items():
        kind = kinds.get(key)
        if kind is None:
            problems.append(Problem(mark, f"{what} has an unknown key {key!r}; {fix}"))
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            problems.append(Problem(mark, f"{what}: {key!r} must be a {kind.__name__}; {fix}"))
    return problems


def dump(ledger: Ledger) -> str:
    lines = ["{", f'  "version": {json.dumps(ledger.version)},', '  "notetypes": {']
    types = [f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(ledger.notetypes.items())]
    lines.append(",\n".join(types))
    lines += ["  },", '  "notes": {']
    notes = [
        f"    {json.dumps(k)}: {json.dumps(v, sort_keys=True)}"
        for k, v in sorted(ledger.notes.items())
    ]
    lines.append(",\n".join(notes))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def record(ledger: Ledger | None, notes: list[NoteSpec], version: str) -> Ledger:
    """The ledger after releasing `version`: new notes added, counts and note types updated."""
    out = Ledger(
        version,
        {nt.key: notetype_record(nt) for nt in notetypes.ALL},
        dict(ledger.notes) if ledger else {},
    )
    for note in notes:
        entry = dict(out.notes.get(note.id) or {"since": version})
        entry.update(guid=note.guid, notetype=note.notetype)
        count = points(note)
        if count is not None:
            entry["points"] = max(count, entry.get("points", 0))
        out.notes[note.id] = entry
    return out


def _major(version: str) -> int:
    return int(version.split(".")[0])


def check(
    ledger: Ledger, notes: list[NoteSpec], version: str, text: str, file: str = FILE
) -> list[Problem]:
    """Every way the current build would break a user who has an earlier release."""
    lines = text.splitlines()

    def at(key: str) -> Mark:
        needle = f"    {json.dumps(key)}: "
        line = next((i for i, ln in enumerate(lines, 1) if ln.startswith(needle)), 1)
        return Mark(file, line, 5)

    problems: list[Problem] = []
    current = {n.id: n for n in notes}
    for note_id, entry in ledger.notes.items():
        note = current.get(note_id)
        since = entry.get("since", "?")
        if note is None:
            problems.append(
                Problem(
                    at(note_id),
                    f"{note_id}: released in v{since} but gone from "
                    "the source; put the item back and mark it `retired:` "
                    "(version, reason) instead of deleting it",
                )
            )
            continue
        if note.notetype != entry["notetype"]:
            problems.append(
                Problem(
                    at(note_id),
                    f"{note_id}: released as a "
                    f"{entry['notetype']} note, now a {note.notetype} note; "
                    "never reuse an id: give the new item a new id and retire "
                    "the old one",
                )
            )
        if note.guid != entry["guid"]:
            problems.append(
                Problem(
                    at(note_id),
                    f"{note_id}: GUID {note.guid!r} differs from "
                    f"the released {entry['guid']!r}; the GUID namespace or "
                    "derivation must never change",
                )
            )
        count = points(note)
        if count is not None and count < entry.get("points", 0):
            problems.append(
                Problem(
                    at(note_id),
                    f"{note_id}: released with {entry['points']} "
                    f"key points, now {count}; a removed point blanks a card "
                    "users have studied: keep it, or retire the item",
                )
            )
    seen: dict[str, str] = {}
    for note in notes:
        if note.guid in seen:
            problems.append(
                Problem(
                    Mark(file, 1, 1),
                    f"{note.id} and {seen[note.guid]} share "
                    f"the GUID {note.guid!r}; rename one of the new ids",
                )
            )
        seen[note.guid] = note.id
    if _major(version) == _major(ledger.version):
        by_key = {nt.key: nt for nt in notetypes.ALL}
        for key, released in sorted(ledger.notetypes.items()):
            now = notetype_record(by_key[key]) if key in by_key else None
            if now != released:
                what = (
                    "was removed"
                    if now is None
                    else (f"changed from {_schema(released)} to {_schema(now)}")
                )
                problems.append(
                    Problem(
                        at(key),
                        f"note type {key!r} {what} since "
                        f"v{ledger.version}; that forks it in every user's "
                        "collection. Revert it, or make this a major release "
                        "(bump the major version in pyproject.toml) and tell "
                        "users to import with 'Merge note types' on",
                    )
                )
    return problems


def _schema(record: dict[str, Any]) -> str:
    fields = ", ".join(name for name, _ in record["fields"])
    templates = ", ".join(name for name, _ in record["templates"])
    return f"id {record['model_id']} fields [{fields}] templates [{templates}]"
