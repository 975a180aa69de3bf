"""Broken sources through the real command line: exit 1, path:line messages, bounded time and
memory, no traceback, and no output file created or changed. Plus a fuzzer over the loader."""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prepdeck import outputs
from prepdeck.load import load_bytes
from prepdeck.validate import validate

INVALID = sorted((ROOT / "tests/fixtures/invalid").glob("*.yaml"))
RAW_CASES = {
    "non-utf8": b"topic:\n  id: x\n  title: Caf\xe9\n",
    "empty": b"",
    "only-comments": b"# nothing\n",
    "five-mb-field": b"topic:\n  id: x\n  title: " + b"y" * 5_000_000 + b"\n",
    "nul-bytes": b"topic:\x00\n",
    "binary-garbage": bytes(range(256)) * 8,
}
SMALL = str(ROOT / "tests/fixtures/trees/small")
MESSAGE = re.compile(r"^\S+:\d+:\d+: ")


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # 2 GiB


def snapshot(path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def built_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1760000000"}
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "-q",
            "--source",
            SMALL,
            "--out",
            str(out),
            "--only",
            "anki",
            "--only",
            "md",
        ],
        check=True,
        env=env,
        timeout=300,
    )
    return out


def run_broken(tmp_path: Path, out: Path, content: bytes) -> subprocess.CompletedProcess[str]:
    src = tmp_path / "src"
    shutil.copytree(SMALL, src)  # a small valid tree; the broken file sits beside its topic
    (src / "topics/99-broken.yaml").write_bytes(content)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1760000000"}
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--source", str(src), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        preexec_fn=limit_memory,
    )


@pytest.mark.parametrize(
    "content",
    [*(p.read_bytes() for p in INVALID), *RAW_CASES.values()],
    ids=[*(p.stem for p in INVALID), *RAW_CASES],
)
def test_broken_source_fails_cleanly(tmp_path: Path, built_outputs: Path, content: bytes) -> None:
    before = snapshot(built_outputs)
    result = run_broken(tmp_path, built_outputs, content)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1].endswith("problem(s); nothing was written")
    assert lines[:-1] and all(MESSAGE.match(line) for line in lines[:-1]), lines
    assert any("99-broken.yaml:" in line for line in lines)
    assert snapshot(built_outputs) == before


def test_corpus_is_large_enough() -> None:
    assert len(INVALID) + len(RAW_CASES) >= 25


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "decks/x.apkg"
    outputs.write_atomic(target, b"good release")

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        outputs.write_atomic(target, b"half-written")
    assert target.read_bytes() == b"good release"
    assert [p.name for p in target.parent.iterdir()] == ["x.apkg"]


YAML_ISH = st.text(
    alphabet=st.sampled_from(list("abc-:?!&*|>'\"{}[],# \n\t0123456789.%@`~")), max_size=300
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(YAML_ISH.map(str.encode), st.binary(max_size=300)))
def test_fuzz_loader_never_crashes(raw: bytes) -> None:
    """Any bytes give either data or clean problems, never an exception."""
    value, problems = load_bytes(raw, "fuzz.yaml")
    assert value is not None or problems  # no data means at least one problem
    for p in problems:
        assert p.mark.file == "fuzz.yaml" and p.mark.line >= 1 and p.message
    if value is not None:
        _check_validation(value)


DECK_VALUE = load_bytes((ROOT / "source/deck.yaml").read_bytes(), "deck.yaml")[0]


def _check_validation(value: object) -> None:
    """Validation gives a model exactly when it reports no error, and every problem points
    into the file with a message."""
    assert DECK_VALUE is not None
    src, found = validate(("deck.yaml", DECK_VALUE), [("fuzz.yaml", value)])  # type: ignore[list-item]
    errors = [p for p in found if not p.warning]
    assert (src is None) == bool(errors), (src, errors)
    for p in found:
        assert p.mark.file in ("fuzz.yaml", "deck.yaml") and p.mark.line >= 1 and p.message


TOPIC_KEYS = st.sampled_from(
    [
        "topic",
        "questions",
        "terms",
        "id",
        "prompt",
        "title",
        "tracks",
        "framework",
        "point",
        "gloss",
        "answer",
        "kind",
        "level",
    ]
)
NODES = st.recursive(
    st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none()),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(TOPIC_KEYS, children, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NODES)
def test_fuzz_structures_give_problems_not_exceptions(data: object) -> None:
    import yaml

    raw = yaml.safe_dump(data, allow_unicode=True).encode()
    value, problems = load_bytes(raw, "fuzz.yaml")
    assert value is not None or problems  # our own dump always loads, or says why not
    if value is not None:
        _check_validation(value)
