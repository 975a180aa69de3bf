"""load -> validate -> render everything in memory -> hand bytes to the writer.

Only this module reads the source tree; renderers are pure functions of the model plus the
injected build time and version. Heavy libraries are imported only for the outputs being built,
so ``--check`` stays fast.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import model
from .errors import BuildError, Mark, Problem
from .files import read_bytes
from .load import Value, load_bytes
from .project import Settings
from .validate import validate

DECK_FILE = "deck.yaml"
MEDIA_DIR = "media"  # pictures the text may show: ![what it shows](media/name.png)
TOPIC_DIR = "topics"


@dataclass(frozen=True)
class Context:
    """What a renderer may depend on besides the model."""

    settings: Settings
    build_time: int
    commit: str = "unknown"
    track: str | None = None  # build only this track's deck and sheet (--track)
    strict: bool = False  # over-budget sheets are errors, not warnings
    jobs: int = 1  # processes for independent outputs (the sheets); never changes the bytes
    warnings: list[Problem] = field(default_factory=list)  # found while rendering

    @property
    def build_date(self) -> str:
        return dt.datetime.fromtimestamp(self.build_time, dt.timezone.utc).strftime("%Y-%m-%d")


def source_paths(source_dir: Path) -> list[Path]:
    """Every file the public outputs are built from (for change detection)."""
    deck, topics = source_files(source_dir)
    ledger = source_dir / LEDGER_FILE
    media = sorted((source_dir / MEDIA_DIR).glob("*")) if (source_dir / MEDIA_DIR).is_dir() else []
    return [p for p in (deck, *topics, ledger, *media) if p.is_file()]


def source_files(source_dir: Path) -> tuple[Path, list[Path]]:
    """deck.yaml and every topics/*.yaml entry (non-files too: reading reports them)."""
    topics = source_dir / TOPIC_DIR
    found = sorted(topics.glob("*.yaml")) if topics.is_dir() else []
    return source_dir / DECK_FILE, found


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Loading builds hundreds of thousands of small acyclic objects; CPython's cyclic GC would
    rescan them again and again (measured: 3x slower at 8,000 questions, and superlinear)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_source(
    root: Path, source_dir: Path, *, strict: bool = False
) -> tuple[model.Source, list[Problem]]:
    """Load and validate the whole tree; raises BuildError with every problem found."""
    with _no_cyclic_gc():
        return _read_source(root, source_dir, strict=strict)


def _read_source(
    root: Path, source_dir: Path, *, strict: bool
) -> tuple[model.Source, list[Problem]]:
    deck_path, topic_paths = source_files(source_dir)
    problems: list[Problem] = []

    def load(path: Path) -> tuple[str, Value] | None:
        name = _display(path, root)
        raw, found = read_bytes(path, name, source_dir)
        if raw is not None:
            value, found = load_bytes(raw, name)
        problems.extend(found)
        return (name, value) if raw is not None and value is not None else None

    deck_exists = deck_path.exists() or deck_path.is_symlink()
    deck = load(deck_path) if deck_exists else None
    if not deck_exists:
        problems.append(
            Problem(
                Mark(_display(deck_path, root), 1, 1),
                "missing; create it with title, deck and tracks",
            )
        )
    if not topic_paths:
        problems.append(
            Problem(
                Mark(_display(source_dir / TOPIC_DIR, root), 1, 1),
                "no topic files (*.yaml) found; add at least one",
            )
        )
    loaded = [x for x in (load(p) for p in topic_paths) if x]

    def media(name: str) -> bytes | str:
        """A picture of the media folder: a regular file inside the tree, at most 2 MB."""
        path = source_dir / MEDIA_DIR / name
        if not (path.exists() or path.is_symlink()):
            return f"no such file in {_display(source_dir / MEDIA_DIR, root)}/"
        data, found = read_bytes(path, _display(path, root), source_dir, max_bytes=2_000_000)
        return data if data is not None else found[0].message

    src, found = validate(
        deck, loaded, run_lint=not any(not p.warning for p in problems), media=media
    )
    problems.extend(found)
    errors = [p for p in problems if strict or not p.warning]
    if errors or src is None:
        raise BuildError(problems)
    return src, problems


LEDGER_FILE = "ledger.json"


def read_ledger(root: Path, source_dir: Path) -> tuple[Any, str, str]:
    """(the parsed ledger or None when there is none, its text, its display name); raises
    BuildError when the file is unreadable, not UTF-8 or malformed."""
    from . import ledger
    from .load import decode

    path = source_dir / LEDGER_FILE
    name = _display(path, root)
    if not (path.exists() or path.is_symlink()):
        return None, "", name  # nothing released yet
    raw, problems = read_bytes(path, name, source_dir)
    text = None
    if raw is not None:
        text, problems = decode(raw, name)
    if text is None:
        raise BuildError(problems)
    recorded, problems = ledger.parse(text, name)
    if recorded is None:
        raise BuildError(problems)
    return recorded, text, name


def check_ledger(root: Path, source_dir: Path, src: model.Source, settings: Settings) -> None:
    """Raise BuildError when this build would break users of an earlier release."""
    from . import ledger
    from .notes import build_notes

    recorded, text, name = read_ledger(root, source_dir)
    if recorded is None:
        return
    notes = build_notes(src, settings.reference_url)
    problems = ledger.check(recorded, notes, settings.version, text, name)
    if problems:
        raise BuildError(problems)


def record_ledger(root: Path, source_dir: Path, src: model.Source, settings: Settings) -> bytes:
    """The ledger after releasing settings.version (call after check_ledger passed)."""
    from . import ledger
    from .notes import build_notes

    old, _, _ = read_ledger(root, source_dir)
    notes = build_notes(src, settings.reference_url)
    return ledger.dump(ledger.record(old, notes, settings.version)).encode()


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def slug(text: str) -> str:
    from .text import file_slug

    return file_slug(text)


def variants(src: model.Source, ctx: Context) -> list[tuple[str, model.Source, str | None]]:
    """(file-name suffix, source, track title) of the full set and each track's slice.

    Track packages share GUIDs and deck names with the full deck, so importing both never
    duplicates a note."""
    titles = {t.id: t.title for t in src.tracks}
    tracks = [ctx.track] if ctx.track else list(titles)
    out: list[tuple[str, model.Source, str | None]] = [] if ctx.track else [("", src, None)]
    out += [(f"-{t}", src.for_track(t), titles[t]) for t in tracks]
    return out


def deck_descriptions(src: model.Source, ctx: Context, track: str | None = None) -> dict[str, str]:
    """Deck overview HTML (Anki shows it as HTML, so every source string is escaped)."""
    from .text import anki_plain, deck_name

    version = anki_plain(f"Content version {ctx.settings.version}, built {ctx.build_date}.")
    scope = (
        f" Track: {anki_plain(track)}; it shares its cards with the full deck, so "
        "importing both never duplicates a card."
        if track
        else ""
    )
    url = anki_plain(ctx.settings.releases_url)
    root = (
        f"<p>{anki_plain(src.title)}.{scope}</p><p>{version} Newer releases: "
        f'<a href="{url}">{url}</a>. '
        "Import a new release over this one with the default options: your reviews "
        "are kept.</p>"
    )
    out = {src.deck: root}
    for topic in src.topics:
        out[deck_name(src.deck, topic.title)] = f"<p>{anki_plain(topic.title)}. {version}</p>"
    return out


def render_anki(src: model.Source, ctx: Context) -> dict[str, bytes]:
    from .notes import build_notes
    from .render_anki import render_apkg

    out = {}
    for suffix, part, track in variants(src, ctx):
        notes = build_notes(part, ctx.settings.reference_url)
        data = render_apkg(notes, deck_descriptions(part, ctx, track), ctx.build_time)
        out[f"decks/{slug(src.deck)}{suffix}.apkg"] = data
    return out


def render_md(src: model.Source, ctx: Context) -> dict[str, bytes]:
    from .render_markdown import render_reference_pages

    pages, pictures = render_reference_pages(src, ctx.settings.version)
    media = {f"reference/media/{name}": data for name, data in src.media}  # beside the pages
    return {**{name: text.encode() for name, text in pages.items()}, **pictures, **media}


def render_sheets(src: model.Source, ctx: Context) -> dict[str, bytes]:
    """Every sheet (full and per track, A4 and Letter). With ctx.jobs > 1 the sheets render
    in that many processes: each is a pure function of its inputs, so the bytes are the same."""
    work = [
        (part, ctx, paper, f"pdf/{slug(src.deck)}{suffix}-{paper}.pdf", track)
        for suffix, part, track in variants(src, ctx)
        for paper in ("a4", "letter")
    ]
    if ctx.jobs > 1 and len(work) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(ctx.jobs, len(work))) as pool:
            results = list(pool.map(_sheet_task, work))
    else:
        results = [_sheet_task(job) for job in work]
    out = {}
    for (_, _, _, name, _), (data, warnings) in zip(work, results, strict=True):
        out[name] = data
        ctx.warnings.extend(warnings)
    return out


def _sheet_task(
    job: tuple[model.Source, Context, str, str, str | None],
) -> tuple[bytes, list[Problem]]:
    """One sheet in a worker: its bytes and the warnings it raised."""
    part, ctx, paper, name, track = job
    local = dataclasses.replace(ctx, warnings=[])
    return sheet_pdf(part, local, paper, name, track), local.warnings


def sheet_pdf(
    src: model.Source, ctx: Context, paper: str, name: str, track: str | None, extra: str = ""
) -> bytes:
    """One cheat sheet as PDF bytes: the live items of `src`, with the build's footer."""
    from .render_pdf import render_pdf_pages
    from .render_sheet import page_budget, render_sheet

    # A track's sheet is its outlines (the glossary is on the full sheet); the full sheet adds
    # the glossary. Diagrams are printed when they fit the page budget, else left out.
    glossary = track is None or track == "my stories"

    def sheet(pictures: bool) -> tuple[bytes, int]:
        html = render_sheet(
            src.current(),
            paper=paper,
            version=ctx.settings.version,
            build_date=ctx.build_date,
            commit=ctx.commit,
            url=ctx.settings.repo_url,
            license_name=ctx.settings.license,
            track=track,
            extra=extra,
            pictures=pictures,
            glossary=glossary,
        )
        return render_pdf_pages(html, name)

    budget = page_budget(track)
    data, pages = sheet(pictures=False)
    has_pictures = any(q.diagram for q in src.questions) or any(f.diagram for f in src.frameworks)
    if has_pictures and pages < budget:  # room left: print the diagrams if they still fit
        with_pictures, more = sheet(pictures=True)
        if more <= budget:
            data, pages = with_pictures, more
    if pages > budget:
        problem = Problem(
            Mark(name, 0, 0),
            f"{pages} pages, over the budget of {budget} for "
            "this sheet; give questions a short `title`, trim key points, or "
            "split the content into tracks",
            warning=not ctx.strict,
        )
        if ctx.strict:
            raise BuildError([problem])
        ctx.warnings.append(problem)
    return data


SOURCE_FILES = (  # (schema name, spec, title, where the file lives)
    ("topic", model.TOPIC_FILE, "prepdeck topic file", "`source/topics/*.yaml`"),
    ("deck", model.DECK_FILE, "prepdeck deck.yaml", "`source/deck.yaml`"),
    ("stories", model.STORIES_FILE, "prepdeck story bank", "`my-stories.yaml` (git-ignored)"),
)


def render_schema(src: model.Source, ctx: Context) -> dict[str, bytes]:
    """What follows from the model's declaration: the JSON Schemas editors use (via the
    yaml-language-server modeline in each file) and the field reference for contributors."""
    import json

    from . import schema

    out = {}
    for name, spec, title, _ in SOURCE_FILES:
        text = json.dumps(schema.json_schema(spec, title), indent=2, ensure_ascii=False) + "\n"
        out[f"source/schema/{name}.schema.json"] = text.encode()
    doc = schema.markdown_doc([(spec.name, where, spec) for _, spec, _, where in SOURCE_FILES])
    out["source/schema/README.md"] = doc.encode()
    return out


def release_reference(src: model.Source, ctx: Context) -> dict[str, bytes]:
    """The reference as one file that reads offline (the repository has it in pages)."""
    from .render_markdown import render_reference

    return {"REFERENCE.md": render_reference(src, ctx.settings.version).encode()}


Renderer = Callable[[model.Source, Context], dict[str, bytes]]


@dataclass(frozen=True)
class Output:
    """One output group of the build. The command line (--only, --track), the incremental
    cache, the release bundle and the tests all iterate OUTPUTS; adding an output is one
    entry here plus its renderer."""

    name: str
    render: Renderer
    doc: str
    per_track: bool = False  # also built for one track alone (--track)
    release: Renderer | None = None  # what the release bundle carries (None: not released)


OUTPUTS: dict[str, Output] = {
    o.name: o
    for o in (
        Output("anki", render_anki, "the decks", per_track=True, release=render_anki),
        Output("md", render_md, "the reference pages", release=release_reference),
        Output("pdf", render_sheets, "the sheets", per_track=True, release=render_sheets),
        Output("schema", render_schema, "the JSON Schemas editors use and the field reference"),
    )
}


def read_stories(
    root: Path, path: Path, src: model.Source, *, strict: bool = False
) -> tuple[Any, list[Problem]]:
    """The user's story bank, checked against the public source; raises on errors."""
    from .stories import validate_stories

    name = _display(path, root)
    if not (path.exists() or path.is_symlink()):
        raise BuildError(
            [
                Problem(
                    Mark(name, 1, 1),
                    "no such file; copy source/stories.example.yaml to my-stories.yaml and fill it",
                )
            ]
        )
    raw, problems = read_bytes(path, name)
    value = None
    if raw is not None:
        value, problems = load_bytes(raw, name)
    stories: Any = ()
    if value is not None:
        stories, found = validate_stories(value, name, src)
        problems += found
    if any(strict or not p.warning for p in problems):
        raise BuildError(problems)
    return stories, problems


def render_private(
    src: model.Source, stories: Any, ctx: Context, only: list[str] | None = None
) -> dict[str, bytes]:
    """The private outputs of a story bank: its own deck, and copies of the reference and the
    sheet with a competency map, written next to the public ones (git-ignored)."""
    from . import stories as bank

    base = slug(src.deck)
    out: dict[str, bytes] = {}
    if only is None or "anki" in only:
        from .render_anki import render_apkg

        notes = bank.story_notes(stories, src, ctx.settings.reference_url)
        desc = {
            f"{src.deck}::My Stories": "<p>Your own stories, from your story bank. "
            "Private: never part of a release.</p>",
            f"{src.deck}::My Questions": "<p>Your own questions and answers. "
            "Private: never part of a release.</p>",
        }
        out[f"decks/{base}-my-stories.apkg"] = render_apkg(notes, desc, ctx.build_time)
    if only is None or "md" in only:
        from .render_markdown import render_reference

        text = render_reference(src, ctx.settings.version)
        out["REFERENCE.private.md"] = (text + "\n" + bank.map_markdown(stories, src)).encode()
    if only is None or "pdf" in only:
        for paper in ("a4", "letter"):
            name = f"pdf/{base}-my-stories-{paper}.pdf"
            out[name] = sheet_pdf(src, ctx, paper, name, "my stories", bank.map_html(stories))
    return out


def render(src: model.Source, ctx: Context, only: list[str] | None = None) -> dict[str, bytes]:
    """Every requested output as bytes, keyed by path relative to the project root."""
    files: dict[str, bytes] = {}
    for name, output in OUTPUTS.items():
        if only is None or name in only:
            files.update(output.render(src, ctx))
    return files


def release_bundle(
    root: Path,
    source_dir: Path,
    src: model.Source,
    ctx: Context,
    previous: dict[str, Any] | None,
    *,
    dry_run: bool = False,
    built: dict[str, bytes] | None = None,
) -> dict[str, bytes]:
    """Every release asset, flat: versioned names plus stable unversioned copies, the manifest,
    the release notes and SHA256SUMS. Refuses a release the ledger does not fully record."""
    from . import ledger, release
    from .notes import build_notes

    version = ctx.settings.version
    notes = build_notes(src, ctx.settings.reference_url)
    path = source_dir / LEDGER_FILE
    recorded, _, _ = read_ledger(root, source_dir)
    missing = [n.id for n in notes if recorded is None or n.id not in recorded.notes]
    if not dry_run and (recorded is None or recorded.version != version or missing):
        detail = (
            f"{len(missing)} note id(s) are not recorded"
            if missing
            else (f"it records v{recorded.version if recorded else 'nothing'}")
        )
        raise BuildError(
            [
                Problem(
                    Mark(_display(path, root), 0, 0),
                    f"the ledger is not ready for v{version}: {detail}; run "
                    "`python build.py ledger` and commit source/ledger.json",
                )
            ]
        )
    base = slug(src.deck)
    # Every output's release form. `built`: public outputs already rendered from this source
    # and context (tests reuse one rendering) stand in for a renderer that is the output's own.
    released: dict[str, bytes] = {}
    for output in OUTPUTS.values():
        if output.release is None:
            continue
        if built is not None and output.release is output.render:
            prefix = {"anki": "decks/", "pdf": "pdf/"}.get(output.name, "")
            released.update({k: v for k, v in built.items() if prefix and k.startswith(prefix)})
        else:
            released.update(output.release(src, ctx))
    built = released
    assets: dict[str, bytes] = {}
    for name, data in built.items():
        leaf = name.rsplit("/", 1)[-1]
        stem, ext = leaf.rsplit(".", 1)
        versioned = (
            f"{base}-{version}{stem[len(base) :]}.{ext}"
            if stem.startswith(base)
            else f"{stem}-{version}.{ext}"
        )
        assets[versioned] = data
        assets[leaf] = data
    cards = sum(ledger.points(n) or 1 for n in notes)
    record = release.manifest(
        src,
        notes,
        version=version,
        build_time=ctx.build_time,
        build_date=ctx.build_date,
        commit=ctx.commit,
        cards=cards,
    )
    assets["manifest.json"] = assets[f"manifest-{version}.json"] = release.dump_manifest(record)
    notes_md = release.release_notes(
        src.title, record, previous, f"{base}.apkg", ctx.settings.repo_url.split("github.com/")[-1]
    )
    assets["release-notes.md"] = notes_md.encode()
    assets["SHA256SUMS"] = release.sha256sums(assets)
    return assets


def read_previous_manifest(where: str) -> dict[str, Any]:
    """The previous release's manifest.json, from a path or an http(s) URL."""
    import json
    import urllib.request

    mark = Mark(where, 0, 0)  # a whole file (or URL), not a line of the source
    try:
        if where.startswith(("http://", "https://")):
            with urllib.request.urlopen(where, timeout=30) as response:
                text = response.read().decode("utf-8")
        else:
            text = Path(where).read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text)
        absent = [key for key in ("notes", "notetypes", "version") if key not in data]
        if absent:
            raise KeyError(f"no {', '.join(absent)}")
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise BuildError(
            [
                Problem(
                    mark,
                    f"cannot read the previous manifest ({err}); pass the "
                    "manifest.json of the last release, or leave --previous out "
                    "for a first release",
                )
            ]
        ) from None
    return data
