"""Skip outputs whose inputs have not changed since the last build.

An output group (a target: anki, md, pdf, ...) is fingerprinted from everything it depends on:
the source files (and the personal file, for the private outputs only), the prepdeck code and
assets, the versions of the libraries and tools that draw the outputs, and the settings a
renderer reads (version, repository URL, license, build time, commit, track, flags). The cache
(decks/.build-cache.json, an output directory git ignores) records each target's fingerprint
and the hashes of the files it wrote; a target is skipped only when the fingerprint matches and
every file is still there, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

CACHE = "decks/.build-cache.json"
_CODE = Path(__file__).resolve().parent


def _digest(paths: list[Path], extra: list[str]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(str(path.name).encode() + b"\0" + path.read_bytes() + b"\0")
    for item in extra:
        h.update(item.encode() + b"\0")
    return h.hexdigest()


LIBRARIES = ("genanki", "markdown-it-py", "weasyprint", "pyyaml", "matplotlib", "fonttools")


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """The versions of what renders the outputs: an upgrade may change the bytes."""
    from importlib import metadata

    found = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    from .diagrams import graphviz_version

    found["graphviz"] = graphviz_version()
    return found


def fingerprint(target: str, source_files: list[Path], settings: dict[str, Any]) -> str:
    """`settings`: version, URL, license, build time, commit, track, ... anything a renderer
    reads; the code, assets and library versions are added here."""
    code = sorted(p for p in _CODE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return _digest(
        [*source_files, *code],
        [
            target,
            json.dumps({**settings, "libraries": library_versions()}, sort_keys=True, default=str),
        ],
    )


def load(out: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((out / CACHE).read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return {}


def fresh(cache: dict[str, Any], out: Path, target: str, fp: str) -> bool:
    """True when `target` was last built from these inputs and its files are intact."""
    entry = cache.get(target)
    if not entry or entry.get("fingerprint") != fp or not entry.get("files"):
        return False
    for name, digest in entry["files"].items():
        path = out / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return False
    return True


def record(cache: dict[str, Any], target: str, fp: str, files: dict[str, bytes]) -> None:
    cache[target] = {
        "fingerprint": fp,
        "files": {n: hashlib.sha256(d).hexdigest() for n, d in files.items()},
    }


def dump(cache: dict[str, Any]) -> bytes:
    return (json.dumps(cache, indent=1, sort_keys=True) + "\n").encode()
