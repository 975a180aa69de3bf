"""The access-log answer's p95 report, fed a generated nginx log on stdin."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from coding_support import command, interpreter_params, run, write_script

QID = "log-parsing-script"
ROW = re.compile(r"(\S+)\s+n=(\d+)\s+p95=\s*([\d.]+)ms\s+5xx=\s*([\d.]+)%")


def line(path: str, status: int, secs: float) -> str:
    return (
        f'10.0.0.7 - - [02/Dec/2025:10:00:00 +0000] "GET {path} HTTP/1.1" {status} 512 '
        f'"-" "curl/8.5.0" {secs:.3f}\n'
    )


def access_log() -> str:
    out = []
    for i in range(100):  # /users/:id, 90 fast and 10 very slow, two 5xx
        out.append(line(f"/users/{i}?expand=1", 500 if i < 2 else 200, 2.0 if i >= 90 else 0.010))
    for i in range(40):  # /health: quick, one 404 that is not an error for this report
        out.append(line("/health", 404 if i == 0 else 200, 0.001))
    for _ in range(5):  # too few requests to rank, however slow
        out.append(line("/rare", 503, 9.0))
    out += ["garbage\n", "\n", '"GET / HTTP/1.1" 200 no-time-here\n']
    return "".join(out)


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_script(QID, tmp_path_factory.mktemp("logs"), "p95_report.py")


@pytest.mark.parametrize("exe", interpreter_params())
def test_report_ranks_by_p95(exe: str, script: Path) -> None:
    done = run(exe, script, "--top", "5", "--min-requests", "20", stdin=access_log())
    assert done.returncode == 0, done.stderr
    matches = [ROW.fullmatch(r.strip()) for r in done.stdout.splitlines()]
    rows = [m.groups() for m in matches if m]
    assert len(rows) == len(matches), done.stdout
    assert [r[0] for r in rows] == ["/users/:id", "/health"], "slowest first; /rare too small"
    (_, n, p95, errors), health = rows
    assert n == "100" and errors == "2.00", "2 of 100 were 5xx"
    assert float(p95) == 2000.0, "p95 falls in the slow tail"
    assert health[1:] == ("40", "1.0", "0.00"), "a 404 is not a server error"
    assert "skipped 3 unparsed lines" in done.stderr


def test_min_requests_floor_still_needs_two_samples(script: Path) -> None:
    exe = interpreter_params()[0].values[0]
    done = run(exe, script, "--min-requests", "1", stdin=line("/once", 200, 0.1))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", "one sample has no percentile; the row is left out"


def test_p95_never_exceeds_the_slowest_request(script: Path) -> None:
    """statistics.quantiles' default method extrapolates past the largest of fewer than 19
    samples: 100 ms and 200 ms would give a p95 of 285 ms, a latency nobody saw."""
    exe = interpreter_params()[0].values[0]
    done = run(
        exe, script, "--min-requests", "2", stdin=line("/pair", 200, 0.1) + line("/pair", 200, 0.2)
    )
    assert done.returncode == 0, done.stderr
    (row,) = [ROW.fullmatch(r.strip()) for r in done.stdout.splitlines()]
    assert row and 100 < float(row.group(3)) <= 200, done.stdout


@pytest.mark.parametrize("exe", interpreter_params())
def test_corrupt_lines_are_skipped_not_fatal(exe: str, script: Path) -> None:
    """A duration that is not a number is an unparsed line; an invalid UTF-8 byte is replaced.
    Strict decoding is forced, as on a machine whose locale is en_US.UTF-8."""
    good = line("/x", 200, 0.1)
    log = (
        good.replace('"curl/8.5.0"', '"bot\xff\xfe"').encode("latin-1")  # invalid UTF-8
        + line("/x", 200, 0.2).encode()
        + line("/x", 200, 0.3).replace("0.300", "1.2.3").encode()  # not a duration
        + line("/x", 200, 0.3).replace("0.300", ".").encode()
    )
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    done = subprocess.run(
        command(exe, script, "--min-requests", "2"),
        input=log,
        capture_output=True,
        timeout=30,
        env=env,
    )
    assert done.returncode == 0, done.stderr.decode()
    (row,) = [ROW.fullmatch(r.strip()) for r in done.stdout.decode().splitlines()]
    assert row and row.group(2) == "2", done.stdout
    assert "skipped 2 unparsed lines" in done.stderr.decode()
