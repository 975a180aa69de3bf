"""What each command does, over one front half and one output registry.

Every command starts with `load` (settings, the checked source and personal file, the ledger
check) and renders through `pipeline.OUTPUTS` with the `context` it makes (build time, commit):

- `build(config, events) -> Report`: the outputs that are not fresh in the incremental cache,
  written to `config.out` (`python build.py`, and the tests);
- `release(config, ...)`: every output's release form, flat, with manifest and checksums;
- `ledger(config)`: the ledger after this release;
- `preview(config)`: the card gallery and the sheet's pages as images.

`events` is told what happens (the CLI prints it); nothing here prints or exits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from . import incremental, model, pipeline, sourcetree
from .errors import BuildError, Problem, UsageError
from .outputs import write_all
from .project import Settings, build_clock, commit_id, read_settings


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


@dataclass
class Loaded:
    """What every command starts from."""

    settings: Settings
    source: model.Source
    warnings: list[Problem]
    stories: model.Bank | None = None


def load(config: Config, events: Events | None = None, settings: Settings | None = None) -> Loaded:
    """Settings, the checked source (and personal file) and the ledger check; raises
    BuildError with every source problem, UsageError for an unknown track."""
    events = events or Quiet()
    settings = settings or read_settings(config.settings_root or config.root)
    src, warnings = sourcetree.read_source(config.root, config.source, strict=config.strict)
    sourcetree.check_ledger(config.root, config.source, src, settings)
    events.warnings(warnings)
    loaded = Loaded(settings, src, list(warnings))
    tracks = [t.id for t in src.tracks]
    if config.track is not None and config.track not in tracks:
        raise UsageError(f"unknown track {config.track!r}; choose one of: {', '.join(tracks)}")
    if config.stories is not None:
        loaded.stories, found = sourcetree.read_stories(
            config.root, config.stories, src, strict=config.strict
        )
        events.warnings(found)
        loaded.warnings += found
    return loaded


def context(config: Config, settings: Settings, events: Events | None = None) -> pipeline.Context:
    """What the renderers read besides the model: the build time (told to `events` when
    uncommitted edits make it later than the commit's), the commit, the track."""
    if config.build_time is not None:
        stamp, note = config.build_time, None
    else:
        stamp, note = build_clock(config.source)
    if note and events is not None:
        events.note(note)
    return pipeline.Context(
        settings,
        stamp,
        commit_id(config.source if config.source.is_dir() else config.root),
        config.track,
        strict=config.strict,
        jobs=config.jobs,
    )


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
    loaded = load(config, events)
    src, settings, stories = loaded.source, loaded.settings, loaded.stories
    report = Report(src, warnings=loaded.warnings)
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
    ctx = context(config, settings, events)
    per_track = [o.name for o in pipeline.OUTPUTS.values() if o.per_track]
    names = list(config.only) or (per_track if config.track else list(pipeline.OUTPUTS))
    sources = sourcetree.source_paths(config.source)
    # The units of work and of caching: each output, and its private form when there is a
    # personal file (only those read it).
    units: list[tuple[str, Callable[[], dict[str, bytes]], list[Path], bool]] = []
    for name in names:
        output = pipeline.OUTPUTS[name]
        units.append((name, partial(output.render, src, ctx), sources, output.paged))
    if stories is not None and config.stories is not None and not config.track:
        for name in names:
            output = pipeline.OUTPUTS[name]
            if output.private is not None:
                units.append(
                    (
                        f"{name}-private",
                        partial(output.private, src, stories, ctx),
                        [*sources, config.stories],
                        output.paged,
                    )
                )
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
    for number, (target, make, paths, pages) in enumerate(units, 1):
        fp = incremental.fingerprint(target, paths, inputs)
        if incremental.fresh(cache, config.out, target, fp):
            events.stage(target, skipped="inputs unchanged since the last build")
            continue
        events.progress(number, len(units), target)
        began = time.perf_counter()
        try:
            made = make()
            if config.preview and pages:
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


def release(
    config: Config, version: str, previous: str | None = None, *, dry_run: bool = False
) -> dict[str, bytes]:
    """Every release asset, flat (what CI uploads): each output's release form under a
    versioned and a stable name, the manifest, release notes and SHA256SUMS. Refuses a
    version that is not pyproject's, and a ledger that does not record it (unless dry_run)."""
    settings = read_settings(config.settings_root or config.root)
    if version.removeprefix("v") != settings.version:
        raise UsageError(
            f"release {version} does not match version {settings.version} in pyproject.toml; "
            "bump [project].version or tag the right commit"
        )
    loaded = load(replace(config, strict=True, track=None, stories=None), settings=settings)
    manifest = sourcetree.read_previous_manifest(previous) if previous else None
    ctx = context(config, loaded.settings)
    return pipeline.release_bundle(
        config.root, config.source, loaded.source, ctx, manifest, dry_run=dry_run
    )


def ledger(config: Config) -> tuple[bytes, str]:
    """The ledger (source/ledger.json) after releasing pyproject's version, and that version."""
    loaded = load(replace(config, strict=True))
    data = sourcetree.record_ledger(config.root, config.source, loaded.source, loaded.settings)
    return data, loaded.settings.version


def preview(config: Config, *, readme: bool = False) -> dict[str, bytes]:
    """decks/preview/: every card type as the Anki backend renders it, in phone frames, light
    and dark, and the sheet's pages as PNG. With `readme`, also the README's screenshots."""
    import tempfile

    from .gallery import card_document, gallery_html, render_cards, screenshot
    from .preview import pdf_to_pngs

    loaded = load(replace(config, track=None, stories=None))
    ctx = context(config, loaded.settings)
    src = loaded.source
    files = {
        **pipeline.OUTPUTS["anki"].render(src, ctx),
        **pipeline.OUTPUTS["pdf"].render(src, ctx),
    }
    base = pipeline.slug(src.deck)
    out: dict[str, bytes] = {}
    pages = []
    for paper in ("a4", "letter"):
        for number, png in enumerate(pdf_to_pngs(files[f"pdf/{base}-{paper}.pdf"]), 1):
            name = f"sheet-{paper}-p{number}.png"
            out[f"decks/preview/{name}"] = png
            pages.append(name)
    cards = render_cards(files[f"decks/{base}.apkg"])
    out["decks/preview/index.html"] = gallery_html(cards, pages, src.title).encode()
    if readme:
        card = next(c for c in cards if c.note_id == "iac-drift/steps" and c.ord == 1)
        with tempfile.TemporaryDirectory(prefix="prepdeck-readme-") as tmp:
            for mode in ("light", "dark"):
                doc = card_document(card.answer, card.css, ord=card.ord, night=mode == "dark")
                screenshot(doc, Path(tmp) / "shot.png")
                out[f".github/readme/card-{mode}.png"] = (Path(tmp) / "shot.png").read_bytes()
        out[".github/readme/sheet-page.png"] = pdf_to_pngs(files[f"pdf/{base}-a4.pdf"], dpi=60)[0]
    return out
