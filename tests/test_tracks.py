"""Per-track packages share GUIDs with the full deck: importing both never duplicates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ankitools import counts, import_apkg
from conftest import ROOT, T0

from prepdeck import model


@pytest.fixture(scope="module")
def decks(
    shipped_decks: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("tracks")
    paths = {}
    for name, data in shipped_decks.items():
        if not name.endswith(".apkg"):
            continue
        path = out / name.rsplit("/", 1)[-1]
        path.write_bytes(data)
        paths[path.stem.removeprefix("devops-interview-prep").lstrip("-") or "full"] = path
    return paths


def test_one_package_per_track(decks: dict[str, Path], shipped: model.Source) -> None:
    assert set(decks) == {"full", *(t.id for t in shipped.tracks)}


def test_track_selects_by_item_tracks(shipped: model.Source) -> None:
    part = shipped.for_track("behavioral")
    assert part.stars and all("behavioral" in s.tracks for s in part.stars)
    assert all("behavioral" in q.tracks for q in part.questions)
    assert len(part.questions) < len(shipped.questions)


@pytest.mark.parametrize("track", ["sre", "behavioral"])
def test_track_then_full_adds_only_the_rest(
    decks: dict[str, Path], collection: Any, track: str
) -> None:
    first = counts(import_apkg(collection, decks[track]))
    assert first[1:] == (0, 0, 0)
    second = counts(import_apkg(collection, decks["full"]))
    assert second[3] == 0 and second[2] == first[0]  # the track's notes: skipped, same time
    full = counts(import_apkg(collection, decks["full"]))
    assert collection.note_count() == full[2]
    assert not any(m["name"].endswith("+") for m in collection.models.all())


def test_full_then_track_adds_nothing(decks: dict[str, Path], collection: Any) -> None:
    import_apkg(collection, decks["full"])
    before = collection.note_count(), collection.card_count()
    log = counts(import_apkg(collection, decks["release"]))
    assert log[0] == 0 and log[3] == 0
    assert (collection.note_count(), collection.card_count()) == before


def test_list_tracks_cli() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--list-tracks"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(T0)},
    )
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["platform", "release", "sre", "behavioral"]
    assert all("questions" in line and "terms" in line for line in lines)
