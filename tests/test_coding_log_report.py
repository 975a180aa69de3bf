"""The access-log answer's p95 report, fed a generated nginx log on stdin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_coding_support import interpreter_params, run, write_script

QID = "log-parsing-script"
ROW = re.compile(r"(\S+)\s+n=(\d+)\s+p95=\s*([\d.]+)ms\s+5xx=\s*([\d.]+)%")


def line(path: str, status: int, secs: float) -> str:
    return (f'10.0.0.7 - - [02/Dec/2025:10:00:00 +0000] "GET {path} HTTP/1.1" {status} 512 '
            f'"-" "curl/8.5.0" {secs:.3f}\n')


def access_log() -> str:
    out = []
    for i in range(100):  # /users/:id, 95 fast and 5 very slow, two 5xx
        out.append(line(f"/users/{i}?expand=1", 500 if i < 2 else 200,
                        2.0 if i >= 95 else 0.010))
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
    assert 500 < float(p95) <= 2000, "p95 falls in the slow tail"
    assert health[1:] == ("40", "1.0", "0.00"), "a 404 is not a server error"
    assert "skipped 3 unparsed lines" in done.stderr


def test_min_requests_floor_still_needs_two_samples(script: Path) -> None:
    exe = interpreter_params()[0].values[0]
    done = run(exe, script, "--min-requests", "1", stdin=line("/once", 200, 0.1))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", "one sample has no percentile; the row is left out"
