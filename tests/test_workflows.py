"""The GitHub workflows, checked offline: schema, security audit and our own invariants."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.y*ml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path: Path) -> dict[str, Any]:
    doc: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    assert Path(found).exists(), f"{name} is a test dependency: bash .ci/setup --test"
    return found


def test_both_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} == {"ci.yml", "release.yml"}


def test_schema() -> None:
    out = subprocess.run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    dependabot = subprocess.run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.dependabot",
            str(ROOT / ".github/dependabot.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dependabot.returncode == 0, dependabot.stdout + dependabot.stderr


def test_zizmor_has_no_findings() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN")}
    out = subprocess.run(
        [tool("zizmor"), "--offline", "--strict-collection", str(ROOT / ".github/workflows")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_invariants(path: Path) -> None:
    doc = load(path)
    assert doc["on"], "no trigger"
    assert doc.get("permissions") == {}, "top-level permissions must be {}"
    jobs = doc["jobs"]
    text = path.read_text(encoding="utf-8")
    for name, job in jobs.items():
        needs = job.get("needs", [])
        for dep in [needs] if isinstance(needs, str) else needs:
            assert dep in jobs, f"job {name!r} needs unknown job {dep!r}"
        assert "permissions" in job, f"job {name!r} has no explicit permissions"
        writes = {k for k, v in job["permissions"].items() if v == "write"}
        assert not writes or (path.name, name) == ("release.yml", "release"), (
            f"{path.name}:{name} asks for {writes}"
        )
        assert "timeout-minutes" in job
        for step in job.get("steps", []):
            uses = step.get("uses", "")
            assert not uses or PINNED.match(uses), f"unpinned {uses}"
            if uses.startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            assert "${{" not in step.get("run", ""), f"{name}: pass ${{{{ }}}} through env:"
    for line in text.splitlines():
        if "uses:" in line and "@" in line:
            assert re.search(r"# v\d+\.\d+\.\d+", line), f"pin without a version comment: {line}"
    if path.name == "release.yml":
        assert "cache:" not in text, "no dependency cache in the release workflow"
        assert doc["on"]["push"]["tags"] == ["v[0-9]+.[0-9]+.[0-9]+"]
        assert "--draft" in text and "--verify-tag" in text
        assert 'python build.py release --version "$GITHUB_REF_NAME"' in text


def test_ci_runs_what_readme_promises() -> None:
    ci = (ROOT / ".github/workflows/ci.yml").read_text()
    for command in (
        "python -m pytest",
        "python build.py --strict",
        "ruff check .",
        "mypy",
        "python build.py release --dry-run",
    ):
        assert command in ci
