"""The unhealthy-pods answer's script against a fake Kubernetes API server on 127.0.0.1: bearer
token checked, two pages joined by a continue token, a field selector, and pods in each state
the script must flag or leave alone."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from coding_support import (
    Hostile,
    QuietHandler,
    interpreter_params,
    run,
    serve,
    write_script,
)

QID = "k8s-unhealthy-pods-script"
TOKEN = "test-token-123"
NOW = datetime.now(timezone.utc)


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def pod(
    name: str,
    ns: str = "shop",
    phase: str = "Running",
    ready: bool = True,
    created: str | None = None,
    **status: Any,
) -> dict[str, Any]:
    meta = {"name": name, "namespace": ns, "creationTimestamp": created or ago(days=3)}
    return {
        "metadata": meta,
        "spec": {"nodeName": "node-1"},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            **status,
        },
    }


def container(
    name: str,
    restarts: int = 0,
    waiting: str | None = None,
    finished: str | None = None,
    reason: str = "Error",
) -> dict[str, Any]:
    c: dict[str, Any] = {
        "name": name,
        "restartCount": restarts,
        "state": {"waiting": {"reason": waiting}} if waiting else {"running": {}},
    }
    if finished:
        c["lastState"] = {"terminated": {"reason": reason, "finishedAt": finished}}
    return c


def pages() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The two pages of pods, built when served: ages are relative to now, so a pod "20 s
    old" is still inside the grace period however late in the session the test runs."""
    page_1 = [
        pod("web-ok", containerStatuses=[container("web")]),
        pod(
            "web-crashloop",
            ready=False,
            containerStatuses=[
                container("web", restarts=7, waiting="CrashLoopBackOff", finished=ago(minutes=2))
            ],
        ),
        pod(
            "api-oom",
            containerStatuses=[
                container("api", restarts=4, finished=ago(minutes=10), reason="OOMKilled")
            ],
        ),
    ]
    page_2 = [
        pod(
            "api-old-restarts",
            containerStatuses=[container("api", restarts=9, finished=ago(days=20))],
        ),  # history, not news
        pod("api-starting", ready=False, created=ago(seconds=20)),  # inside the grace period
        pod("worker-unready", ready=False, containerStatuses=[container("worker")]),
        pod("batch-evicted", ns="jobs", phase="Failed", ready=False, reason="Evicted"),
        pod("db-pending", ns="data", phase="Pending", ready=False),
        pod(
            "img-bad",
            ready=False,
            created=ago(seconds=5),
            initContainerStatuses=[container("init", waiting="ImagePullBackOff")],
        ),
    ]
    if HEALTHY_ONLY:
        return page_1[:1], page_2[:1]
    return page_1, page_2


HEALTHY_ONLY: list[bool] = []  # set by the healthy-cluster test
SUCCEEDED = pod("job-done", ns="jobs", phase="Succeeded", ready=False)
FLAGGED = {
    "shop/web-crashloop",
    "shop/api-oom",
    "shop/worker-unready",
    "jobs/batch-evicted",
    "data/db-pending",
    "shop/img-bad",
}


