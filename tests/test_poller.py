"""The health-check poller in the coding answer really runs: against local servers on 127.0.0.1.

One run of the script checks every scenario at once (which is the point of a concurrent poller),
under the running interpreter and, side by side, under each older one installed (3.8 up), so
the whole file takes a few seconds. The per-attempt deadline is cut to 1 s with --timeout: a
server that trickles one byte every 0.5 s never trips a per-read timeout of 1 s, so only a true
end-to-end deadline stops it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import pytest
from test_coding_support import (
    QuietHandler,
    closed_port_url,
    command,
    interpreters,
    run,
    serve,
    write_script,
)

QID = "health-check-poller"
DEADLINE = 1.0  # --timeout: seconds per attempt, connect to last body byte
BACKOFF = 0.05  # --backoff: base of the jittered backoff
CAP = 1.3  # --max-retry-after: longest wait before a retry
TRICKLE = 0.5  # seconds between bytes of a trickling response
SLACK = 0.6  # scheduling noise allowed in timing assertions


class Scenarios(QuietHandler):
    """GET /<run>/<case>: each run (one interpreter) gets its own paths and counters."""

    hits: ClassVar[dict[str, list[float]]] = {}
    in_flight: ClassVar[int] = 0
    max_in_flight: ClassVar[int] = 0
    lock = threading.Lock()
    stop = threading.Event()

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.hits.setdefault(self.path, []).append(time.monotonic())
            n = len(cls.hits[self.path])
            cls.in_flight += 1
            cls.max_in_flight = max(cls.max_in_flight, cls.in_flight)
        self.close_connection = True
        try:
            self.respond(self.path.rsplit("/", 1)[-1], n)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the poller gave up on us: that is the point of the slow cases
        finally:
            with cls.lock:
                cls.in_flight -= 1

    def raw(self, data: bytes, pause: float = 0.0) -> None:
        if not pause:
            self.wfile.write(data)
            return
        for byte in data:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            if self.stop.wait(pause):
                return

    def send(self, code: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if code != 204:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def respond(self, case: str, n: int) -> None:
        ok = b'{"status": "up"}'
        if case in ("ok", "health"):
            self.send(200, ok)
        elif case == "nocontent":
            self.send(204)
        elif case == "chunked":
            self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"4\r\nfine\r\n3;ext=1\r\n!!!\r\n0\r\n\r\n")
        elif case == "until-close":  # no length: the body ends when the server closes
            self.raw(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall good")
        elif case == "trickle":  # the status line and headers, one byte every 0.5 s
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", pause=TRICKLE)
        elif case == "slow-body":  # prompt headers, then a body that never quite arrives
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n")
            self.raw(b"x" * 20, pause=TRICKLE)
        elif case == "stall":  # accepts and reads the request, then says nothing
            self.stop.wait(30)
        elif case == "flaky":
            self.send(503 if n == 1 else 200, ok)
        elif case == "busy":
            self.send(408 if n == 1 else 200, ok)
        elif case == "limited":
            self.send(*((429, b"slow down") if n == 1 else (200, ok)), Retry_After="1")
        elif case == "limited-long":  # asks for an hour: the cap wins
            self.send(*((429, b"slow down") if n == 1 else (200, ok)), Retry_After="3600")
        elif case == "limited-date":
            when = datetime.now(timezone.utc) + timedelta(seconds=1)
            self.send(*((429, b"") if n == 1 else (200, ok)),
                      Retry_After=format_datetime(when, usegmt=True))
        elif case == "down":
            self.send(500, b"boom")
        elif case == "redirect":
            self.send(302, b"", Location="/elsewhere")
        else:  # "missing" and anything unknown
            self.send(404, b"no such thing")


@pytest.fixture
def server() -> Iterator[str]:
    Scenarios.hits, Scenarios.max_in_flight = {}, 0
    Scenarios.stop.clear()
    with serve(Scenarios) as url:
        yield url
        Scenarios.stop.set()  # release the stalled and trickling handlers


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_script(QID, tmp_path_factory.mktemp("poller"), "poller.py")


@pytest.fixture(scope="module")
def poller(script: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("poller", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FLAGS = ["--timeout", str(DEADLINE), "--backoff", str(BACKOFF), "--max-retry-after", str(CAP)]
#         case          status  requests
EXPECT = {"ok":           ("ok", 1), "nocontent": ("ok", 1), "chunked": ("ok", 1),
          "until-close":  ("ok", 1), "flaky": ("ok", 2), "busy": ("ok", 2),
          "limited":      ("ok", 2), "limited-long": ("ok", 2), "limited-date": ("ok", 2),
          "missing":      ("fail", 1), "redirect": ("fail", 1), "down": ("fail", 2),
          "trickle":      ("fail", 2), "slow-body": ("fail", 2), "stall": ("fail", 2)}


def test_every_scenario_in_one_concurrent_run(server: str, script: Path) -> None:
    """All scenarios in one invocation per interpreter; the interpreters run side by side."""
    refused = closed_port_url()
    port = server.rsplit(":", 1)[1]
    runs = {}
    started = time.monotonic()
    try:
        for exe, (major, minor) in interpreters():
            tag = f"py{major}{minor}"
            targets = [f"{case}={server}/{tag}/{case}" for case in EXPECT]
            targets += [f"refused={refused}",
                        f"bad-scheme=htp://127.0.0.1:{port}/{tag}/malformed",
                        f"bad-port=http://127.0.0.1:{port}:99/{tag}/malformed",
                        f"no-host=http:///{tag}/malformed"]
            runs[tag] = (exe, subprocess.Popen(command(exe, script, *FLAGS, *targets),
                                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                               text=True))
        outputs = {tag: (exe, *proc.communicate(timeout=60), proc.returncode,
                         time.monotonic() - started)
                   for tag, (exe, proc) in runs.items()}
    finally:
        for _, proc in runs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    for tag, (exe, out, err, returncode, elapsed) in outputs.items():
        assert returncode == 1, f"{exe}: some checks fail, so exit 1\n{err}"
        results = {r["service"]: r for r in json.loads(out)}
        for r in results.values():
            assert {"service", "status", "latency_ms", "last_success"} <= set(r), r
            assert r["status"] in ("ok", "fail")

        for case, (status, requests) in EXPECT.items():
            r = results[case]
            assert r["status"] == status, f"{exe} {case}: {r}"
            assert len(Scenarios.hits.get(f"/{tag}/{case}", [])) == requests, f"{exe} {case}"
            if status == "ok":
                assert isinstance(r["latency_ms"], (int, float)) and r["latency_ms"] >= 0
                assert datetime.fromisoformat(r["last_success"]).tzinfo is not None
            else:
                assert r["last_success"] is None and r["error"], f"{exe} {case}: {r}"

        # A true deadline: each attempt is abandoned about DEADLINE after it starts, although
        # the trickle would need about 20 s in all and no single read ever waits 1 s.
        for case in ("trickle", "slow-body", "stall"):
            first, second = Scenarios.hits[f"/{tag}/{case}"]
            assert DEADLINE / 2 <= second - first < DEADLINE + BACKOFF + SLACK, f"{exe} {case}"
            assert "timeout" in results[case]["error"], results[case]
        # Retry-After honoured, and capped.
        first, second = Scenarios.hits[f"/{tag}/limited"]
        assert 1.0 - 0.05 <= second - first < 1.0 + SLACK, f"{exe}: Retry-After: 1"
        first, second = Scenarios.hits[f"/{tag}/limited-long"]
        assert CAP - 0.05 <= second - first < CAP + SLACK, f"{exe}: Retry-After capped"
        first, second = Scenarios.hits[f"/{tag}/limited-date"]
        assert second - first < CAP + SLACK, f"{exe}: Retry-After as an HTTP-date"

        assert results["refused"]["status"] == "fail"
        assert results["refused"]["attempts"] == 2, "a refused connection is retried once"
        for name in ("bad-scheme", "bad-port", "no-host"):
            r = results[name]
            assert r["status"] == "fail" and r["attempts"] == 0, f"{exe} {name}: {r}"
        assert not [p for p in Scenarios.hits if p.endswith("/malformed")], "a bad URL was sent"
        # Concurrent: two deadlines plus a backoff, not the sum of every slow case.
        assert elapsed < 2 * DEADLINE + CAP + 2 * SLACK, f"{exe}: {elapsed:.1f}s"
    assert Scenarios.max_in_flight >= 3, "the slow checks did not overlap"


def test_state_file_keeps_last_success(server: str, script: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = run(sys_exe(), script, "--state", str(state), f"api={server}/s/ok")
    assert first.returncode == 0, first.stderr
    (ok,) = json.loads(first.stdout)
    second = run(sys_exe(), script, "--state", str(state), f"api={server}/s/missing")
    assert second.returncode == 1
    (failed,) = json.loads(second.stdout)
    assert failed["status"] == "fail" and failed["last_success"] == ok["last_success"]
    assert json.loads(state.read_text()) == {"api": ok["last_success"]}


def test_bare_url_is_named_after_host_and_gets_health_path(server: str, script: Path) -> None:
    done = run(sys_exe(), script, "--timeout", str(DEADLINE), server)
    assert done.returncode == 0, done.stderr
    (r,) = json.loads(done.stdout)
    assert r["service"] == server.split("//")[1] and r["url"] == server + "/health"
    assert len(Scenarios.hits["/health"]) == 1


def test_usage_without_targets(script: Path) -> None:
    done = run(sys_exe(), script)
    assert done.returncode == 2 and "usage" in done.stderr


def test_retry_after_values(poller: ModuleType) -> None:
    assert poller.retry_after({"retry-after": "7"}) == 7.0
    soon = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 28 <= poller.retry_after({"retry-after": soon}) <= 30
    past = format_datetime(datetime.now(timezone.utc) - timedelta(hours=1), usegmt=True)
    assert poller.retry_after({"retry-after": past}) == 0.0
    assert poller.retry_after({"retry-after": "soon"}) is None
    assert poller.retry_after({}) is None


def sys_exe() -> str:
    return interpreters()[0][0]
