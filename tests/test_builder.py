"""The one build sequence (prepdeck.builder) that the command line and the tests share."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import ROOT, T0

from prepdeck import builder, pipeline
from prepdeck.errors import BuildError, Mark, Problem, UsageError

SMALL = ROOT / "tests/fixtures/trees/small"


def config(out: Path, **changes: object) -> builder.Config:
    base = builder.Config(source=SMALL, out=out, root=ROOT, build_time=T0)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_check_reads_everything_and_writes_nothing(tmp_path: Path) -> None:
    report = builder.build(config(tmp_path / "out", check=True))
    assert [q.id for q in report.source.questions] == ["sample-question"]
    assert report.files == {} and not (tmp_path / "out").exists()


def test_an_output_that_fails_does_not_take_the_others_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(src: object, ctx: object) -> dict[str, bytes]:
        raise BuildError([Problem(Mark("pdf/x.pdf", 0, 0), "WeasyPrint: out of paper")])

    outputs = dict(pipeline.OUTPUTS)
    outputs["pdf"] = dataclasses.replace(outputs["pdf"], render=broken)
    monkeypatch.setattr(pipeline, "OUTPUTS", outputs)
    report = builder.build(config(tmp_path / "out", only=("anki", "pdf")))
    assert not report.ok
    assert [str(p) for p in report.failures] == ["pdf/x.pdf: WeasyPrint: out of paper"]
    assert (tmp_path / "out/decks/devops-interview-prep.apkg").is_file()
    assert not (tmp_path / "out/pdf").exists()


def test_usage_errors_come_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown output 'html'"):
        builder.build(config(tmp_path / "out", only=("html",)))
    with pytest.raises(UsageError, match="unknown track 'qa'"):
        builder.build(config(tmp_path / "out", track="qa"))
    with pytest.raises(UsageError, match="--jobs 0"):
        builder.build(config(tmp_path / "out", jobs=0))
    assert not (tmp_path / "out").exists()


def test_every_output_in_the_registry_builds(tmp_path: Path) -> None:
    report = builder.build(config(tmp_path / "out", only=tuple(pipeline.OUTPUTS)))
    assert report.ok
    made = {name.split("/")[0] for name in report.files}
    assert {"decks", "pdf", "reference", "REFERENCE.md", "source"} <= made
