"""The command line: `python build.py` and its subcommands (ledger, release, preview).

Parses arguments, calls `builder` (one function per command) and prints; the only place
that picks exit codes: 0 built, 1 problems in the source, 2 a bad command line, 3 a problem
with the machine (an unwritable output, a missing system library).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import builder, pipeline, sourcetree
from .errors import BuildError, EnvironmentProblem, Problem, UsageError
from .outputs import write_all
from .progress import Log

ROOT = Path(__file__).resolve().parent.parent  # the project checkout build.py lives in


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Compile source/ into Anki decks (decks/*.apkg), the cheat sheet "
        "(pdf/*-a4.pdf, pdf/*-letter.pdf) and the reference (REFERENCE.md, reference/).",
        epilog="Subcommands (each takes --source and --help): `python build.py release "
        "--version X.Y.Z --out DIR` builds the release bundle; `python build.py ledger` records "
        "the ids of a release; `python build.py preview` writes the card gallery. The build "
        "time comes from SOURCE_DATE_EPOCH, else the commit time (later when source/ has "
        "uncommitted edits, so imports apply them), so a commit always builds the same bytes. "
        "Exit status: 0 built, 1 problems in the source, 2 a bad command line, 3 the "
        "environment (unwritable output, missing library or tool).",
    )
    parser.add_argument(
        "--check", action="store_true", help="validate the source only; write nothing"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (card-length and style rules) as errors, as CI does",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(pipeline.OUTPUTS),
        metavar="OUTPUT",
        help="build only this output (repeatable): "
        + "; ".join(f"{o.name} ({o.doc})" for o in pipeline.OUTPUTS.values()),
    )
    source_option(parser)
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="directory the outputs are written under (default: the project the source "
        "tree belongs to: this checkout, or the folder above --source when it has its own "
        "pyproject.toml)",
    )
    parser.add_argument(
        "--stories",
        type=Path,
        metavar="PATH",
        help="your story bank (default: the project's my-stories.yaml if it exists); builds "
        "a private My Stories deck, reference and sheet",
    )
    parser.add_argument(
        "--track", metavar="NAME", help="build only one track's deck and sheet (see --list-tracks)"
    )
    parser.add_argument(
        "--list-tracks",
        action="store_true",
        help="list the tracks with their item counts, then exit",
    )
    parser.add_argument(
        "--preview",
        action="store_true",
        help="also render every PDF page to pdf/preview/*.png to look at the "
        "layout (needs the test extras: bash .ci/setup --test)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="rebuild every output, even those whose inputs are unchanged",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="render independent outputs in N processes (default: the number "
        "of cores); the bytes are the same for any N",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON report (stages, outputs, problems) on stdout",
    )
    return parser.parse_args(argv)


def source_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT / "source",
        metavar="DIR",
        help="source tree to read (default: source/); settings come from the "
        "pyproject.toml beside it when there is one",
    )


def report(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def failed(err: BuildError, what: str) -> int:
    """A subcommand's problems, then what did not happen; exit status 1."""
    report(err.problems)
    print(what, file=sys.stderr)
    return 1


def ledger_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python build.py ledger",
        description="Record every current note id in source/ledger.json as released in the "
        "version from pyproject.toml. Run it when preparing a release, and commit the result.",
    )
    source_option(parser)
    args = parser.parse_args(argv)
    config = subcommand_config(args.source)
    try:
        data, version = builder.ledger(config)
    except BuildError as err:
        return failed(err, "ledger not updated")
    changed = write_all(args.source, {sourcetree.LEDGER_FILE: data})
    where = args.source / sourcetree.LEDGER_FILE
    print(f"{'updated' if changed else 'unchanged'} {where} (v{version})")
    return 0


