"""The coding answer's health-check poller really runs: against local servers on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import pytest

from prepdeck import model

SLOW_SECONDS = 1.5
TIMEOUT = 0.5


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[dict[str, int]] = {}
    in_flight = 0
    max_in_flight = 0
    lock = threading.Lock()

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.hits[self.path] = cls.hits.get(self.path, 0) + 1
            cls.in_flight += 1
            cls.max_in_flight = max(cls.max_in_flight, cls.in_flight)
        try:
            if self.path.startswith("/slow"):
                time.sleep(SLOW_SECONDS)
            code = {"/ok/health": 200, "/fail/health": 500, "/missing/health": 404}.get(
                self.path, 200 if self.path.startswith("/slow") else 404)
            body = b'{"status": "up"}'
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with cls.lock:
                cls.in_flight -= 1

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.hits = {}
    Handler.max_in_flight = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_port() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/health"


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory, shipped: model.Source) -> Path:
    (q,) = [q for q in shipped.questions if q.id == "health-check-poller"]
    blocks = re.findall(r"```python\n(.*?)```", q.answer, flags=re.S)
    assert len(blocks) == 1, "the answer must hold exactly one python block"
    path = tmp_path_factory.mktemp("poller") / "healthcheck.py"
    path.write_text(blocks[0], encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def poller(script: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("healthcheck", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_summary_for_healthy_failing_slow_and_down(poller: ModuleType, server: str,
                                                   closed_port: str) -> None:
    urls = [f"{server}/ok/health", f"{server}/fail/health", f"{server}/slow/health",
            f"{server}/missing/health", closed_port]
    results = poller.check_all(urls, timeout=TIMEOUT)
    assert [r["url"] for r in results] == urls
    ok, fail, slow, missing, down = results
    for r in results:
        assert set(r) == {"service", "url", "status", "latency_ms", "last_success", "error"}
        assert r["service"] == r["url"].split("/")[2]
    assert ok["status"] == "ok" and ok["error"] is None
    assert isinstance(ok["latency_ms"], (int, float)) and ok["latency_ms"] >= 0
    assert datetime.fromisoformat(ok["last_success"]).tzinfo is not None
    for r in (fail, slow, missing, down):
        assert r["status"] == "fail" and r["last_success"] is None and r["error"]
    assert Handler.hits["/fail/health"] == 2, "a 5xx is transient: exactly one retry"
    assert Handler.hits["/missing/health"] == 1, "a 4xx is not retried"
    assert Handler.hits["/slow/health"] == 2, "a timeout is transient: exactly one retry"
    assert "timeout" in slow["error"].lower() or "timed out" in slow["error"].lower()


def test_polls_concurrently(poller: ModuleType, server: str) -> None:
    urls = [f"{server}/slow/health?{i}" for i in range(4)]
    results = poller.check_all(urls, timeout=SLOW_SECONDS + 1)
    assert all(r["status"] == "ok" for r in results)
    assert Handler.max_in_flight >= 2, "requests were made one at a time"


def test_command_line_prints_json_and_exit_code(script: Path, server: str) -> None:
    good = subprocess.run([sys.executable, str(script), f"api={server}/ok/health"],
                          capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stderr
    (entry,) = json.loads(good.stdout)
    assert entry["service"] == "api" and entry["status"] == "ok"
    bad = subprocess.run([sys.executable, str(script), f"{server}/ok/health",
                          f"{server}/missing/health"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert [e["status"] for e in json.loads(bad.stdout)] == ["ok", "fail"]
