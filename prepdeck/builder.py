"""One build: `build(config, events) -> Report`. The command line, the tests and any other
caller run the same sequence: read and validate the source (and the personal file), check the
ledger, then render each output of `pipeline.OUTPUTS` that is not fresh in the incremental
cache, and write what built. `events` is told what happens (the CLI prints it); nothing here
prints or exits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import incremental, model, pipeline
from .errors import BuildError, Problem, UsageError
from .outputs import write_all
from .project import build_clock, commit_id, read_settings


@dataclass(frozen=True)
class Config:
    """Everything a build depends on besides the files it reads."""

    source: Path
    out: Path
    root: Path  # the checkout: paths in messages are shown relative to it; its commit
    settings_root: Path | None = None  # where pyproject.toml is (default: root)
    only: tuple[str, ...] = ()  # output names; () means all (or the per-track ones)
    track: str | None = None
    stories: Path | None = None  # the personal file, if any
    strict: bool = False
    force: bool = False
    preview: bool = False
    jobs: int = 1
    check: bool = False  # validate only
    build_time: int | None = None  # None: SOURCE_DATE_EPOCH, else the commit's (or later)


class Events(Protocol):
    """What a caller hears while a build runs (the CLI's progress log implements it)."""

    def warnings(self, problems: list[Problem]) -> None: ...

    def note(self, text: str) -> None: ...

    def stage(self, name: str, **details: Any) -> None: ...

    def progress(self, number: int, total: int, target: str) -> None: ...


class Quiet:
    """Events nobody listens to (tests, scripts)."""

    def warnings(self, problems: list[Problem]) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def stage(self, name: str, **details: Any) -> None:
        pass

    def progress(self, number: int, total: int, target: str) -> None:
        pass


@dataclass
class Report:
    source: model.Source
    files: dict[str, bytes] = field(default_factory=dict)  # what this build rendered
    changed: list[str] = field(default_factory=list)  # the files written with new bytes
    warnings: list[Problem] = field(default_factory=list)
    failures: list[Problem] = field(default_factory=list)  # outputs that did not build

    @property
    def ok(self) -> bool:
        return not self.failures


def build(config: Config, events: Events | None = None) -> Report:
    """Raises BuildError (source problems, nothing written), UsageError, EnvironmentProblem;
    an output that fails to render is a failure in the report, and the others are written."""
    events = events or Quiet()
    if config.jobs < 1:
        raise UsageError(f"--jobs {config.jobs}: give at least 1")
    unknown = sorted(set(config.only) - set(pipeline.OUTPUTS))
    if unknown:
        raise UsageError(
            f"unknown output {unknown[0]!r}; choose from {', '.join(pipeline.OUTPUTS)}"
        )
    started = time.perf_counter()
    settings = read_settings(config.settings_root or config.root)
    src, warnings = pipeline.read_source(config.root, config.source, strict=config.strict)
    pipeline.check_ledger(config.root, config.source, src, settings)
    events.warnings(warnings)
    report = Report(src, warnings=list(warnings))
    tracks = [t.id for t in src.tracks]
    if config.track is not None and config.track not in tracks:
        raise UsageError(f"unknown track {config.track!r}; choose one of: {', '.join(tracks)}")
    stories = None
    if config.stories is not None:
        stories, found = pipeline.read_stories(
            config.root, config.stories, src, strict=config.strict
        )
        events.warnings(found)
        report.warnings += found
    if config.check:
        return report
    events.stage(
        "load+validate",
        seconds=time.perf_counter() - started,
        counts={
            "questions": len(src.questions),
            "frameworks": len(src.frameworks),
            "stars": len(src.stars),
            "terms": len(src.terms),
        },
    )
    if config.build_time is not None:
        stamp, note = config.build_time, None
    else:
        stamp, note = build_clock(config.source)
    if note:
        events.note(note)
    ctx = pipeline.Context(
        settings,
        stamp,
        commit_id(config.source if config.source.is_dir() else config.root),
        config.track,
        strict=config.strict,
        jobs=config.jobs,
    )
    per_track = [o.name for o in pipeline.OUTPUTS.values() if o.per_track]
    targets = list(config.only) or (per_track if config.track else list(pipeline.OUTPUTS))
    if stories is not None and not config.track:
        targets.append("private")
    sources = pipeline.source_paths(config.source)
    cache = {} if config.force else incremental.load(config.out)
    inputs = {
        "version": settings.version,
        "url": settings.repo_url,
        "license": settings.license,
        "time": ctx.build_time,
        "commit": ctx.commit,
        "track": config.track,
        "preview": config.preview,
    }
    for number, target in enumerate(targets, 1):
        if target == "private" and config.stories is not None:  # only private outputs read it
            fp = incremental.fingerprint(
                target, [*sources, config.stories], {**inputs, "only": sorted(config.only)}
            )
        else:
            fp = incremental.fingerprint(target, sources, inputs)
        if incremental.fresh(cache, config.out, target, fp):
            events.stage(target, skipped="inputs unchanged since the last build")
            continue
        events.progress(number, len(targets), target)
        began = time.perf_counter()
        try:
            if target == "private":
                made = pipeline.render_private(src, stories, ctx, list(config.only) or None)
            else:
                made = pipeline.OUTPUTS[target].render(src, ctx)
            if config.preview and target in ("pdf", "private"):
                from .preview import preview_files

                made.update(preview_files(made))
        except BuildError as err:  # one output failed: the others are still written
            report.failures += err.problems
            continue
        events.stage(
            target,
            files=len(made),
            seconds=time.perf_counter() - began,
            size=sum(map(len, made.values())),
        )
        incremental.record(cache, target, fp, made)
        report.files.update(made)
    report.changed = write_all(config.out, report.files)
    write_all(config.out, {incremental.CACHE: incremental.dump(cache)})
    events.warnings(ctx.warnings)
    report.warnings += ctx.warnings
    return report
