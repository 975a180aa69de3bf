"""Small source trees for tests: shared helpers (not a test module)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from prepdeck import sourcetree
from prepdeck.errors import BuildError


def make_tree(tmp_path: Path, **topics: bytes | str) -> Path:
    src = tmp_path / "src"
    (src / "topics").mkdir(parents=True)
    # The shipped settings without the shipped confusable pairs, which name shipped terms.
    deck = (ROOT / "source/deck.yaml").read_text(encoding="utf-8").split("\n# Pairs")[0]
    (src / "deck.yaml").write_text(deck + "\n", encoding="utf-8")
    for name, content in topics.items():
        path = src / "topics" / f"{name}.yaml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return src


def problems(src: Path, strict: bool = False) -> list[str]:
    with pytest.raises(BuildError) as err:
        sourcetree.read_source(src, src, strict=strict)
    return [str(p) for p in err.value.problems]
