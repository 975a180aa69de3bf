"""Project settings from pyproject.toml (the one place the version and URLs live) and the
build time (SOURCE_DATE_EPOCH, else the HEAD commit time: fixed per commit, rising per release)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import BuildError, EnvironmentProblem, Mark, Problem

_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


@dataclass(frozen=True)
class Settings:
    version: str
    repo_url: str
    license: str = "MIT"

    @property
    def reference_url(self) -> str:
        """The base cards link under: the repository's default branch, which GitHub renders;
        a card's link is this plus its reference page and anchor."""
        return f"{self.repo_url}/blob/main/"

    @property
    def releases_url(self) -> str:
        return f"{self.repo_url}/releases/latest"


def read_settings(root: Path) -> Settings:
    path = root / "pyproject.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    project = data["project"]
    version = project["version"]
    if not _SEMVER.match(version):
        raise BuildError(
            [
                Problem(
                    Mark("pyproject.toml", 0, 0),
                    f"[project].version {version!r} is not MAJOR.MINOR.PATCH",
                )
            ]
        )
    return Settings(version, project["urls"]["Repository"].rstrip("/"), project["license"])


def commit_id(root: Path) -> str:
    """The short HEAD commit for the sheet's footer; 'unknown' outside a git checkout."""
    try:
        return _git(root, "rev-parse", "--short=7", "HEAD") or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def build_clock(source: Path, env: Mapping[str, str] = os.environ) -> tuple[int, str | None]:
    """(build time, a note for the user or None).

    SOURCE_DATE_EPOCH if set; else the time of the commit that holds `source`, so a clean
    checkout always builds the same bytes. When `source` has uncommitted changes, the time is
    that of the newest changed file instead (never earlier than the commit): Anki updates a
    note only when the package is newer than the copy it has, so a build from edits stamped
    with the commit's time would never reach anyone's cards."""
    value = env.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        if not value.isdigit():
            raise EnvironmentProblem(
                f"SOURCE_DATE_EPOCH={value!r} is not a Unix time in "
                "seconds; unset it or export SOURCE_DATE_EPOCH=$(date +%s)"
            )
        return int(value), None
    folder = source if source.is_dir() else source.parent
    try:
        committed = int(_git(folder, "log", "-1", "--format=%ct"))
    except (OSError, subprocess.SubprocessError, ValueError):
        raise EnvironmentProblem(
            "no build time: SOURCE_DATE_EPOCH is not set and "
            f"{folder} is not in a git checkout with a commit; export "
            "SOURCE_DATE_EPOCH=$(date +%s) or build from a git "
            "checkout"
        ) from None
    try:
        changed = _git(folder, "status", "--porcelain", "--untracked-files=all", "--", ".")
        top = Path(_git(folder, "rev-parse", "--show-toplevel"))
    except (OSError, subprocess.SubprocessError):
        return committed, None
    paths = [
        top / line[3:].split(" -> ")[-1].strip('"')
        for line in changed.splitlines()
        if len(line) > 3
    ]
    if not paths:
        return committed, None
    newest = max((int(p.stat().st_mtime) for p in paths if p.is_file()), default=committed)
    stamp = max(newest, committed + 1)
    when = dt.datetime.fromtimestamp(stamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return stamp, (
        f"{len(paths)} uncommitted change(s) under {folder.name}/: build time "
        f"{when}, after the commit's, so importing this build updates the edited "
        "cards; commit them for a reproducible build"
    )


def _git(folder: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=True, timeout=30
    )
    return out.stdout.strip()
