"""Every coding answer's script keeps its promise to run on Python 3.8 and later.

Statically: vermin derives each script's minimum version, treating annotations as evaluated
(they are, without `from __future__ import annotations`). Dynamically: each script compiles and
imports, with warnings as errors, on every other interpreter installed (3.8 up to the newest);
the behaviour tests run the oldest and the newest too, and the poller's runs on every one.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from coding_support import (
    OLDEST,
    STRICT,
    coding_ids,
    other_pythons,
    vermin_minimums,
    write_script,
)

TESTS = Path(__file__).resolve().parent
Versions = tuple[int, int]


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    where = tmp_path_factory.mktemp("compat")
    return {qid: write_script(qid, where, qid.replace("-", "_") + ".py") for qid in coding_ids()}


@pytest.fixture(scope="module")
def minimums(scripts: dict[str, Path]) -> dict[str, Versions]:
    found = vermin_minimums(list(scripts.values()))  # one vermin run for every script
    return {qid: found[path] for qid, path in scripts.items()}


@pytest.fixture(scope="module")
def help_runs(scripts: dict[str, Path]) -> dict[str, list[tuple[Versions, int, str, str]]]:
    """`--help` of every script on every other interpreter, all launched at once."""
    others = other_pythons()
    if not others:
        pytest.skip("no other CPython 3.8+ found on PATH or under pyenv: checked statically only")
    # Running a script compiles the whole file; --help then imports every module it uses.
    procs = [
        (
            qid,
            v,
            subprocess.Popen(
                [exe, *STRICT, str(path), "--help"],
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
        )
        for qid, path in scripts.items()
        for exe, v in others
    ]
    runs: dict[str, list[tuple[Versions, int, str, str]]] = {qid: [] for qid in scripts}
    try:
        for qid, v, proc in procs:
            out, err = proc.communicate(timeout=60)
            runs[qid].append((v, proc.returncode, out, err))
    finally:
        for _, _, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return runs


@pytest.mark.parametrize("qid", coding_ids())
def test_vermin_minimum_is_at_most_3_8(qid: str, minimums: dict[str, Versions]) -> None:
    assert minimums[qid] <= OLDEST, f"{qid} needs a newer Python than 3.8"


@pytest.mark.parametrize("qid", coding_ids())
def test_runs_help_on_every_other_interpreter(
    qid: str, help_runs: dict[str, list[tuple[Versions, int, str, str]]]
) -> None:
    assert help_runs[qid], qid
    for (major, minor), returncode, out, err in help_runs[qid]:
        assert returncode == 0 and "usage" in out, f"{qid} on {major}.{minor}: {err}"


def test_every_coding_answer_has_a_behaviour_test() -> None:
    tested = set()
    for path in [TESTS / "test_poller.py", *TESTS.glob("test_coding_*.py")]:
        tested.update(re.findall(r'^QID = "([a-z0-9-]+)"', path.read_text(), flags=re.M))
    assert set(coding_ids()) <= tested, f"untested: {set(coding_ids()) - tested}"
    assert len(coding_ids()) >= 5
