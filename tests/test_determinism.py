"""The same commit builds byte-identical artifacts, and the build leaves no temp files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def build_in(out: Path, tmpdir: Path, seed: str, tz: str) -> bytes:
    tmpdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": "1760000000",
        "PYTHONHASHSEED": seed,
        "TZ": tz,
        "TMPDIR": str(tmpdir),
    }
    subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "-q", "--out", str(out), "--only", "anki"],
        check=True,
        env=env,
        timeout=300,
    )
    return (out / "decks/devops-interview-prep.apkg").read_bytes()


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    a = build_in(tmp_path / "a", tmp_path / "tmp-a", "1", "UTC")
    b = build_in(tmp_path / "b", tmp_path / "tmp-b", "2", "Asia/Kolkata")
    assert a == b


def test_no_temp_files_left_behind(tmp_path: Path) -> None:
    build_in(tmp_path / "out", tmp_path / "tmp", "0", "UTC")
    assert list((tmp_path / "tmp").iterdir()) == []
    leftovers = [p.name for p in (tmp_path / "out").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
