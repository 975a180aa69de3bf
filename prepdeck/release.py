"""The release bundle's pure parts: the manifest, the release notes and the checksums.

The manifest is the machine-readable record of what a release shipped (every note's id, GUID,
note type, deck, tags and a content hash). Release notes come from comparing it with the
previous release's manifest, so "what changed" is computed, never remembered.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from typing import Any

from . import model, notetypes
from .ledger import notetype_record
from .notes import RETIRED_TAG, NoteSpec


def content_hash(note: NoteSpec) -> str:
    data = "\x1f".join(note.fields) + "\x1e" + " ".join(note.tags) + "\x1e" + note.deck
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def manifest(
    src: model.Source,
    notes: list[NoteSpec],
    *,
    version: str,
    build_time: int,
    build_date: str,
    commit: str,
    cards: int,
) -> dict[str, Any]:
    live = src.current()
    return {
        "project": "prepdeck",
        "version": version,
        "build_time": build_time,
        "build_date": build_date,
        "commit": commit,
        "counts": {
            "questions": len(live.questions),
            "frameworks": len(live.frameworks),
            "stars": len(live.stars),
            "terms": len(live.terms),
            "notes": len(notes),
            "cards": cards,
            "retired_notes": sum(RETIRED_TAG in n.tags for n in notes),
        },
        "notetypes": {nt.key: {"name": nt.name, **notetype_record(nt)} for nt in notetypes.ALL},
        "notes": [
            {
                "id": n.id,
                "guid": n.guid,
                "notetype": n.notetype,
                "deck": n.deck,
                "tags": list(n.tags),
                "hash": content_hash(n),
                "title": _title(n),
            }
            for n in notes
        ],
    }


def dump_manifest(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _title(note: NoteSpec) -> str:
    text = re.sub(r"<[^>]+>", " ", note.fields[0])
    return re.sub(r"\s+", " ", html.unescape(text)).strip()[:120]


def _items(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Notes grouped by the item they belong to (`q-id`, `q-id/steps` -> `q-id`)."""
    items: dict[str, dict[str, Any]] = {}
    for note in data["notes"]:
        root = note["id"].split("/", 1)[0]
        item = items.setdefault(root, {"title": "", "hashes": {}, "retired": False})
        if "/" not in note["id"]:
            item["title"] = note["title"]
            item["retired"] = RETIRED_TAG in note["tags"]
        item["hashes"][note["id"]] = note["hash"]
    return items


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Added, changed and retired items (id, title) and note-type changes, old -> new."""
    new_items = _items(new)
    old_items = _items(old) if old else {}
    out: dict[str, list[tuple[str, str]]] = {
        "added": [],
        "changed": [],
        "retired": [],
        "notetypes": [],
    }
    for item_id, item in new_items.items():
        before = old_items.get(item_id)
        if before is None:
            out["added"].append((item_id, item["title"]))
        elif item["retired"] and not before["retired"]:
            out["retired"].append((item_id, item["title"]))
        elif item["hashes"] != before["hashes"]:
            out["changed"].append((item_id, item["title"]))
    if old:
        for key, record in new["notetypes"].items():
            if _schema(old["notetypes"].get(key)) != _schema(record):
                out["notetypes"].append((key, record["name"]))
    return out


def _schema(record: dict[str, Any] | None) -> Any:
    if record is None:
        return None
    return [record["model_id"], record["fields"], record["templates"], record["cloze"]]


IMPORT_STEPS = """## Install or update

Download `{apkg}` below, then:

- **Anki desktop**: *File → Import*, choose the file, {options}, then *Import*.
- **AnkiDroid**: open the downloaded file (or *Import* from the deck list menu) and confirm.
- **AnkiMobile**: open the file from Files, Safari or Mail with Anki, or import it on the
  desktop and sync.

Updating keeps your review history: every card is matched by its id, so edited cards change in
place and new ones are added. Retired cards carry the tag `prepdeck::retired`; delete them by
searching `tag:prepdeck::retired` in the browser. Imports never delete anything by themselves.

## Verify the download

```sh
sha256sum --check --ignore-missing SHA256SUMS
gh attestation verify {apkg} --repo {repo}
```
"""


def release_notes(
    title: str, new: dict[str, Any], old: dict[str, Any] | None, apkg: str, repo: str
) -> str:
    counts = new["counts"]
    lines = [
        f"# {title} {new['version']}",
        "",
        f"{counts['questions']} questions, {counts['frameworks']} frameworks, "
        f"{counts['stars']} STAR examples and {counts['terms']} terms: "
        f"{counts['notes']} notes, {counts['cards']} cards. Built {new['build_date']} "
        f"from commit `{new['commit']}`.",
        "",
    ]
    changes = diff(old, new)
    if old is None:
        lines += ["This is the first release.", ""]
    else:
        lines += [f"## Changes since {old['version']}", ""]
        for key, heading in (("added", "Added"), ("changed", "Changed"), ("retired", "Retired")):
            entries = changes[key]
            lines.append(f"### {heading} ({len(entries)})")
            lines.append("")
            lines += [f"- {t or i} (`{i}`)" for i, t in entries] or ["- none"]
            lines.append("")
    if changes["notetypes"]:
        names = ", ".join(name for _, name in changes["notetypes"])
        options = (
            "turn **Merge note types** on and set *Update notes* and *Update note types* "
            "to **Always**"
        )
        lines += [
            "## Note types changed",
            "",
            f"This major release changes the note types {names}. Import with "
            f"{options}; with the defaults Anki would make copies named `…+` and skip "
            "the updates.",
            "",
        ]
    else:
        options = "keep the default options"
    lines.append(IMPORT_STEPS.format(apkg=apkg, options=options, repo=repo))
    return "\n".join(lines).rstrip("\n") + "\n"


def sha256sums(files: dict[str, bytes]) -> bytes:
    """`sha256sum`-compatible lines, sorted by name."""
    return "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    ).encode()
