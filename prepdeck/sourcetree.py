"""The source tree on disk: finding, reading and validating its files.

The one module that reads what a contributor or user wrote: deck.yaml and topics/*.yaml (the
public source), media/, ledger.json, the personal story file, and a previous release's
manifest. Everything it returns is checked; every problem is a `BuildError` with its file and
line. The renderers (``pipeline``) never touch a file.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
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
LEDGER_FILE = "ledger.json"


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
        name = display_path(path, root)
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
                Mark(display_path(deck_path, root), 1, 1),
                "missing; create it with title, deck and tracks",
            )
        )
    if not topic_paths:
        problems.append(
            Problem(
                Mark(display_path(source_dir / TOPIC_DIR, root), 1, 1),
                "no topic files (*.yaml) found; add at least one",
            )
        )
    loaded = [x for x in (load(p) for p in topic_paths) if x]

    def media(name: str) -> bytes | str:
        """A picture of the media folder: a regular file inside the tree, at most 2 MB."""
        path = source_dir / MEDIA_DIR / name
        if not (path.exists() or path.is_symlink()):
            return f"no such file in {display_path(source_dir / MEDIA_DIR, root)}/"
        data, found = read_bytes(path, display_path(path, root), source_dir, max_bytes=2_000_000)
        return data if data is not None else found[0].message

    src, found = validate(
        deck, loaded, run_lint=not any(not p.warning for p in problems), media=media
    )
    problems.extend(found)
    errors = [p for p in problems if strict or not p.warning]
    if errors or src is None:
        raise BuildError(problems)
    return src, problems


def read_ledger(root: Path, source_dir: Path) -> tuple[Any, str, str]:
    """(the parsed ledger or None when there is none, its text, its display name); raises
    BuildError when the file is unreadable, not UTF-8 or malformed."""
    from . import ledger
    from .load import decode

    path = source_dir / LEDGER_FILE
    name = display_path(path, root)
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


def display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_stories(
    root: Path, path: Path, src: model.Source, *, strict: bool = False
) -> tuple[Any, list[Problem]]:
    """The user's story bank, checked against the public source; raises on errors."""
    from .stories import validate_stories

    name = display_path(path, root)
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
