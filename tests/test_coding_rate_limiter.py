"""The client-side rate limiter in the coding answer: exact behaviour on a fake clock, real
threads against the real clock, and the stdin pacing command under every interpreter found."""

from __future__ import annotations

import importlib.util
import subprocess
import threading
import time
from pathlib import Path
from types import ModuleType

import pytest
from coding_support import command, interpreter_params, write_script

QID = "client-rate-limiter"


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_script(QID, tmp_path_factory.mktemp("limiter"), "throttle.py")


@pytest.fixture(scope="module")
def limiter(script: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("throttle", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeTime:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_burst_then_steady_rate(limiter: ModuleType) -> None:
    t = FakeTime()
    bucket = limiter.TokenBucket(rate=4, capacity=2, clock=t.clock, sleep=t.sleep)
    assert bucket.try_acquire() == 0.0 and bucket.try_acquire() == 0.0  # the burst
    assert bucket.try_acquire() == pytest.approx(0.25)  # then one token per 1/rate
    t.now += 0.125
    assert bucket.try_acquire() == pytest.approx(0.125)  # half a token already refilled
    assert bucket.acquire() and t.slept == [pytest.approx(0.125)]
    t.now += 60
    first, second, third = (bucket.try_acquire() for _ in range(3))
    assert first == second == 0.0 and third > 0, "after a long idle, only capacity is banked"


def test_acquire_gives_up_before_the_deadline(limiter: ModuleType) -> None:
    t = FakeTime()
    bucket = limiter.TokenBucket(rate=1, capacity=1, clock=t.clock, sleep=t.sleep)
    assert bucket.acquire()
    assert bucket.acquire(timeout=0.5) is False and t.slept == [], "fails at once, no sleep"
    assert bucket.acquire(timeout=1.0) is True and t.slept == [pytest.approx(1.0)]


def test_pause_holds_every_caller(limiter: ModuleType) -> None:
    t = FakeTime()
    bucket = limiter.TokenBucket(rate=10, capacity=5, clock=t.clock, sleep=t.sleep)
    bucket.pause(3.0)
    assert bucket.try_acquire() == pytest.approx(3.1), "the pause, then one refill interval"
    t.now += 3.0
    assert bucket.try_acquire() == pytest.approx(0.1), "nothing refilled during the pause"
    t.now += 0.1
    assert bucket.try_acquire() == 0.0


def test_bad_arguments(limiter: ModuleType) -> None:
    with pytest.raises(ValueError):
        limiter.TokenBucket(rate=0, capacity=1)
    with pytest.raises(ValueError):
        limiter.TokenBucket(rate=1, capacity=2).try_acquire(3)


def test_decorator_retries_after_a_429_and_pauses_the_bucket(limiter: ModuleType) -> None:
    t = FakeTime()
    bucket = limiter.TokenBucket(rate=10, capacity=10, clock=t.clock, sleep=t.sleep)
    calls: list[float] = []

    @limiter.rate_limited(bucket, retries=1, max_pause=2.0)
    def call_api(x: int) -> int:
        calls.append(t.now)
        if len(calls) == 1:
            raise limiter.Throttled("429", retry_after=30)
        return x * 2

    assert call_api(21) == 42 and call_api.__name__ == "call_api"
    assert calls[1] - calls[0] == pytest.approx(2.1), "Retry-After capped at 2 s, plus a refill"

    @limiter.rate_limited(bucket, retries=1)
    def always_refused() -> None:
        raise limiter.Throttled("429", retry_after=1)

    with pytest.raises(limiter.Throttled):
        always_refused()

    @limiter.rate_limited(bucket, timeout=0.01)
    def starved() -> None:
        pass

    bucket.pause(5)
    with pytest.raises(limiter.Throttled, match="no token"):
        starved()


def test_threads_stay_under_the_rate(limiter: ModuleType) -> None:
    """Real clock, real threads: 8 threads want 40 tokens from a 100/s bucket of capacity 10."""
    bucket = limiter.TokenBucket(rate=100, capacity=10)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            bucket.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    start = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert len(stamps) == 40
    # 10 at once, then 30 more at 100/s: at least 0.3 s; never more than capacity + rate * t.
    assert max(stamps) - start >= 0.29
    for s in stamps:
        assert sum(1 for x in stamps if x <= s) <= 10 + 100 * (s - start) + 1


@pytest.mark.parametrize("exe", interpreter_params())
def test_pipe_paces_lines(exe: str, script: Path) -> None:
    """Lines are timed as they leave the pipe, so interpreter start-up cannot pass for pacing:
    4 lines at once (the burst), then 8 more at 40 per second, at least 0.2 s after the 4th."""
    lines = [f"host-{i}\n" for i in range(12)]
    seen, stamps = [], []
    with subprocess.Popen(
        command(exe, script, "--rate", "40", "--burst", "4"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdin and proc.stdout
        proc.stdin.write("".join(lines))
        proc.stdin.close()
        for out in proc.stdout:
            stamps.append(time.monotonic())
            seen.append(out)
        assert proc.wait(timeout=30) == 0
    assert seen == lines
    assert stamps[-1] - stamps[3] >= 8 / 40 - 0.02, "the 8 lines after the burst were not paced"
