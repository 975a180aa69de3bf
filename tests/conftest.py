"""Shared fixtures: the shipped source, builds into temporary directories, real Anki collections."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prepdeck import builder, model, pipeline, sourcetree  # noqa: E402
from prepdeck.outputs import write_all  # noqa: E402
from prepdeck.project import read_settings  # noqa: E402

T0 = 1_760_000_000  # a fixed build time for tests: 2025-10-09


@pytest.fixture(scope="session", autouse=True)
def drawing_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The suite's own diagram cache (builds in subprocesses share it), never the user's."""
    import os

    saved = os.environ.get("PREPDECK_CACHE")
    os.environ["PREPDECK_CACHE"] = str(tmp_path_factory.mktemp("drawings"))
    yield
    if saved is None:
        os.environ.pop("PREPDECK_CACHE", None)
    else:
        os.environ["PREPDECK_CACHE"] = saved


def build(
    source_dir: Path, out_dir: Path, build_time: int = T0, only: tuple[str, ...] = ("anki",)
) -> dict[str, Path]:
    """The real build (prepdeck.builder, as the command line runs it), at a fixed time;
    returns {relative name: written path}."""
    config = builder.Config(
        source=source_dir, out=out_dir, root=ROOT, only=only, build_time=build_time, force=True
    )
    report = builder.build(config)
    assert report.ok, report.failures
    return {name: out_dir / name for name in report.files}


def apkg_of(built: dict[str, Path]) -> Path:
    return built["decks/devops-interview-prep.apkg"]  # the full deck (tracks are beside it)


@pytest.fixture(scope="session")
def shipped() -> model.Source:
    src, _ = sourcetree.read_source(ROOT, ROOT / "source")
    return src


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped source tree that a test may edit."""
    dest = tmp_path / "source"
    shutil.copytree(ROOT / "source", dest)
    return dest


@pytest.fixture(scope="session")
def shipped_decks(shipped: model.Source) -> dict[str, bytes]:
    """The shipped decks (full and per track), rendered once per test session."""
    ctx = pipeline.Context(read_settings(ROOT), T0, "abc1234")
    return pipeline.render(shipped, ctx, ["anki"])


@pytest.fixture(scope="session")
def shipped_files(shipped: model.Source, shipped_decks: dict[str, bytes]) -> dict[str, bytes]:
    """Every public output of the shipped source, rendered once per test session (the sheets
    in parallel, as `python build.py` does), for every test that reads them."""
    import os

    ctx = pipeline.Context(read_settings(ROOT), T0, "abc1234", jobs=os.cpu_count() or 1)
    return {**shipped_decks, **pipeline.render(shipped, ctx, ["md", "pdf"])}


@pytest.fixture(scope="session")
def shipped_apkg(tmp_path_factory: pytest.TempPathFactory, shipped_decks: dict[str, bytes]) -> Path:
    out = tmp_path_factory.mktemp("shipped")
    write_all(out, shipped_decks)
    return out / "decks/devops-interview-prep.apkg"


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[object]:
    from anki.collection import Collection

    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    col.close()
