"""The command line as a user runs it: exit codes, messages, and nothing half-written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

BUILD = [sys.executable, str(ROOT / "build.py")]


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, clear_epoch: bool = False
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": "1760000000", **(env or {})}
    if clear_epoch:
        full_env.pop("SOURCE_DATE_EPOCH")
    return subprocess.run(
        [*BUILD, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=300
    )


def tree_snapshot(path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


def test_help_lists_every_option() -> None:
    out = run("--help")
    assert out.returncode == 0
    for option in (
        "--check",
        "--strict",
        "--only",
        "--source",
        "--out",
        "--quiet",
        "--force",
        "--json",
        "--track",
        "--list-tracks",
        "--stories",
        "--preview",
        "--jobs",
    ):
        assert option in out.stdout


def test_check_validates_and_writes_nothing(tmp_path: Path) -> None:
    out = run("--check", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok: ")
    assert list(tmp_path.iterdir()) == []


SMALL = str(ROOT / "tests/fixtures/trees/small")  # a one-topic tree: fast end-to-end runs


def test_build_writes_the_deck(tmp_path: Path) -> None:
    out = run("--source", SMALL, "--out", str(tmp_path), "--only", "anki")
    assert out.returncode == 0, out.stderr
    assert "wrote decks/devops-interview-prep.apkg" in out.stdout
    assert (tmp_path / "decks/devops-interview-prep.apkg").stat().st_size > 10_000
    again = run("--source", SMALL, "--out", str(tmp_path), "--only", "anki")
    assert "anki: skipped, inputs unchanged since the last build" in again.stdout
    forced = run("--source", SMALL, "--out", str(tmp_path), "--only", "anki", "--force")
    assert "unchanged decks/devops-interview-prep.apkg" in forced.stdout


def test_changed_input_rebuilds_only_what_depends_on_it(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(SMALL, src)
    out = tmp_path / "out"
    first = run("--source", str(src), "--out", str(out), "--only", "anki", "--only", "md")
    assert first.returncode == 0, first.stderr
    (out / "REFERENCE.md").unlink()
    second = run("--source", str(src), "--out", str(out), "--only", "anki", "--only", "md")
    pages = len([p for p in (out / "reference").rglob("*") if p.is_file()]) + 1
    assert "anki: skipped" in second.stdout and f"md: {pages} file(s)" in second.stdout
    topic = src / "topics/minimal.yaml"
    topic.write_text(topic.read_text().replace("Build once", "Build it once"))
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
        "REFERENCE.md",
        *(p.relative_to(ROOT).as_posix() for p in (ROOT / "reference").rglob("*") if p.is_file()),
    }
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
    run("--source", SMALL, "--out", str(out_dir), "--only", "anki")
    before = tree_snapshot(out_dir)
    src = tmp_path / "src"
    shutil.copytree(SMALL, src)
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
    assert out.returncode == 3  # the environment, not the source
    assert "error: SOURCE_DATE_EPOCH='yesterday' is not a Unix time in seconds" in out.stderr
    assert "Traceback" not in out.stderr


def test_uncommitted_edits_build_later_and_reach_the_collection(
    tmp_path: Path, collection: Any
) -> None:
    """A clean checkout builds at its commit's time, byte for byte; edited, uncommitted source
    builds later (and says so), so Anki's default import applies the edit."""
    from ankitools import import_apkg, notes_by_id

    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "source", repo / "source")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    git = {
        **env,
        "GIT_AUTHOR_DATE": "2025-10-09T00:00:00Z",
        "GIT_COMMITTER_DATE": "2025-10-09T00:00:00Z",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "content"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=git, timeout=60)

    def deck(out: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
        done = run(
            "--source",
            str(repo / "source"),
            "--out",
            str(out),
            "--only",
            "anki",
            env=env,
            clear_epoch=True,
        )
        assert done.returncode == 0, done.stderr
        return done, out / "decks/devops-interview-prep.apkg"

    clean, first = deck(tmp_path / "a")
    _, second = deck(tmp_path / "b")
    assert "note:" not in clean.stderr and first.read_bytes() == second.read_bytes()
    topic = repo / "source/topics/30-infrastructure.yaml"
    topic.write_text(topic.read_text().replace("Break-glass access", "Break-glass account"))
    dirty, third = deck(tmp_path / "c")
    assert "uncommitted change(s)" in dirty.stderr
    import_apkg(collection, first)
    log = import_apkg(collection, third)
    assert log.updated and not log.duplicate
    texts = " ".join(" ".join(n.fields) for n in notes_by_id(collection).values())
    assert "Break-glass account" in texts and "Break-glass access" not in texts


def test_check_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys, runpy; sys.argv=['build.py','--check','-q']\n"
        "try:\n runpy.run_path('build.py', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in ('genanki','weasyprint','anki') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_each_input_rebuilds_exactly_the_outputs_that_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Change one input at a time; the outputs that depend on it rebuild, the others skip."""
    from prepdeck import cli, incremental

    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests/fixtures/valid", project / "source/topics")
    deck = (ROOT / "source/deck.yaml").read_text().split("\n# Pairs")[0] + "\n"
    (project / "source/deck.yaml").write_text(deck)
    pyproject = (ROOT / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(pyproject)
    bank = project / "mine.yaml"
    bank.write_text("questions:\n  - id: mine\n    prompt: Mine?\n    answer: Yes.\n")
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")

    def rebuilt(*extra: str) -> set[str]:
        capsys.readouterr()
        assert (
            cli.main(
                [
                    "--source",
                    str(project / "source"),
                    "--out",
                    str(out),
                    "--only",
                    "anki",
                    "--only",
                    "md",
                    "--stories",
                    str(bank),
                    *extra,
                ]
            )
            == 0
        )
        lines = capsys.readouterr().out.splitlines()
        return {
            line.split(":")[0]
            for line in lines
            if ": " in line
            and "skipped" not in line
            and not line.startswith(("wrote", "unchanged", "load"))
        }

    every = {"anki", "md", "anki-private", "md-private"}
    assert rebuilt() == every
    assert rebuilt() == set()
    bank.write_text(bank.read_text().replace("Yes.", "Yes, really."))
    assert rebuilt() == {"anki-private", "md-private"}  # it feeds only the private outputs
    topic = project / "source/topics/minimal.yaml"
    topic.write_text(topic.read_text().replace("Build once", "Build it once"))
    assert rebuilt() == every
    (project / "pyproject.toml").write_text(
        pyproject.replace(
            "https://github.com/prepdeck/prepdeck", "https://github.com/example/fork", 1
        )
    )
    assert rebuilt() == every  # card links and footers name the repository
    (project / "pyproject.toml").write_text(
        pyproject.replace('license = "MIT"', 'license = "Apache-2.0"')
    )
    assert rebuilt() == every
    monkeypatch.setattr(incremental, "library_versions", lambda: {"genanki": "99"})
    assert rebuilt() == every
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000100")
    assert rebuilt() == every
    (out / "REFERENCE.private.md").unlink()
    assert rebuilt() == {"md-private"}  # each private form is its own unit
    assert (out / "REFERENCE.private.md").is_file()


def test_another_projects_tree_builds_into_that_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--source of a tree with its own pyproject.toml: its settings, its personal file and, by
    default, its folder for the outputs; nothing is written into this checkout."""
    from prepdeck import cli

    project = tmp_path / "project"
    shutil.copytree(SMALL, project / "source")
    pyproject = (ROOT / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(pyproject.replace('version = "', 'version = "9', 1))
    (project / "my-stories.yaml").write_text(
        "questions:\n  - id: mine\n    prompt: Mine?\n    answer: Yes.\n"
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")
    before = (ROOT / "REFERENCE.md").stat().st_mtime_ns
    assert cli.main(["--source", str(project / "source"), "--only", "md", "-q"]) == 0
    assert "Content version **90." in (project / "REFERENCE.md").read_text()
    assert "Mine?" in (project / "REFERENCE.private.md").read_text()
    assert (ROOT / "REFERENCE.md").stat().st_mtime_ns == before
    assert (
        not (ROOT / "REFERENCE.private.md").exists()
        or "Mine?" not in (ROOT / "REFERENCE.private.md").read_text()
    )
