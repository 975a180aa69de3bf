"""The metrics-scrape answer's script against a fake /metrics endpoint on 127.0.0.1 whose
counters move between the two scrapes, one process restart included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from coding_support import (
    Hostile,
    QuietHandler,
    closed_port_url,
    interpreter_params,
    run,
    serve,
    write_script,
)

QID = "metrics-scrape-error-ratio"

FIRST = """\
# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{route="/api/orders",code="200",instance="a"} 1000
http_requests_total{route="/api/orders",code="500",instance="a"} 10
http_requests_total{route="/api/orders",code="200",instance="b"} 500
http_requests_total{route="/login",code="200",method="POST"} 300 1700000000000
http_requests_total{route="/search, \\"quoted\\"",code="503"} 4
process_start_time_seconds 1700000000
"""

SECOND = """\
# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{route="/api/orders",code="200",instance="a"} 1180
http_requests_total{route="/api/orders",code="500",instance="a"} 30
http_requests_total{route="/api/orders",code="200",instance="b"} 600
http_requests_total{route="/api/orders",code="502",instance="b"} 10
http_requests_total{route="/login",code="200",method="POST"} 400 1700000015000
http_requests_total{route="/search, \\"quoted\\"",code="503"} 4
http_requests_total{route="/search, \\"quoted\\"",code="200"} 12
process_start_time_seconds 1700000000
not a sample line
"""

# The same process restarted between scrapes and served 1400 requests since: only the start
# time shows it, because the counter went from 1000 up to 1400.
RESTARTED = """\
http_requests_total{route="/api/orders",code="200",instance="a"} 1400
http_requests_total{route="/api/orders",code="500",instance="a"} 3
process_start_time_seconds 1700000900
"""


class Metrics(QuietHandler):
    pages: ClassVar[list[str]] = []
    served: ClassVar[int] = 0

    def do_GET(self) -> None:
        cls = type(self)
        body = cls.pages[min(cls.served, len(cls.pages) - 1)].encode()
        cls.served += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def endpoint() -> Iterator[str]:
    Metrics.served = 0
    with serve(Metrics) as url:
        yield url + "/metrics"


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_script(QID, tmp_path_factory.mktemp("scrape"), "scrape_ratio.py")


@pytest.mark.parametrize("exe", interpreter_params())
def test_rates_and_ratios_per_route(exe: str, script: Path, endpoint: str) -> None:
    Metrics.pages = [FIRST, SECOND]
    done = run(exe, script, endpoint, "--interval", "0.2")
    assert done.returncode == 0, done.stderr
    rows = {r["route"]: r for r in json.loads(done.stdout)}
    orders = rows["/api/orders"]
    # 180 + 20 on a, 100 + 10 on b (a new 502 series counts from zero): 310 requests, 30 5xx
    assert orders["requests"] == 310 and orders["error_ratio"] == round(30 / 310, 4)
    # Divided by the measured interval: the 0.2 s sleep plus the second scrape, so strictly
    # more than 0.2 s (dividing by --interval gives exactly 1550). The 2 s is only a sanity
    # bound, loose enough for a busy machine.
    assert 310 / 2.0 < orders["rps"] < 310 / 0.2, "divided by the measured interval"
    assert rows["/login"]["requests"] == 100 and rows["/login"]["error_ratio"] == 0
    quoted = rows['/search, "quoted"']  # escaped quotes and a comma inside a label value
    assert quoted["requests"] == 12 and quoted["error_ratio"] == 0
    assert next(iter(rows)) == "/api/orders", "sorted by error ratio first"


@pytest.mark.parametrize("exe", interpreter_params())
def test_counter_resets(exe: str, script: Path, endpoint: str) -> None:
    Metrics.pages = [FIRST, RESTARTED]
    done = run(exe, script, endpoint, "--interval", "0.05")
    assert done.returncode == 0, done.stderr
    (orders,) = json.loads(done.stdout)
    # 1000 -> 1400 would read as +400, and 10 -> 3 as a drop: both are new since the restart.
    assert orders["requests"] == 1403 and orders["error_ratio"] == round(3 / 1403, 4)


def test_value_drop_alone_means_reset(script: Path, endpoint: str) -> None:
    Metrics.pages = [FIRST, RESTARTED.replace("1700000900", "1700000000")]
    done = run(interpreter_params()[0].values[0], script, endpoint, "--interval", "0.05")
    (orders,) = json.loads(done.stdout)
    assert orders["requests"] == 400 + 3, "+400 on the rising series, 3 after the drop"


def test_unreachable_or_wrong_metric_exits_2(script: Path, endpoint: str) -> None:
    exe = interpreter_params()[0].values[0]
    down = run(exe, script, closed_port_url("/metrics"), "--interval", "0")
    assert down.returncode == 2 and "scrape failed" in down.stderr
    Metrics.pages = [FIRST, SECOND]
    wrong = run(exe, script, endpoint, "--interval", "0", "--metric", "nope_total")
    assert wrong.returncode == 2 and "nope_total" in wrong.stderr


@pytest.mark.parametrize("case", ["not-http", "huge-header", "endless"])
def test_hostile_endpoint_exits_2_without_a_traceback(case: str, script: Path) -> None:
    """A reply that is not HTTP, or a body that never ends, is a failed scrape (exit 2): not
    a traceback (exit 1), not unbounded memory, not a run that never finishes."""
    Hostile.sent = 0
    with serve(Hostile) as url:
        done = run(
            interpreter_params()[0].values[0], script, f"{url}/{case}/metrics", "--interval", "0"
        )
    assert done.returncode == 2 and "scrape failed" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    if case == "endless":
        assert "MiB" in done.stderr, "stopped by the size cap, not by the server giving up"
