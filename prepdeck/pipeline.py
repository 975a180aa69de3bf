"""The outputs: one registry (`OUTPUTS`) of what a build can make, each a pure function of the
checked model and a `Context` (build time, version, commit), returning file name -> bytes.

``sourcetree`` reads the files; ``builder`` runs the commands over this registry; the writer
(``outputs``) puts the bytes on disk. Heavy libraries are imported only for the outputs being
built, so ``--check`` stays fast.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import model
from .errors import BuildError, Mark, Problem
from .project import Settings
from .render_sheet import Layout
from .sourcetree import LEDGER_FILE, display_path, read_ledger


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
    from .render_sheet import FULL, track_layout

    work = [
        (part, ctx, paper, f"pdf/{slug(src.deck)}{suffix}-{paper}.pdf", layout)
        for suffix, part, title in variants(src, ctx)
        for layout in [track_layout(title) if title else FULL]
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
    job: tuple[model.Source, Context, str, str, Layout],
) -> tuple[bytes, list[Problem]]:
    """One sheet in a worker: its bytes and the warnings it raised."""
    part, ctx, paper, name, layout = job
    local = dataclasses.replace(ctx, warnings=[])
    return sheet_pdf(part, local, paper, name, layout), local.warnings


def sheet_pdf(
    src: model.Source, ctx: Context, paper: str, name: str, layout: Layout, extra: str = ""
) -> bytes:
    """One cheat sheet as PDF bytes: the live items of `src`, with the build's footer.
    Diagrams are printed when they fit the layout's page budget, else left out."""
    from .render_pdf import Rendered, render_pdf_pages
    from .render_sheet import render_sheet

    def sheet(pictures: bool) -> Rendered:
        html = render_sheet(
            src.current(),
            paper=paper,
            version=ctx.settings.version,
            build_date=ctx.build_date,
            commit=ctx.commit,
            url=ctx.settings.repo_url,
            license_name=ctx.settings.license,
            layout=layout,
            extra=extra,
            pictures=pictures,
        )
        return render_pdf_pages(html, name)

    budget = layout.budget
    done = sheet(pictures=False)
    has_pictures = any(q.diagram for q in src.questions) or any(f.diagram for f in src.frameworks)
    if has_pictures and done.pages < budget:  # room left: print the diagrams if they still fit
        with_pictures = sheet(pictures=True)
        if with_pictures.pages <= budget:
            done = with_pictures
    # Layout problems: warnings, errors under --strict (the sheet is still readable).
    messages = [
        f"table {title!r} is {excess} mm wider than its column, so its right side is cut "
        "off; give it fewer columns or merge short ones (a long word never wraps)"
        for title, excess in done.wide_tables
    ]
    if done.pages > budget:
        messages.append(
            f"{done.pages} pages, over the budget of {budget} for "
            "this sheet; give questions a short `title`, trim key points, or "
            "split the content into tracks"
        )
    problems = [Problem(Mark(name, 0, 0), m, warning=not ctx.strict) for m in messages]
    if ctx.strict and problems:
        raise BuildError(problems)
    ctx.warnings.extend(problems)
    return done.data


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


def private_anki(src: model.Source, bank: model.Bank, ctx: Context) -> dict[str, bytes]:
    """The personal deck: your stories and your questions, in their own subdecks."""
    from . import stories
    from .render_anki import render_apkg

    notes = stories.story_notes(bank, src, ctx.settings.reference_url)
    desc = {
        f"{src.deck}::My Stories": "<p>Your own stories, from your story bank. "
        "Private: never part of a release.</p>",
        f"{src.deck}::My Questions": "<p>Your own questions and answers. "
        "Private: never part of a release.</p>",
    }
    return {f"decks/{slug(src.deck)}-my-stories.apkg": render_apkg(notes, desc, ctx.build_time)}


def private_md(src: model.Source, bank: model.Bank, ctx: Context) -> dict[str, bytes]:
    """The whole reference in one file, plus your competency map and questions."""
    from . import stories
    from .render_markdown import render_reference

    text = render_reference(src, ctx.settings.version) + "\n" + stories.map_markdown(bank, src)
    return {"REFERENCE.private.md": text.encode()}


def private_sheets(src: model.Source, bank: model.Bank, ctx: Context) -> dict[str, bytes]:
    """The full sheet with your stories and questions, A4 and Letter."""
    from . import stories
    from .render_sheet import MY_STORIES

    out = {}
    for paper in ("a4", "letter"):
        name = f"pdf/{slug(src.deck)}-my-stories-{paper}.pdf"
        out[name] = sheet_pdf(src, ctx, paper, name, MY_STORIES, stories.map_html(bank))
    return out


Renderer = Callable[[model.Source, Context], dict[str, bytes]]
PrivateRenderer = Callable[[model.Source, model.Bank, Context], dict[str, bytes]]


@dataclass(frozen=True)
class Output:
    """One output group of the build. The command line (--only, --track), the incremental
    cache, the release bundle, the preview and the tests all iterate OUTPUTS; adding an
    output is one entry here plus its renderer."""

    name: str
    render: Renderer
    doc: str
    per_track: bool = False  # also built for one track alone (--track)
    release: Renderer | None = None  # what the release bundle carries (None: not released)
    paged: bool = False  # its PDFs are what --preview renders to PNG pages
    # What it adds for the personal file (--stories): written beside the public files,
    # git-ignored, never released. Cached as its own unit, `NAME-private`.
    private: PrivateRenderer | None = None


OUTPUTS: dict[str, Output] = {
    o.name: o
    for o in (
        Output(
            "anki",
            render_anki,
            "the decks",
            per_track=True,
            release=render_anki,
            private=private_anki,
        ),
        Output(
            "md", render_md, "the reference pages", release=release_reference, private=private_md
        ),
        Output(
            "pdf",
            render_sheets,
            "the sheets",
            per_track=True,
            release=render_sheets,
            private=private_sheets,
            paged=True,
        ),
        Output("schema", render_schema, "the JSON Schemas editors use and the field reference"),
    )
}


def render_private(
    src: model.Source, bank: model.Bank, ctx: Context, only: list[str] | None = None
) -> dict[str, bytes]:
    """Every requested output's private form for a personal file."""
    files: dict[str, bytes] = {}
    for name, output in OUTPUTS.items():
        if output.private is not None and (only is None or name in only):
            files.update(output.private(src, bank, ctx))
    return files


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
                    Mark(display_path(path, root), 0, 0),
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
