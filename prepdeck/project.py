"""Project settings from pyproject.toml (the one place the version and URLs live) and the
build time (SOURCE_DATE_EPOCH, else the HEAD commit time: fixed per commit, rising per release)."""

from __future__ import annotations

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

from .errors import BuildError, Mark, Problem

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
        raise BuildError([Problem(Mark("pyproject.toml", 1, 1),
                                  f"version {version!r} is not MAJOR.MINOR.PATCH")])
    return Settings(version, project["urls"]["Repository"].rstrip("/"), project["license"])


def commit_id(root: Path) -> str:
    """The short HEAD commit for the sheet's footer; 'unknown' outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"], cwd=root,
                             capture_output=True, text=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def build_time(root: Path, env: Mapping[str, str] = os.environ) -> int:
    """SOURCE_DATE_EPOCH if set, else the HEAD commit time; never the wall clock."""
    value = env.get("SOURCE_DATE_EPOCH", "").strip()
    where = Mark("SOURCE_DATE_EPOCH", 1, 1)
    if value:
        if not value.isdigit():
            raise BuildError([Problem(where, f"{value!r} is not a Unix time in seconds")])
        return int(value)
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True,
                             text=True, check=True, timeout=30)
        return int(out.stdout.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        raise BuildError([Problem(where, "not set and no git commit to take the time from; "
                                  "export SOURCE_DATE_EPOCH=$(date +%s) or build from a git "
                                  "checkout")]) from None