def release_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python build.py release",
        description="Build the release bundle: decks, both PDFs, REFERENCE.md, manifest.json, "
        "release-notes.md and SHA256SUMS, flat in one directory (what CI uploads).",
    )
    parser.add_argument(
        "--version",
        required=True,
        help="the version being released "
        "(a tag like v1.2.3 is accepted); must match pyproject.toml",
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="directory for the assets"
    )
    parser.add_argument(
        "--previous",
        metavar="PATH_OR_URL",
        help="manifest.json of the previous release, for the release notes",
    )
    source_option(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="build the bundle even if source/ledger.json does not yet record "
        "this version (CI does this on every change)",
    )
    args = parser.parse_args(argv)
    config = subcommand_config(args.source, args.out)
    try:
        assets = builder.release(config, args.version, args.previous, dry_run=args.dry_run)
    except BuildError as err:
        return failed(err, "release not built")
    write_all(args.out, assets)
    for name in sorted(assets):
        print(f"{args.out / name}")
    return 0


def preview_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python build.py preview",
        description="Write decks/preview/index.html: every card type, front and back, as the "
        "Anki backend renders it, in 360 and 430 px phone frames, light and dark, plus the "
        "cheat sheet's pages. Opens in any browser, offline. Needs: bash .ci/setup --test",
    )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="also refresh the README's screenshots in .github/readme/",
    )
    source_option(parser)
    args = parser.parse_args(argv)
    try:
        files = builder.preview(subcommand_config(args.source), readme=args.readme)
    except BuildError as err:
        return failed(err, "preview not written")
    write_all(project_of(args.source), files)
    for name in sorted(files):
        if not name.startswith("decks/preview/sheet-"):
            print(f"wrote {name}")
    return 0


def subcommand_config(source: Path, out: Path | None = None) -> builder.Config:
    """A subcommand's build settings: the tree it reads, and the project it belongs to."""
    project = project_of(source)
    return builder.Config(source=source, out=out or project, root=ROOT, settings_root=project)


def project_of(source: Path) -> Path:
    """The project a source tree belongs to: the folder above it when that has its own
    pyproject.toml (its version, repository URL and license), else this checkout."""
    parent = source.resolve().parent
    return parent if (parent / "pyproject.toml").is_file() else ROOT


def check_writable(out: Path) -> None:
    """Fail before any work when the outputs could not be written (exit status 3)."""
    probe = out
    while not probe.exists():
        if probe.is_symlink() or probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise EnvironmentProblem(f"--out {out}: {probe} is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise EnvironmentProblem(f"--out {out}: {probe} is not writable")


def main(argv: list[str] | None = None) -> int:
    """The command line; exit status 0 built, 1 source problems, 2 usage, 3 environment."""
    try:
        return _main(argv)
    except UsageError as err:
        print(f"usage error: {err}", file=sys.stderr)
        return 2
    except EnvironmentProblem as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except OSError as err:  # writing the outputs
        print(f"error: cannot write the outputs: {err}", file=sys.stderr)
        return 3


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["preview"]:
        return preview_command(argv[1:])
    if argv[:1] == ["ledger"]:
        return ledger_command(argv[1:])
    if argv[:1] == ["release"]:
        return release_command(argv[1:])
    args = parse_args(argv)
    log = Log(quiet=args.quiet, as_json=args.json)
    project = project_of(args.source)
    if args.out is None:
        args.out = project
    if not args.check and not args.list_tracks:
        check_writable(args.out)
    stories = args.stories
    if stories is None and (project / "my-stories.yaml").exists():
        stories = project / "my-stories.yaml"
    config = builder.Config(
        source=args.source,
        out=args.out,
        root=ROOT,
        settings_root=project,
        only=tuple(args.only or ()),
        track=args.track,
        stories=stories,
        strict=args.strict,
        force=args.force,
        preview=args.preview,
        jobs=args.jobs,
        check=args.check or args.list_tracks,
    )
    try:
        report = builder.build(config, log)
    except BuildError as err:
        log.problems(err.problems, args.strict)
        return 1
    if args.list_tracks:
        for track in report.source.tracks:
            part = report.source.for_track(track.id).current()
            print(
                f"{track.id:<12} {track.title}: {len(part.questions)} questions, "
                f"{len(part.frameworks)} frameworks, {len(part.stars)} STAR examples, "
                f"{len(part.terms)} terms"
            )
        return 0
    if args.check:
        log.checked(report.source)
        return 0
    if report.failures:
        log.problems(report.failures, args.strict, written=sorted(report.files))
        return 1
    log.outputs(report.files, report.changed)
    return 0
