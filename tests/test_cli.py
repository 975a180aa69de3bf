"""The command line as a user runs it: exit codes, messages, and nothing half-written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BUILD = [sys.executable, str(ROOT / "build.py")]


def run(*args: str, env: dict[str, str] | None = None,
        cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": "1760000000", **(env or {})}
    return subprocess.run([*BUILD, *args], capture_output=True, text=True, env=full_env,
                          cwd=cwd, timeout=300)


def tree_snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file()}


def test_help_lists_every_option() -> None:
    out = run("--help")
    assert out.returncode == 0
    for option in ("--check", "--strict", "--only", "--source", "--out", "--quiet", "--force",
                   "--json", "--track", "--list-tracks", "--stories", "--preview"):
        assert option in out.stdout


def test_check_validates_and_writes_nothing(tmp_path: Path) -> None:
    out = run("--check", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok: ")
    assert list(tmp_path.iterdir()) == []


def test_build_writes_the_deck(tmp_path: Path) -> None:
    out = run("--out", str(tmp_path), "--only", "anki")
    assert out.returncode == 0, out.stderr
    assert "wrote decks/devops-interview-prep.apkg" in out.stdout
    assert (tmp_path / "decks/devops-interview-prep.apkg").stat().st_size > 10_000
    again = run("--out", str(tmp_path), "--only", "anki")
    assert "anki: skipped, inputs unchanged since the last build" in again.stdout
    forced = run("--out", str(tmp_path), "--only", "anki", "--force")
    assert "unchanged decks/devops-interview-prep.apkg" in forced.stdout


def test_changed_input_rebuilds_only_what_depends_on_it(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "source", src)
    out = tmp_path / "out"
    first = run("--source", str(src), "--out", str(out), "--only", "anki", "--only", "md")
    assert first.returncode == 0, first.stderr
    (out / "REFERENCE.md").unlink()
    second = run("--source", str(src), "--out", str(out), "--only", "anki", "--only", "md")
    pages = len(list((out / "reference").glob("*.md"))) + 1
    assert "anki: skipped" in second.stdout and f"md: {pages} file(s)" in second.stdout
    topic = src / "topics/30-infrastructure.yaml"
    topic.write_text(topic.read_text().replace("Break-glass access", "Break-glass account"))
    third = run("--source", str(src), "--out", str(out), "--only", "anki", "--only", "md")
    assert "skipped" not in third.stdout


def test_json_report(tmp_path: Path) -> None:
    import json

    out = run("--out", str(tmp_path), "--only", "md", "--json")
    report = json.loads(out.stdout)
    assert report["ok"] is True
    assert [s["stage"] for s in report["stages"]] == ["load+validate", "md"]
    assert {"path": "REFERENCE.md", "state": "wrote"} in report["outputs"]
    assert {o["path"] for o in report["outputs"]} == {
        "REFERENCE.md", *(f"reference/{p.name}" for p in (ROOT / "reference").glob("*.md"))}
    bad = tmp_path / "src"
    shutil.copytree(ROOT / "source", bad)
    shutil.copy(ROOT / "tests/fixtures/invalid/bad-enum.yaml", bad / "topics/x.yaml")
    failed = run("--source", str(bad), "--out", str(tmp_path), "--json")
    assert failed.returncode == 1
    report = json.loads(failed.stdout)
    assert report["ok"] is False
    assert {"file", "line", "col", "message", "warning"} <= set(report["problems"][0])


def test_bad_source_exits_1_with_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    run("--out", str(out_dir), "--only", "anki")
    before = tree_snapshot(out_dir)
    src = tmp_path / "src"
    shutil.copytree(ROOT / "source", src)
    for name in ("bad-enum", "python-object-tag"):
        shutil.copy(ROOT / f"tests/fixtures/invalid/{name}.yaml", src / f"topics/{name}.yaml")
    out = run("--source", str(src), "--out", str(out_dir))
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    lines = out.stderr.splitlines()
    assert any(":9:11: questions[0].kind: 'sytem-design'" in line for line in lines)
    assert any(":10:12: tag '!!python/object:os.system' is not allowed" in line for line in lines)
    assert lines[-1].endswith("problem(s); nothing was written")
    assert tree_snapshot(out_dir) == before


def test_bad_usage_exits_2() -> None:
    out = run("--only", "nonsense")
    assert out.returncode == 2
    assert "invalid choice" in out.stderr


def test_bad_source_date_epoch_is_a_clear_error(tmp_path: Path) -> None:
    out = run("--out", str(tmp_path), env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert out.returncode == 1
    assert "SOURCE_DATE_EPOCH:1:1: 'yesterday' is not a Unix time in seconds" in out.stderr


def test_check_does_not_import_heavy_libraries() -> None:
    code = ("import sys, runpy; sys.argv=['build.py','--check','-q']\n"
            "try:\n runpy.run_path('build.py', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "print(sorted(m for m in ('genanki','weasyprint','anki') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "[]"
