"""Shared helpers for the coding questions' tests: their answers' scripts really run.

Every coding answer carries exactly one complete ```python block. These helpers pull it out of
the topic file, write it to disk, find other interpreters to run it under, ask vermin for its
minimum Python version and serve local HTTP on 127.0.0.1 for it to talk to. This module holds no
tests of its own (its name only keeps it beside the files that use it).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CODING = ROOT / "source" / "topics" / "70-coding.yaml"
OLDEST = (3, 8)  # what the coding questions promise: "Python 3.8+"
PYENV = Path("/root/.pyenv/versions")


@functools.cache
def _questions() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(CODING.read_text(encoding="utf-8"))
    return {q["id"]: q for q in data.get("questions", [])}


def coding_ids() -> list[str]:
    """Ids of the coding questions whose answer holds a python block."""
    return [
        qid
        for qid, q in _questions().items()
        if q.get("kind") == "coding" and "```python" in q.get("answer", "")
    ]


def script_source(qid: str) -> str:
    """The one complete ```python block of a coding question's answer."""
    blocks = re.findall(r"```python\n(.*?)```", _questions()[qid]["answer"], flags=re.S)
    assert len(blocks) == 1, f"{qid}: the answer must hold exactly one python block"
    return str(blocks[0])


def write_script(qid: str, directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text(script_source(qid), encoding="utf-8")
    return path


@functools.cache
def other_pythons() -> tuple[tuple[str, tuple[int, int]], ...]:
    """(executable, version) of every other CPython 3.8 or later installed: on PATH as
    python3.X, or under pyenv's versions directory. Oldest first."""
    found: dict[tuple[int, int], str] = {}
    for minor in range(OLDEST[1], 21):
        if (3, minor) == sys.version_info[:2]:
            continue
        # pyenv's own binaries first: its shims on PATH are slow shell scripts
        candidates = sorted(
            (str(p) for p in PYENV.glob(f"3.{minor}.*/bin/python3.{minor}")), reverse=True
        )
        on_path = shutil.which(f"python3.{minor}")
        if on_path:
            candidates.append(on_path)
        for exe in filter(None, candidates):
            try:  # a pyenv shim on PATH exists but may refuse to run the version
                out = subprocess.run(
                    [exe, "-c", "import sys; print(*sys.version_info[:2])"],
                    capture_output=True,
                    text=True,
                    timeout=20,
                )
            except (OSError, subprocess.TimeoutExpired):
                continue
            if out.returncode == 0 and out.stdout.split() == ["3", str(minor)]:
                found[(3, minor)] = exe
                break
    return tuple((exe, version) for version, exe in sorted(found.items()))


def all_interpreters() -> list[tuple[str, tuple[int, int]]]:
    """The running interpreter first, then every other one found, oldest first."""
    return [(sys.executable, sys.version_info[:2]), *other_pythons()]


def interpreters() -> list[tuple[str, tuple[int, int]]]:
    """The running interpreter, the oldest other one found (3.8, the promise) and the newest:
    the sync scripts' behaviour is tested on each, since what breaks is an old interpreter
    missing a feature or a new one removing what used to warn. Those in between get --help and
    vermin in test_coding_compat.py; the asyncio poller, most sensitive to versions, runs on
    all of them."""
    here, *others = all_interpreters()  # others are sorted oldest first
    return [here, *others[:1], *others[1:][-1:]]


def interpreter_params() -> list[Any]:
    """pytest params: one per interpreter, with readable ids such as py3.8."""
    return [pytest.param(exe, id=f"py{v[0]}.{v[1]}") for exe, v in interpreters()]


def vermin_minimums(paths: list[Path]) -> dict[Path, tuple[int, int]]:
    """The minimum Python 3 version vermin derives for each file, in one run of vermin.

    --eval-annotations treats annotations as evaluated at definition time (they are, without
    `from __future__ import annotations`), and union-types catches `X | Y` (3.10+)."""
    pytest.importorskip("vermin", reason="vermin is in the test extras: pip install vermin")
    out = subprocess.run(  # vermin has no __main__ module: call its console entry point
        [
            sys.executable,
            "-c",
            "import sys, vermin; sys.exit(vermin.main())",
            "--no-config-file",
            "--eval-annotations",
            "--feature",
            "union-types",
            "--no-tips",
            "--format",
            "parsable",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    found = {}
    for line in out.stdout.splitlines():  # '/tmp/x/poller.py:::!2:3.7:' sums up one file
        m = re.fullmatch(r"(?P<path>.+):::[^:]*:(?P<major>3)\.(?P<minor>\d+):", line)
        if m:
            found[Path(m["path"]).resolve()] = (int(m["major"]), int(m["minor"]))
    missing = [p for p in paths if p.resolve() not in found]
    assert not missing, f"no vermin summary for {missing}:\n{out.stdout}"
    return {p: found[p.resolve()] for p in paths}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops bursts of concurrent connects, and the poller's
    # test opens some 300 at once (seven runs side by side). A dropped SYN is retried after a
    # second, so an attempt times out before the server ever sees it.
    request_queue_size = 1024


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run `handler` on 127.0.0.1, an ephemeral port, in a thread; yields the base URL."""
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


class QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


ENDLESS_LIMIT = 256 << 20  # an "endless" body stops here, so a broken client cannot hang a test


class Hostile(QuietHandler):
    """A server that misbehaves, chosen by the first path segment, e.g. GET /not-http/...

    not-http: a banner instead of a status line. huge-header: one 100 KiB header line.
    endless: 200 with no length and a body that only stops when the client hangs up.
    huge-length: 200 claiming a 100 GB body, then the endless body."""

    sent: ClassVar[int] = 0  # body bytes written by the endless cases, all requests together

    def do_GET(self) -> None:
        case = self.path.strip("/").split("/")[0]
        self.close_connection = True
        try:
            if case == "not-http":
                self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n")
            elif case == "huge-header":
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\nX-Big: "
                    + b"a" * 100_000
                    + b"\r\nContent-Length: 2\r\n\r\nok"
                )
            elif case in ("endless", "huge-length"):
                length = b"Content-Length: 100000000000\r\n" if case == "huge-length" else b""
                self.wfile.write(b"HTTP/1.1 200 OK\r\n" + length + b"\r\n")
                piece = memoryview(b"x" * (1 << 20))
                while type(self).sent < ENDLESS_LIMIT:
                    self.wfile.write(piece)
                    type(self).sent += len(piece)
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should


def closed_port_url(path: str = "/health") -> str:
    """A URL on 127.0.0.1 where nothing listens: connecting is refused."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


# A deprecated call is an error: what warns on the newest Python breaks on the next one.
STRICT = ("-W", "error")


def command(exe: str, script: Path, *args: str) -> list[str]:
    return [exe, *STRICT, str(script), *args]


def run(
    exe: str,
    script: Path,
    *args: str,
    stdin: str | None = None,
    timeout: float = 30,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(exe, script, *args),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