class FakeAPI(QuietHandler):
    requests: ClassVar[list[dict[str, Any]]] = []
    expire: ClassVar[bool] = False  # answer the second page with 410 Gone

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append(
            {"path": url.path, "query": query, "auth": self.headers.get("Authorization")}
        )
        if url.path.startswith("/moved/"):  # a redirect, to this same server
            self.send_response(302)
            self.send_header("Location", url.path[len("/moved") :] + "?" + url.query)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.reply(401, {"kind": "Status", "reason": "Unauthorized", "code": 401})
        if url.path not in ("/api/v1/pods", "/api/v1/namespaces/shop/pods"):
            return self.reply(404, {"kind": "Status", "code": 404})
        if query.get("continue") and type(self).expire:
            return self.reply(410, {"kind": "Status", "reason": "Expired", "code": 410})
        page_1, page_2 = pages()
        items = page_2 if query.get("continue") == "page-2" else page_1
        if query.get("fieldSelector") != "status.phase!=Succeeded":
            items = [*items, SUCCEEDED]
        if url.path.startswith("/api/v1/namespaces/"):
            items = [p for p in items if p["metadata"]["namespace"] == "shop"]
        more = {"continue": "page-2"} if "continue" not in query else {}
        self.reply(
            200,
            {
                "kind": "PodList",
                "apiVersion": "v1",
                "metadata": {"resourceVersion": "4711", **more},
                "items": items,
            },
        )

    def reply(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def api() -> Iterator[str]:
    FakeAPI.requests = []
    with serve(FakeAPI) as url:
        yield url


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_script(QID, tmp_path_factory.mktemp("k8s"), "unhealthy_pods.py")


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    return path


@pytest.mark.parametrize("exe", interpreter_params())
def test_flags_exactly_the_unhealthy_pods(
    exe: str, script: Path, api: str, token_file: Path
) -> None:
    done = run(exe, script, "--server", api, "--token-file", str(token_file), "--json")
    assert done.returncode == 1, done.stderr
    found = {f"{p['namespace']}/{p['pod']}": p["problems"] for p in json.loads(done.stdout)}
    assert set(found) == FLAGGED
    assert any("CrashLoopBackOff" in p for p in found["shop/web-crashloop"])
    assert any("7 restarts" in p for p in found["shop/web-crashloop"])
    assert any("OOMKilled" in p for p in found["shop/api-oom"])
    assert any("Evicted" in p for p in found["jobs/batch-evicted"])
    assert found["shop/img-bad"] == ["init: ImagePullBackOff"], "young, but the image is wrong"
    first, second = FakeAPI.requests
    assert first["path"] == "/api/v1/pods" and first["auth"] == f"Bearer {TOKEN}"
    assert first["query"]["limit"] == "500"
    assert first["query"]["fieldSelector"] == "status.phase!=Succeeded"
    assert second["query"]["continue"] == "page-2", "the second page was fetched"


def test_namespace_and_text_output(script: Path, api: str, token_file: Path) -> None:
    exe = interpreter_params()[0].values[0]
    done = run(
        exe,
        script,
        "--server",
        api + "/",
        "--token-file",
        str(token_file),
        "-n",
        "shop",
        "--min-restarts",
        "10",
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert {line.split("\t")[0] for line in lines} == {
        "shop/web-crashloop",
        "shop/worker-unready",
        "shop/img-bad",
    }, "api-oom is under 10"
    assert all(line.count("\t") == 2 for line in lines)
    assert FakeAPI.requests[0]["path"] == "/api/v1/namespaces/shop/pods"


def test_healthy_cluster_exits_0(script: Path, api: str, token_file: Path) -> None:
    HEALTHY_ONLY.append(True)
    try:
        done = run(
            interpreter_params()[0].values[0],
            script,
            "--server",
            api,
            "--token-file",
            str(token_file),
        )
    finally:
        HEALTHY_ONLY.clear()
    assert done.returncode == 0 and done.stdout == "", done.stderr


def test_bad_token_exits_2(script: Path, api: str, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-token")
    done = run(
        interpreter_params()[0].values[0], script, "--server", api, "--token-file", str(wrong)
    )
    assert done.returncode == 2 and "401" in done.stderr and done.stdout == ""


def test_outside_a_cluster_without_server_is_a_usage_error(script: Path) -> None:
    env = {"PATH": "/usr/bin:/bin"}  # no KUBERNETES_SERVICE_HOST
    done = run(interpreter_params()[0].values[0], script, env=env)
    assert done.returncode == 2 and "--server" in done.stderr


@pytest.fixture(scope="module")
def module(script: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("unhealthy_pods", script)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_in_cluster_server_url(module: ModuleType) -> None:
    env = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    assert module.in_cluster_server(env) == "https://10.96.0.1:443"
    env["KUBERNETES_SERVICE_HOST"] = "fd00:10:96::1"
    assert module.in_cluster_server(env) == "https://[fd00:10:96::1]:443"
    assert module.in_cluster_server({}) is None


def test_expired_continue_token_exits_2(script: Path, api: str, token_file: Path) -> None:
    FakeAPI.expire = True
    try:
        done = run(
            interpreter_params()[0].values[0],
            script,
            "--server",
            api,
            "--token-file",
            str(token_file),
        )
    finally:
        FakeAPI.expire = False
    assert done.returncode == 2 and "410" in done.stderr


def test_token_is_not_resent_after_a_redirect(script: Path, api: str, token_file: Path) -> None:
    """urllib copies ordinary headers onto a redirected request, to any host; the bearer token
    must go only to the server it was meant for. Here the redirect target wants it, so the
    run fails, as it should: 401, exit 2."""
    done = run(
        interpreter_params()[0].values[0],
        script,
        "--server",
        api + "/moved",
        "--token-file",
        str(token_file),
    )
    first, second = FakeAPI.requests
    assert first["path"] == "/moved/api/v1/pods" and first["auth"] == f"Bearer {TOKEN}"
    assert second["path"] == "/api/v1/pods" and second["auth"] is None, "token followed the 3xx"
    assert done.returncode == 2 and "401" in done.stderr


@pytest.mark.parametrize("case", ["not-http", "huge-header", "huge-length"])
def test_unreadable_api_exits_2_not_1(case: str, script: Path, token_file: Path) -> None:
    """Exit 1 means "unhealthy pods found". A reply that is not HTTP or never ends must exit 2,
    not crash with a traceback, whose exit code is also 1."""
    Hostile.sent = 0
    with serve(Hostile) as url:
        done = run(
            interpreter_params()[0].values[0],
            script,
            "--server",
            f"{url}/{case}",
            "--token-file",
            str(token_file),
        )
    assert done.returncode == 2 and "cannot read the API" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    if case == "huge-length":  # claims 100 GB: read in pieces up to the cap, then refused
        assert "MiB" in done.stderr, "stopped by the size cap, not by the server giving up"
