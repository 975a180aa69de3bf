"""The health-check poller in the coding answer really runs: against local servers on 127.0.0.1.

One run of the script checks every scenario at once (which is the point of a concurrent poller),
under the running interpreter and, side by side, under every other one installed (3.8 up to the
newest), so the whole file takes a few seconds. Hostile servers are among the scenarios: a
broken or malicious endpoint must cost one failed check, never the report or the memory.

The per-attempt deadline is cut to 1 s with --timeout: a server that trickles one byte every
0.5 s never trips a per-read timeout of 1 s, so only a true end-to-end deadline stops it.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import pytest
from coding_support import (
    STRICT,
    QuietHandler,
    all_interpreters,
    closed_port_url,
    command,
    run,
    serve,
    write_script,
)

QID = "health-check-poller"
DEADLINE = 1.0  # --timeout: seconds per attempt, connect to last body byte
BACKOFF = 0.05  # --backoff: base of the jittered backoff
CAP = 1.3  # --max-retry-after: longest wait before a retry
TRICKLE = 0.5  # seconds between bytes of a trickling response
# Scheduling noise allowed in upper bounds. Generous, because the machine may be busy: the
# faults these bounds catch (a per-read timeout, an uncapped Retry-After, checks run one by
# one) are off by many seconds. Lower bounds never need it: load only makes things later.
SLACK = 1.0
SLOW = ("trickle", "slow-body", "stall")  # each needs two full deadlines to fail


class Scenarios(QuietHandler):
    """GET /<run>/<case>: each run (one interpreter) gets its own paths and counters."""

    hits: ClassVar[dict[str, list[float]]] = {}
    in_flight: ClassVar[dict[str, int]] = {}  # per run: requests being answered right now
    max_in_flight: ClassVar[dict[str, int]] = {}  # per run: the most at any one time
    lock = threading.Lock()
    stop = threading.Event()

    def do_GET(self) -> None:
        cls = type(self)
        run = self.path.split("/")[1]
        with cls.lock:
            cls.hits.setdefault(self.path, []).append(time.monotonic())
            n = len(cls.hits[self.path])
            cls.in_flight[run] = cls.in_flight.get(run, 0) + 1
            cls.max_in_flight[run] = max(cls.max_in_flight.get(run, 0), cls.in_flight[run])
        self.close_connection = True
        try:
            self.respond(self.path.rsplit("/", 1)[-1], n)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the poller gave up on us: that is the point of the slow cases
        finally:
            with cls.lock:
                cls.in_flight[run] -= 1

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
            self.raw(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"4\r\nfine\r\n3;ext=1\r\n!!!\r\n0\r\n\r\n"
            )
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
        elif case == "limited-long":  # asks for 30 years: the cap wins
            self.send(*((429, b"slow down") if n == 1 else (200, ok)), Retry_After="1000000000")
        elif case == "limited-date":  # 2 s ahead, whole seconds: 1 to 2 s, so the cap wins
            when = datetime.now(timezone.utc) + timedelta(seconds=2)
            self.send(
                *((429, b"") if n == 1 else (200, ok)),
                Retry_After=format_datetime(when, usegmt=True),
            )
        elif case in ODD_RETRY_AFTER:  # unusable values: jittered backoff, and no crash
            self.send(*((503, b"") if n == 1 else (200, ok)), Retry_After=ODD_RETRY_AFTER[case])
        elif case == "down":
            self.send(500, b"boom")
        elif case == "redirect":
            self.send(302, b"", Location="/elsewhere")
        elif case == "loop":  # a redirect to itself: reported, never followed
            self.send(301, b"", Location=self.path)
        elif case == "early-hints":  # an interim 1xx reply comes before the real one
            self.raw(
                b"HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n"
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            )
        elif case == "nocontent-length":  # a 204 never has a body, whatever it claims
            self.raw(b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n")
            self.stop.wait(30)
        elif case == "bad-code":  # four digits: not a status code, and not worth a retry
            self.raw(b"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n")
        elif case == "not-http":
            self.raw(b"SSH-2.0-OpenSSH_9.6\r\n")
        elif case == "huge-header":  # one header line of 100 KiB
            self.raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
        elif case == "many-headers":  # 1000 header lines: a server whose headers never end
            self.raw(
                b"HTTP/1.1 200 OK\r\n" + b"X-Pad: 1\r\n" * 1000 + b"Content-Length: 2\r\n\r\nok"
            )
        elif case == "cut-chunk":  # the connection drops inside a chunk: may clear up, retried
            self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nhal")
        else:  # "missing" and anything unknown
            self.send(404, b"no such thing")


@pytest.fixture
def server() -> Iterator[str]:
    Scenarios.hits, Scenarios.in_flight, Scenarios.max_in_flight = {}, {}, {}
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


# Retry-After values that must fall back to the jittered backoff. "²" passes str.isdigit() but
# not float(), and the year overflows datetime: each used to crash the whole run.
ODD_RETRY_AFTER = {
    "retry-after-negative": "-5",
    "retry-after-superscript": "\u00b2",
    "retry-after-overflow": "Wed, 21 Oct 99999999999999999999 07:28:00 GMT",
}

FLAGS = ["--timeout", str(DEADLINE), "--backoff", str(BACKOFF), "--max-retry-after", str(CAP)]
#         case          status  requests
EXPECT = {
    "ok": ("ok", 1),
    "nocontent": ("ok", 1),
    "chunked": ("ok", 1),
    "until-close": ("ok", 1),
    "flaky": ("ok", 2),
    "busy": ("ok", 2),
    "limited": ("ok", 2),
    "limited-long": ("ok", 2),
    "limited-date": ("ok", 2),
    "early-hints": ("ok", 1),
    "nocontent-length": ("ok", 1),
    **{case: ("ok", 2) for case in ODD_RETRY_AFTER},
    "missing": ("fail", 1),
    "redirect": ("fail", 1),
    "loop": ("fail", 1),
    "down": ("fail", 2),
    "cut-chunk": ("fail", 2),
    "bad-code": ("fail", 1),
    "not-http": ("fail", 1),
    "huge-header": ("fail", 1),
    "many-headers": ("fail", 1),
    "trickle": ("fail", 2),
    "slow-body": ("fail", 2),
    "stall": ("fail", 2),
}


MALFORMED = {
    "bad-scheme": "htp://127.0.0.1:{port}/{tag}/malformed",
    "bad-port": "http://127.0.0.1:{port}:99/{tag}/malformed",
    "no-host": "http:///{tag}/malformed",
    "space": "http://127.0.0.1:{port}/{tag}/malformed x",
    "newline": "http://127.0.0.1:{port}/{tag}/malformed\r\nX-Injected: 1",
}


def test_every_scenario_in_one_concurrent_run(server: str, script: Path) -> None:
    """All scenarios in one invocation per interpreter; the interpreters run side by side."""
    refused = closed_port_url()
    port = server.rsplit(":", 1)[1]
    runs = {}
    try:
        # The slow cases alone first: this run cannot end before two full deadlines, however
        # late a busy server sees each attempt begin, so it gives the lower bound.
        started = time.monotonic()
        runs["deadline"] = (
            sys.executable,
            subprocess.Popen(
                command(
                    sys.executable,
                    script,
                    *FLAGS,
                    *(f"{case}={server}/deadline/{case}" for case in SLOW),
                ),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for exe, (major, minor) in all_interpreters():
            tag = f"py{major}{minor}"
            targets = [f"{case}={server}/{tag}/{case}" for case in EXPECT]
            targets += [
                f"refused={refused}",
                *(f"{name}={url.format(tag=tag, port=port)}" for name, url in MALFORMED.items()),
            ]
            runs[tag] = (
                exe,
                subprocess.Popen(
                    command(exe, script, *FLAGS, *targets),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        alone = runs["deadline"][1]
        out, err = alone.communicate(timeout=60)
        elapsed = time.monotonic() - started
        outputs = {
            tag: (exe, *proc.communicate(timeout=60), proc.returncode)
            for tag, (exe, proc) in runs.items()
            if tag != "deadline"
        }
    finally:
        for _, proc in runs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert alone.returncode == 1, err
    for r in json.loads(out):
        assert r["status"] == "fail" and "timeout" in r["error"] and r["attempts"] == 2, r
    assert elapsed >= 2 * DEADLINE, f"attempts gave up before the deadline: {elapsed:.2f}s"
    for tag, (exe, out, err, returncode) in outputs.items():
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
        # the trickle would need about 20 s in all and no single read ever waits 1 s. (The
        # lower bound is the "deadline" run above: a busy server may see an attempt late.)
        for case in SLOW:
            first, second = Scenarios.hits[f"/{tag}/{case}"]
            assert second - first < DEADLINE + BACKOFF + SLACK, f"{exe} {case}"
            assert "timeout" in results[case]["error"], results[case]
        # Retry-After honoured, and capped.
        first, second = Scenarios.hits[f"/{tag}/limited"]
        assert 1.0 - 0.05 <= second - first < 1.0 + SLACK, f"{exe}: Retry-After: 1"
        first, second = Scenarios.hits[f"/{tag}/limited-long"]
        assert CAP - 0.05 <= second - first < CAP + SLACK, f"{exe}: Retry-After capped"
        first, second = Scenarios.hits[f"/{tag}/limited-date"]
        assert 1.0 - 0.05 <= second - first < CAP + SLACK, f"{exe}: Retry-After as an HTTP-date"
        for case in ("bad-code", "not-http", "huge-header", "many-headers"):
            assert results[case]["error"].startswith("bad response"), f"{exe} {results[case]}"
        assert results["cut-chunk"]["error"].startswith("connection"), results["cut-chunk"]
        assert results["early-hints"]["code"] == 200, "the final reply's code, not the 103"

        assert results["refused"]["status"] == "fail"
        assert results["refused"]["attempts"] == 2, "a refused connection is retried once"
        for name in MALFORMED:
            r = results[name]
            assert r["status"] == "fail" and r["attempts"] == 0, f"{exe} {name}: {r}"
        assert not [p for p in Scenarios.hits if p.endswith("/malformed")], "a bad URL was sent"
        # Concurrent: this run's slow checks, each holding its connection a full deadline,
        # were answered at the same time. Counted per run, since the runs overlap each other;
        # unlike a wall-clock bound, this holds however busy the machine is.
        assert Scenarios.max_in_flight[tag] >= len(SLOW), f"{exe}: the checks ran one by one"


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
    state.write_text("[1, 2]")  # valid JSON, wrong shape: start afresh, do not crash
    third = run(sys_exe(), script, "--state", str(state), f"api={server}/s/ok")
    assert third.returncode == 0, third.stderr
    (again,) = json.loads(third.stdout)
    assert json.loads(state.read_text()) == {"api": again["last_success"]}


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
    assert poller.retry_after({"retry-after": "1000000000"}) == 1e9  # the caller caps it
    for odd in ("-5", "1.5", "\u00b2", "\u0663", "Wed, 21 Oct 99999999999999999999 07:28:00 GMT"):
        assert poller.retry_after({"retry-after": odd}) is None, odd


BIG = 64 << 20  # bytes in each large body below


class BigBodies(QuietHandler):
    """200 replies whose bodies are large but finite: by length, by chunks, and until close."""

    def do_GET(self) -> None:
        self.close_connection = True
        case = self.path.rsplit("/", 1)[-1]
        head = {
            "length": f"Content-Length: {BIG}\r\n",
            "chunked": "Transfer-Encoding: chunked\r\n",
            "until-close": "",
        }[case]
        piece = memoryview(b"x" * (1 << 20))
        try:
            self.wfile.write(f"HTTP/1.1 200 OK\r\n{head}\r\n".encode())
            if case == "chunked":  # one chunk of the whole size: an old reader buffered it all
                self.wfile.write(f"{BIG:x}\r\n".encode())
            for _ in range(BIG // len(piece)):
                self.wfile.write(piece)
            if case == "chunked":
                self.wfile.write(b"\r\n0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass


# Runs the script as __main__, then reports its peak resident set size in KiB. VmHWM belongs
# to the memory map that exec created; ru_maxrss would carry over the parent's (pytest's) peak.
PEAK_RSS = """import runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit:
    pass
