"""Every coding answer's script keeps its promise to run on Python 3.8 and later.

Statically: vermin derives each script's minimum version, treating annotations as evaluated
(they are, without `from __future__ import annotations`). Dynamically: each script compiles and
imports, with warnings as errors, on every other interpreter installed (3.8 up to the newest);
the behaviour tests in the test_coding_*.py files also run the older ones.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from test_coding_support import (
    OLDEST,
    STRICT,
    coding_ids,
    other_pythons,
    vermin_minimum,
    write_script,
)

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("qid", coding_ids())
def test_vermin_minimum_is_at_most_3_8(qid: str, tmp_path: Path) -> None:
    script = write_script(qid, tmp_path, "script.py")
    assert vermin_minimum(script) <= OLDEST, f"{qid} needs a newer Python than 3.8"


@pytest.mark.parametrize("qid", coding_ids())
def test_runs_help_on_every_other_interpreter(qid: str, tmp_path: Path) -> None:
    others = other_pythons()
    if not others:
        pytest.skip("no other CPython 3.8+ found on PATH or under pyenv: checked statically only")
    script = write_script(qid, tmp_path, "script.py")
    # Running it compiles the whole file; --help then imports every module it uses.
    procs = [(v, subprocess.Popen([exe, *STRICT, str(script), "--help"], text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE))
             for exe, v in others]
    for (major, minor), proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "usage" in out, f"{qid} on {major}.{minor}: {err}"


def test_every_coding_answer_has_a_behaviour_test() -> None:
    tested = set()
    for path in [TESTS / "test_poller.py", *TESTS.glob("test_coding_*.py")]:
        tested.update(re.findall(r'^QID = "([a-z0-9-]+)"', path.read_text(), flags=re.M))
    assert set(coding_ids()) <= tested, f"untested: {set(coding_ids()) - tested}"
    assert len(coding_ids()) >= 5
