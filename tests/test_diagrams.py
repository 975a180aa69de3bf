"""Diagrams: drawn from text, safe, reproducible, readable on a phone in light and dark, and
everywhere their item is (card back as content-addressed media, reference files, the sheet)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ankitools import import_apkg
from conftest import ROOT, T0, build

from prepdeck import cli, diagrams, model, sourcetree
from prepdeck.diagrams import PALETTES, contrast, draw

BASE = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text(encoding="utf-8")
DECK = (ROOT / "source/deck.yaml").read_text(encoding="utf-8").split("\n# Pairs")[0] + "\n"
GRAPH = """    diagram:
      alt: Git holds the desired state; the controller pulls it and applies the difference.
      dot: |
        digraph {
          git [label="Git (desired)"]
          ctrl [label="Controller"]
          live [label="Cluster (live)"]
          git -> ctrl [label="pull"]
          ctrl -> live [label="apply diff"]
        }
"""
CHART = """    diagram:
      alt: Canary traffic rises in steps from 1% to 100% over 50 minutes.
      chart:
        type: step
        x: [0, 10, 20, 30, 40, 50]
        x_label: minutes
        y_label: "% of traffic"
        series:
          - label: canary
            values: [1, 5, 25, 50, 100, 100]
        lines:
          - {y: 50, label: half}
