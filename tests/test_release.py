"""The release bundle: assets, checksums, manifest against the real decks, notes diff."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ankitools import import_apkg
from conftest import ROOT, T0

from prepdeck import model, notetypes, pipeline, release, sourcetree
from prepdeck.project import read_settings

SETTINGS = read_settings(ROOT)
V = SETTINGS.version
BASE = "devops-interview-prep"


@pytest.fixture(scope="module")
def bundle(shipped: model.Source, shipped_files: dict[str, bytes]) -> dict[str, bytes]:
    ctx = pipeline.Context(SETTINGS, T0, "abc1234")
    return pipeline.release_bundle(ROOT, ROOT / "source", shipped, ctx, None, built=shipped_files)


def test_assets_are_flat_versioned_and_stable(
    bundle: dict[str, bytes], shipped: model.Source
) -> None:
    parts = ["", *(f"-{t.id}" for t in shipped.tracks)]
    stable = {"REFERENCE.md", "manifest.json", "release-notes.md", "SHA256SUMS"}
    stable |= {f"{BASE}{p}{ext}" for p in parts for ext in (".apkg", "-a4.pdf", "-letter.pdf")}
    versioned = {f"REFERENCE-{V}.md", f"manifest-{V}.json"}
    versioned |= {
        f"{BASE}-{V}{p}{ext}" for p in parts for ext in (".apkg", "-a4.pdf", "-letter.pdf")
    }
    assert set(bundle) == stable | versioned
    assert all("/" not in name for name in bundle)
    for name in versioned:
        unversioned = name.replace(f"-{V}", "")
        assert bundle[name] == bundle[unversioned]
    # The reference travels as one file that reads offline: every page's content in one.
    reference = bundle["REFERENCE.md"].decode()
    for page in (ROOT / "reference").glob("*.md"):
        for anchor in re.findall(r'<a id="([^"]+)"></a>', page.read_text(encoding="utf-8")):
            assert f'<a id="{anchor}"></a>' in reference, (page.name, anchor)


def test_sha256sums_cover_every_other_asset(bundle: dict[str, bytes]) -> None:
    lines = bundle["SHA256SUMS"].decode().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == set(bundle) - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256(bundle[name]).hexdigest() == digest


def test_manifest_matches_the_deck(
    bundle: dict[str, bytes], collection: Any, tmp_path: Path
) -> None:
    manifest = json.loads(bundle["manifest.json"])
    assert manifest["version"] == V and manifest["commit"] == "abc1234"
    assert manifest["build_time"] == T0 and manifest["build_date"] == "2025-10-09"
    apkg = tmp_path / "deck.apkg"
    apkg.write_bytes(bundle[f"{BASE}.apkg"])
    import_apkg(collection, apkg)
    by_guid = {
        collection.get_note(nid).guid: collection.get_note(nid) for nid in collection.find_notes("")
    }
    assert len(by_guid) == len(manifest["notes"]) == manifest["counts"]["notes"]
    assert collection.card_count() == manifest["counts"]["cards"]
    names = {nt.key: nt.name for nt in notetypes.ALL}
    for entry in manifest["notes"]:
        note = by_guid[entry["guid"]]
        assert note["Id"] == entry["id"]
        assert note.note_type()["name"] == names[entry["notetype"]]
        assert sorted(note.tags) == sorted(entry["tags"])
        assert collection.decks.name(note.cards()[0].did) == entry["deck"]


def older(manifest: dict[str, Any]) -> dict[str, Any]:
    """A hand-made previous release: two items missing, one edited, one note type renamed."""
    old = copy.deepcopy(manifest)
    old["version"] = "0.0.9"
    old["notes"] = [
        n for n in old["notes"] if n["id"].split("/")[0] not in ("gitops-basics", "term-gitops")
    ]
    for note in old["notes"]:
        if note["id"] == "iac-drift/why-not-reapply":
            note["hash"] = "0" * 16
    return old


def test_release_notes_from_a_previous_manifest(bundle: dict[str, bytes]) -> None:
    new = json.loads(bundle["manifest.json"])
    notes = release.release_notes("Prep", new, older(new), f"{BASE}.apkg", "o/r")
    assert "## Changes since 0.0.9" in notes
    added = notes.split("### Added (2)")[1].split("###")[0]
    assert "(`gitops-basics`)" in added and "(`term-gitops`)" in added
    changed = notes.split("### Changed (1)")[1].split("###")[0]
    assert "How do you detect and handle configuration drift" in changed
    assert "### Retired (0)" in notes
    assert "keep the default options" in notes and "Note types changed" not in notes
    for client in ("Anki desktop", "AnkiDroid", "AnkiMobile"):
        assert client in notes


def test_release_notes_flag_retired_items_and_note_type_changes(bundle: dict[str, bytes]) -> None:
    new = json.loads(bundle["manifest.json"])
    old = copy.deepcopy(new)
    old["version"] = "0.0.9"
    old["notetypes"]["qa"]["fields"] = old["notetypes"]["qa"]["fields"][:-1]
    for note in new["notes"]:
        if note["id"].split("/")[0] == "gitops-basics":
            note["tags"] = [*note["tags"], "prepdeck::retired"]
    notes = release.release_notes("Prep", new, old, f"{BASE}.apkg", "o/r")
    assert "### Retired (1)" in notes and "(`gitops-basics`)" in notes.split("### Retired")[1]
    assert "## Note types changed" in notes and "Merge note types" in notes


def run_release(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(T0)}
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "release", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_release_command_builds_and_refuses_a_wrong_tag(
    tmp_path: Path, bundle: dict[str, bytes]
) -> None:
    # The command end to end on a small project of its own (its pyproject.toml and ledger).
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests/fixtures/trees/small", project / "source")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    source = str(project / "source")
    subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "ledger", "--source", source],
        check=True,
        capture_output=True,
        timeout=120,
    )
    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps(older(json.loads(bundle["manifest.json"]))))
    ok = run_release(
        "--version",
        f"v{V}",
        "--source",
        source,
        "--out",
        str(tmp_path / "dist"),
        "--previous",
        str(previous),
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "dist/SHA256SUMS").exists()
    assert "Changes since 0.0.9" in (tmp_path / "dist/release-notes.md").read_text()
    wrong = run_release("--version", "v99.0.0", "--out", str(tmp_path / "other"))
    assert wrong.returncode == 2  # a bad command line, not a source problem
    assert f"release v99.0.0 does not match version {V}" in wrong.stderr
    assert not (tmp_path / "other").exists()
    missing = run_release(
        "--version", V, "--out", str(tmp_path / "x"), "--previous", str(tmp_path / "nope.json")
    )
    assert missing.returncode == 1 and "cannot read the previous manifest" in missing.stderr


def test_release_needs_an_up_to_date_ledger(
    source_copy: Path, shipped_files: dict[str, bytes]
) -> None:
    from prepdeck.errors import BuildError

    (source_copy / "ledger.json").write_text(
        (source_copy / "ledger.json").read_text().replace('"version": "', '"version": "9', 1)
    )
    src, _ = sourcetree.read_source(ROOT, source_copy)
    ctx = pipeline.Context(SETTINGS, T0, "abc1234")
    with pytest.raises(BuildError) as err:
        pipeline.release_bundle(ROOT, source_copy, src, ctx, None)
    assert "run `python build.py ledger`" in str(err.value)
    # A dry run (what CI does on every push) still builds the whole bundle.
    assets = pipeline.release_bundle(
        ROOT, source_copy, src, ctx, None, dry_run=True, built=shipped_files
    )
    assert json.loads(assets["manifest.json"])["version"] == SETTINGS.version
    assert (
        release.sha256sums({n: d for n, d in assets.items() if n != "SHA256SUMS"})
        == assets["SHA256SUMS"]
    )