with open("/proc/self/status") as fh:
    print(next(line.split()[1] for line in fh if line.startswith("VmHWM:")), file=sys.stderr)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_big_bodies_are_drained_not_buffered(script: Path) -> None:
    """3 x 64 MiB pass through the poller, which keeps well under 64 MiB: a body is read and
    dropped piece by piece, so an endless one costs time (the deadline) but never memory."""
    with serve(BigBodies) as url:
        done = subprocess.run(
            [
                sys_exe(),
                *STRICT,
                "-c",
                PEAK_RSS,
                str(script),
                "--timeout",
                "30",
                *(f"{case}={url}/{case}" for case in ("length", "chunked", "until-close")),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in json.loads(done.stdout)] == ["ok"] * 3, done.stdout
    peak_mib = int(done.stderr.split()[-1]) / 1024
    assert peak_mib < 48, f"peak RSS {peak_mib:.0f} MiB: a body was buffered, not drained"


def sys_exe() -> str:
    return sys.executable


def test_untrusted_certificate_fails_at_once(script: Path, tmp_path: Path) -> None:
    """A certificate that fails verification stays bad: one connection, no retry."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    accepted = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve_tls() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:  # the accept timed out: look at the stop flag again
                continue
            accepted.append(conn)
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            except (OSError, ssl.SSLError):
                conn.close()  # the client refused our certificate, as it should

    thread = threading.Thread(target=serve_tls, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        done = run(sys_exe(), script, *FLAGS, f"selfsigned=https://127.0.0.1:{port}/health")
    finally:
        stop.set()
        thread.join(5)
        listener.close()
    (r,) = json.loads(done.stdout)
    assert r["status"] == "fail" and r["error"].startswith("TLS"), r
    assert r["attempts"] == 1 and len(accepted) == 1, "a bad certificate was retried"