"""


def tree(tmp_path: Path, graph: str = GRAPH, chart: str = CHART) -> Path:
    src = tmp_path / "src"
    (src / "topics").mkdir(parents=True)
    (src / "deck.yaml").write_text(DECK, encoding="utf-8")
    text = BASE.replace(
        "    related: [sample-framework]\nframeworks:",
        "    related: [sample-framework]\n" + graph + "frameworks:",
    )
    text = text.replace(
        "    definition: A small first slice of traffic on the new version.\n",
        "    definition: A small first slice of traffic on the new version.\n" + chart,
    )
    (src / "topics/t.yaml").write_text(text, encoding="utf-8")
    return src


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("diagrams")
    return build(tree(tmp), tmp / "out", T0, only=("anki", "md", "pdf"))


def test_cards_carry_both_variants_as_content_addressed_media(
    built: dict[str, Path], collection: Any
) -> None:
    log = import_apkg(collection, built["decks/devops-interview-prep.apkg"])
    assert not log.conflicting
    media = Path(collection.media.dir())
    names = sorted(p.name for p in media.iterdir())
    assert len(names) == 4 and all(re.fullmatch(r"pd-[0-9a-f]{16}\.svg", n) for n in names)
    for name in names:  # the name is the content's hash: an edit is a new file
        import hashlib

        assert name == f"pd-{hashlib.sha256((media / name).read_bytes()).hexdigest()[:16]}.svg"
    from ankitools import notes_by_id

    notes = notes_by_id(collection)
    card = notes["sample-question"].cards()[0]
    back, front = card.answer(), card.question()
    shown = re.findall(r'src="(pd-[0-9a-f]+\.svg)"', back)
    assert len(set(shown)) == 2 and set(shown) <= set(names)
    assert 'class="pd-tail"' in back and "pd-diagram" in back
    # On the front the picture is in the DOM only inside the hidden head copy of Extra.
    assert 'class="pd-tail"' not in front
    assert "Git (desired)" not in back  # text is drawn as glyphs, not left to phone fonts


def test_an_edited_diagram_reaches_users(tmp_path: Path, collection: Any) -> None:
    first = build(tree(tmp_path / "a"), tmp_path / "out1", T0)
    edited = tree(tmp_path / "b", graph=GRAPH.replace("apply diff", "apply changes"))
    second = build(edited, tmp_path / "out2", T0 + 60)
    import_apkg(collection, first["decks/devops-interview-prep.apkg"])
    log = import_apkg(collection, second["decks/devops-interview-prep.apkg"])
    assert not log.conflicting
    from ankitools import notes_by_id

    back = notes_by_id(collection)["sample-question"].cards()[0].answer()
    names = re.findall(r'src="(pd-[0-9a-f]+\.svg)"', back)
    media = Path(collection.media.dir())
    assert all((media / n).is_file() for n in names)
    assert len(list(media.iterdir())) == 6  # the old pair stays until Check Media removes it


def test_reference_pages_link_committed_image_files(built: dict[str, Path]) -> None:
    page = built["reference/sample.md"].read_text(encoding="utf-8")
    assert (
        '<picture><source media="(prefers-color-scheme: dark)" '
        'srcset="diagrams/sample-question-dark.svg">' in page
    )
    assert (
        built["reference/diagrams/sample-question.svg"].read_bytes()
        == draw("graph", _dot_of(GRAPH)).light
    )
    glossary = built["reference/glossary.md"].read_text(encoding="utf-8")
    assert "diagrams/sample-term.svg" in glossary


def _dot_of(block: str) -> str:
    lines = block.split("      dot: |\n", 1)[1].splitlines()
    return "\n".join(line[8:] for line in lines).strip()


def test_the_sheet_prints_the_diagrams(tmp_path: Path) -> None:
    """The question's and framework's pictures are drawn under their outlines (the term's
    is not: the glossary stays dense), and dropped again only to keep a sheet in budget."""
    from pypdf import PdfReader

    from prepdeck.project import read_settings
    from prepdeck.render_pdf import render_pdf_pages
    from prepdeck.render_sheet import render_sheet

    src, _ = sourcetree.read_source(ROOT, tree(tmp_path))
    html = {
        flag: render_sheet(
            src,
            paper="a4",
            version="0.0.0",
            build_date="2025-10-09",
            commit="abc1234",
            url="https://example.invalid",
            license_name="MIT",
            pictures=flag,
        )
        for flag in (True, False)
    }
    assert html[True].count('<img class="diagram"') == 1
    assert '<img class="diagram"' not in html[False]
    sizes = {}
    for flag, doc in html.items():
        data = render_pdf_pages(doc, "pdf/x.pdf").data
        contents = PdfReader(io.BytesIO(data)).pages[0].get_contents()
        assert contents is not None
        sizes[flag] = len(contents.get_data())
    assert sizes[True] > sizes[False] + 1000  # the graph's vector paths
    del read_settings


def test_same_source_same_bytes_in_a_fresh_process(tmp_path: Path) -> None:
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); from prepdeck.diagrams import "
        "draw; d = draw(sys.argv[2], sys.argv[3]); sys.stdout.buffer.write(d.light + d.dark)"
    )
    spec = json.dumps(
        {
            "type": "line",
            "x": [1.0, 2.0, 3.0],
            "series": [{"label": "a", "values": [1.0, 4.0, 9.0]}],
            "lines": [],
        },
        sort_keys=True,
    )
    for kind, source in (("graph", _dot_of(GRAPH)), ("chart", spec)):
        runs = [
            subprocess.run(
                [sys.executable, "-c", code, str(ROOT), kind, source],
                capture_output=True,
                check=True,
                timeout=120,
                env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            ).stdout
            for seed in ("1", "2")
        ]
        assert runs[0] == runs[1] and runs[0]
        assert b"<!--" not in runs[0] and b"Date" not in runs[0]


@pytest.mark.parametrize("variant", ["light", "dark"])
def test_palette_contrast_on_every_background(variant: str) -> None:
    """Lines and text keep >= 3:1 against the card, and text >= 4.5:1 inside nodes."""
    p = PALETTES[variant]
    backgrounds = {"light": ["#ffffff", "#f6f8fa"], "dark": ["#2c2c2c", "#000000", "#0d1117"]}[
        variant
    ]
    for bg in backgrounds:
        for colour in (p.line, p.text, p.accent):
            assert contrast(colour, bg) >= 3, (variant, colour, bg)
    assert contrast(p.text, p.fill) >= 4.5


def test_drawings_use_only_the_palette() -> None:
    spec = json.dumps(
        {
            "type": "step",
            "x": [0.0, 1.0],
            "series": [{"label": "a", "values": [1.0, 2.0]}],
            "lines": [{"y": 1.5, "label": "t"}],
        },
        sort_keys=True,
    )
    for kind, source in (("graph", _dot_of(GRAPH)), ("chart", spec)):
        drawing = draw(kind, source)
        for variant, svg in (("light", drawing.light), ("dark", drawing.dark)):
            p = PALETTES[variant]
            allowed = {c.lower() for c in (p.text, p.line, p.fill, p.accent)}
            used = {c.decode().lower() for c in re.findall(rb"#[0-9a-fA-F]{6}\b", svg)}
            used |= {_rgb(m) for m in re.findall(rb"rgb\(([^)]*)\)", svg)}
            assert used <= allowed, (kind, variant, used - allowed)


def _rgb(match: bytes) -> str:
    parts = [float(v.strip(b"%")) for v in match.split(b",")]
    scale = 2.55 if b"%" in match else 1
    return "#" + "".join(f"{round(v * scale):02x}" for v in parts)


def test_text_stays_legible_at_360_px() -> None:
    """The smallest text of a drawing scaled to a phone's card width is at least 11 px; a
    drawing too wide for that is refused with a message that says how to fix it."""
    small = draw("graph", _dot_of(GRAPH))
    assert (
        diagrams.GRAPH_FONT_PT * 4 / 3 * min(1, diagrams.CARD_WIDTH_PX / small.width_px)
        >= diagrams.MIN_TEXT_PX
    )
    wide = (
        "digraph { rankdir=LR; "
        + " -> ".join(f"n{i}" for i in range(8))
        + "; "
        + " ".join(f'n{i} [label="stage {i}"]' for i in range(8))
        + " }"
    )
    with pytest.raises(diagrams.DiagramError, match="rankdir=TB"):
        draw("graph", wide)


HOSTILE = [
    ('image="/etc/passwd"', "image"),
    ('shapefile="/etc/passwd"', "shapefile"),
    ('fontpath="/tmp"', "fontpath"),
    ('imagepath="/"', "imagepath"),
    ('URL="http://127.0.0.1:9/"', "URL"),
    ('href="javascript:alert(1)"', "href"),
    ('color="#000000"', "color"),
    ('fontname="Comic Sans"', "fontname"),
    ('label=<<IMG SRC="/etc/passwd"/>>', "HTML-like"),
    ('stylesheet="http://example.com/x.css"', "stylesheet"),
]


@pytest.mark.parametrize("attr,word", HOSTILE, ids=[w for _, w in HOSTILE])
def test_dot_that_could_read_files_or_urls_is_refused(
    tmp_path: Path, attr: str, word: str, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = GRAPH.replace('ctrl [label="Controller"]', f"ctrl [{attr}]")
    src = tree(tmp_path, graph=graph)
    status = cli.main(["-q", "--source", str(src), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    line = (src / "topics/t.yaml").read_text().splitlines().index(f"          ctrl [{attr}]") + 1
    assert re.search(rf"topics/t\.yaml:{line}:\d+: questions\[0\]\.diagram\.dot: .*{word}", err), (
        err
    )
    assert not (tmp_path / "out").exists()


def test_graphviz_errors_point_at_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tree(tmp_path, graph=GRAPH.replace('git -> ctrl [label="pull"]', "git -> -> ctrl"))
    assert cli.main(["-q", "--source", str(src), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "cannot draw it: Graphviz" in err and "topics/t.yaml:" in err


def test_chart_series_must_match_x(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tree(tmp_path, chart=CHART.replace("[1, 5, 25, 50, 100, 100]", "[1, 5]"))
    assert cli.main(["-q", "--source", str(src), "--out", str(tmp_path / "out")]) == 1
    assert "one value per x value (6)" in capsys.readouterr().err


def test_shipped_content_has_enough_diagrams(shipped: model.Source) -> None:
    diagrams_found: list[model.Diagram | None] = [
        *(q.diagram for q in shipped.questions),
        *(f.diagram for f in shipped.frameworks),
        *(t.diagram for t in shipped.terms),
        *(c.diagram for q in shipped.questions for c in q.cards),
        *(c.diagram for f in shipped.frameworks for c in f.cards),
    ]
    with_pictures = [d for d in diagrams_found if d is not None]
    assert len(with_pictures) >= 12
    kinds = {d.kind for d in with_pictures}
    assert kinds == {"graph", "chart"}


def test_shipped_diagram_cards_read_on_a_phone(shipped_apkg: Path) -> None:
    """Every card back with a picture, at 360 px in light and dark: no overflow, and the
    picture actually loaded (its rendered height is not zero)."""
    from browser import measure

    from prepdeck.gallery import render_cards

    cards = [c for c in render_cards(shipped_apkg.read_bytes()) if "pd-diagram" in c.answer]
    assert cards
    sides = [(f"{c.note_id} {c.ord}", c.answer, c.css, c.ord) for c in cards]
    for night in (False, True):
        results = [r for r in measure(sides, night=night) if r["id"] != "__page__"]
        assert [r["id"] for r in results if r["overflow"] > 0] == []
        assert [r["id"] for r in results if r["blocked"]] == []


def test_a_bad_chart_value_is_a_problem_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tree(tmp_path, chart=CHART.replace("x: [0, 10, 20", 'x: ["0\\nminutes", 10, 20'))
    assert cli.main(["-q", "--source", str(src), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "line break" in err and "Traceback" not in err


def test_drawing_cache_is_keyed_checked_and_optional(tmp_path: Path) -> None:
    """Drawings are cached on disk by source, palette and tool versions; a damaged entry is
    drawn again; PREPDECK_CACHE=off writes nothing. The bytes never depend on the cache."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from prepdeck.diagrams import draw; "
        "d = draw('graph', sys.argv[2]); sys.stdout.buffer.write(d.light + d.dark)"
    )

    def drawn(cache: str) -> bytes:
        env = {"PATH": "/usr/bin:/bin", "PREPDECK_CACHE": cache, "HOME": str(tmp_path)}
        return subprocess.run(
            [sys.executable, "-c", code, str(ROOT), _dot_of(GRAPH)],
            capture_output=True,
            check=True,
            timeout=120,
            env=env,
        ).stdout

    cache = tmp_path / "cache"
    first = drawn(str(cache))
    entries = sorted(cache.iterdir())
    assert [p.suffix for p in entries] == [".svg", ".svg"]
    assert drawn(str(cache)) == first
    entries[0].write_bytes(entries[0].read_bytes()[:100])  # a half-written file
    assert drawn(str(cache)) == first
    assert entries[0].read_bytes().rstrip().endswith(b"</svg>")
    assert drawn("off") == first
    assert not (tmp_path / ".cache").exists()
