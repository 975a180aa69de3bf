"""Pictures from the source tree's media folder: the only images text may show. Checked at
--check time, copied into the deck under content-hash names, written beside the reference
pages, inlined in the one-file reference and the sheet; never a URL, never another path."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

import pytest
from ankitools import import_apkg, notes_by_id
from conftest import ROOT, T0, build

from prepdeck import cli, sourcetree
from prepdeck.text import media_file_name

BASE = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text(encoding="utf-8")
DECK = (ROOT / "source/deck.yaml").read_text(encoding="utf-8").split("\n# Pairs")[0] + "\n"
# A 1x1 PNG.
DOT = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def tree(tmp_path: Path, answer: str = "See ![a dot](media/dot.png) here.") -> Path:
    src = tmp_path / "src"
    (src / "topics").mkdir(parents=True)
    (src / "media").mkdir()
    (src / "media/dot.png").write_bytes(DOT)
    (src / "deck.yaml").write_text(DECK, encoding="utf-8")
    text = BASE.replace(
        "      Build one artifact and widen exposure step by step.", "      " + answer
    )
    text = text.replace(
        "        a: What you tested is what you ship.",
        '        a: "What you tested ![the dot](media/dot.png) is what you ship."',
    )
    text = text.replace(
        "definition: A small first slice of traffic on the new version.",
        'definition: "A small first slice ![dot](media/dot.png) of traffic."',
    )
    (src / "topics/t.yaml").write_text(text, encoding="utf-8")
    return src


def test_a_media_picture_reaches_every_output(tmp_path: Path, collection: Any) -> None:
    built = build(tree(tmp_path), tmp_path / "out", T0, only=("anki", "md", "pdf"))
    import_apkg(collection, built["decks/devops-interview-prep.apkg"])
    name = media_file_name("dot.png", DOT)
    media = Path(collection.media.dir())
    assert (media / name).read_bytes() == DOT
    back = notes_by_id(collection)["sample-question/why-once"].cards()[0].answer()
    assert f'src="{name}"' in back and "media/" not in back
    page = built["reference/sample.md"].read_text(encoding="utf-8")
    assert "![a dot](media/dot.png)" in page
    assert built["reference/media/dot.png"].read_bytes() == DOT
    from prepdeck.render_markdown import render_reference

    src, _ = sourcetree.read_source(ROOT, tmp_path / "src")
    one_file = render_reference(src, "0.0.0")
    assert "](data:image/png;base64," in one_file and "](media/" not in one_file
    from pypdf import PdfReader

    sheet = PdfReader(io.BytesIO(built["pdf/devops-interview-prep-a4.pdf"].read_bytes()))
    assert sum(len(p.images) for p in sheet.pages) >= 1  # the glossary's picture, inlined


@pytest.mark.parametrize(
    "answer,message",
    [
        ("![x](media/missing.png)", "media/missing.png: no such file"),
        ("![x](media/../deck.yaml)", "put the picture in the source's media/ folder"),
        ("![x](media/drawing.svg)", "put the picture in the source's media/ folder"),
        ("![x](/etc/passwd)", "never fetches a URL or reads a file"),
        ("![x](https://example.com/p.png)", "never fetches a URL"),
    ],
    ids=["missing", "traversal", "svg", "absolute", "remote"],
)
def test_other_pictures_are_refused_with_their_line(
    tmp_path: Path, answer: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tree(tmp_path, answer=answer)
    assert cli.main(["-q", "--source", str(src), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    line = (src / "topics/t.yaml").read_text().splitlines().index("      " + answer) + 1
    assert re.search(rf"topics/t\.yaml:{line}:\d+: .*{re.escape(message)}", err), err
    assert not (tmp_path / "out").exists()


def test_a_media_entry_that_is_not_a_regular_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tree(tmp_path, answer="![x](media/pipe.png)")
    import os

    os.mkfifo(src / "media/pipe.png")
    assert cli.main(["-q", "--source", str(src), "--out", str(tmp_path / "out")]) == 1
    assert "named pipe" in capsys.readouterr().err
