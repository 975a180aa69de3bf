"""The code style CI enforces: ruff lint and format, and strict mypy over the package and the
tests. Skipped with a reason where the tools are not installed (bash .ci/setup --test has them)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


def tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize(
    "args", [("ruff", "check", "."), ("ruff", "format", "--check", ".")], ids=["lint", "format"]
)
def test_ruff(args: tuple[str, ...]) -> None:
    if not shutil.which("ruff") and tool("ruff", "--version").returncode != 0:
        pytest.skip("ruff is not installed (bash .ci/setup --test)")
    done = tool(*args)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_strict() -> None:
    if tool("mypy", "--version").returncode != 0:
        pytest.skip("mypy is not installed (bash .ci/setup --test)")
    done = tool("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
