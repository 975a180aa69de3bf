"""The cheat sheet, checked through its text, fonts, pages and pixels."""

from __future__ import annotations

import html
import io
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, T0
from pypdf import PdfReader

from prepdeck import model, pipeline, sourcetree
from prepdeck.errors import BuildError
from prepdeck.project import read_settings
from prepdeck.render_pdf import render_pdf
from prepdeck.render_sheet import (
    FULL,
    PAGE_BUDGET,
    TRACK_PAGE_BUDGET,
    render_sheet,
    track_layout,
)
from prepdeck.text import md_inline

MM = 72 / 25.4
SIZES = {"a4": (841.89, 595.28), "letter": (792.0, 612.0)}
PRINTABLE_MARGIN_MM = 6  # what any home printer can print; nothing may be drawn closer to an edge


@pytest.fixture(scope="module")
def pdfs(shipped_files: dict[str, bytes]) -> dict[str, bytes]:
    return {paper: shipped_files[f"pdf/devops-interview-prep-{paper}.pdf"] for paper in SIZES}


@pytest.fixture(scope="module")
def track_pdfs(shipped_files: dict[str, bytes]) -> dict[str, bytes]:
    return {
        name: data
        for name, data in shipped_files.items()
        if name.endswith(".pdf") and not name.endswith(("prep-a4.pdf", "prep-letter.pdf"))
    }


def test_every_track_has_a_sheet_within_budget(
    track_pdfs: dict[str, bytes], shipped: model.Source
) -> None:
    expected = {
        f"pdf/devops-interview-prep-{t.id}-{paper}.pdf" for t in shipped.tracks for paper in SIZES
    }
    assert set(track_pdfs) == expected
    for name, data in track_pdfs.items():
        reader = PdfReader(io.BytesIO(data))
        assert 1 <= len(reader.pages) <= TRACK_PAGE_BUDGET, name
        track = name.split("prep-")[1].rsplit("-", 1)[0]
        title = next(t.title for t in shipped.tracks if t.id == track)
        assert f"{shipped.title} · {title}" in reader.pages[0].extract_text()


def plain(markdown: str) -> str:
    """Source text as it reads on paper, without whitespace (lines wrap anywhere)."""
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", md_inline(markdown))))


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_page_size_and_budget(pdfs: dict[str, bytes], paper: str) -> None:
    reader = PdfReader(io.BytesIO(pdfs[paper]))
    assert 1 <= len(reader.pages) <= PAGE_BUDGET
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(w, 1), round(h, 1)) == tuple(round(v, 1) for v in SIZES[paper])


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_every_outline_is_on_the_sheet(
    pdfs: dict[str, bytes], shipped: model.Source, paper: str
) -> None:
    reader = PdfReader(io.BytesIO(pdfs[paper]))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    missing = []
    shipped = shipped.current()
    outlines = [(q.title or q.prompt, q.framework) for q in shipped.questions]
    outlines += [(f.name, f.steps) for f in shipped.frameworks]
    for title, points in outlines:
        missing += [s for s in (title, *(p.point for p in points)) if plain(s) not in text]
    missing += [s.spine for s in shipped.stars if plain(s.spine) not in text]
    missing += [t.term for t in shipped.terms if plain(t.term) not in text]
    missing += [t.title for t in shipped.topics if plain(t.title) not in text]
    assert missing == []
    assert "43.2min" in text  # the computed availability table
    first = reader.pages[0].extract_text()
    last = reader.pages[-1].extract_text()
    version = read_settings(ROOT).version
    assert shipped.title in first and f"Content version {version}" in first
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in last
    for part in (
        f"v{version}",
        "built 2025-10-09",
        "commit abc1234",
        "MIT",
        read_settings(ROOT).repo_url,
    ):
        assert part in last


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_fonts_are_the_shipped_ones_and_embedded(pdfs: dict[str, bytes], paper: str) -> None:
    reader = PdfReader(io.BytesIO(pdfs[paper]))
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():  # type: ignore[index]
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (
                f"{font['/BaseFont']} is not embedded"
            )
            seen.add(str(font["/BaseFont"]).split("+", 1)[-1])
    assert seen and all(name.startswith("DejaVu") for name in seen), seen


def text_runs(data: bytes) -> list[list[tuple[str, float, float, float, bool]]]:
    """Per page: (text, x pt, y-from-top pt, size pt, bold) of every text run."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        runs: list[tuple[str, float, float, float, bool]] = []

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: Any,
            size: float,
            runs: list[tuple[str, float, float, float, bool]] = runs,
        ) -> None:
            if text.strip():
                scale = abs(cm[0]) * abs(tm[0])
                runs.append(
                    (
                        text,
                        cm[0] * tm[4] + cm[4],
                        abs(cm[3]) * tm[5],
                        size * scale,
                        "Bold" in str(font.get("/BaseFont", "")) if font else False,
                    )
                )

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_text_smaller_than_7_5_pt(pdfs: dict[str, bytes], paper: str) -> None:
    sizes = {round(size, 2) for page in text_runs(pdfs[paper]) for _, _, _, size, _ in page}
    assert sizes and min(sizes) >= 7.5, sorted(sizes)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_nothing_drawn_outside_the_printable_area(pdfs: dict[str, bytes], paper: str) -> None:
    import pypdfium2
    from PIL import ImageOps

    doc = pypdfium2.PdfDocument(pdfs[paper])
    dpi = 72
    try:
        for index in range(len(doc)):
            image = doc[index].render(scale=dpi / 72).to_pil().convert("L")
            box = ImageOps.invert(image).point(lambda v: 255 if v > 8 else 0).getbbox()
            assert box is not None, f"page {index + 1} is blank"
            edge = PRINTABLE_MARGIN_MM * MM * dpi / 72
            left, top, right, bottom = box
            assert left >= edge and top >= edge, (paper, index + 1, box)
            assert image.width - right >= edge and image.height - bottom >= edge, (
                paper,
                index + 1,
                box,
                image.size,
            )
    finally:
        doc.close()


_LAYOUTS: dict[str, Any] = {}  # paper -> the shipped full sheet laid out (rendered once)


def layout(shipped: model.Source, paper: str) -> Any:
    if paper not in _LAYOUTS:
        _LAYOUTS[paper] = _layout(shipped, paper)
    return _LAYOUTS[paper]


def _layout(shipped: model.Source, paper: str) -> Any:
    import weasyprint

    assets = str(resources.files("prepdeck").joinpath("assets")) + "/"
    # The full sheet as shipped: its diagrams do not fit the 8-page budget, so the build
    # prints it without them (test_full_sheet_leaves_out_the_diagrams_to_fit checks that).
    sheet = render_sheet(
        shipped.current(),
        paper=paper,
        version="0.0.0",
        build_date="2025-10-09",
        commit="abc1234",
        url="https://example.invalid",
        license_name="MIT",
        pictures=False,
    )
    return weasyprint.HTML(string=sheet, base_url=assets).render(
        stylesheets=[weasyprint.CSS(filename=assets + "sheet.css")]
    )


def split_words_in_tables(doc: Any) -> list[str]:
    """Words of a table cell broken across two lines ("Availabi" / "lity")."""
    from weasyprint.formatting_structure import boxes

    broken = []
    for page in doc.pages:
        for box in page._page_box.descendants():
            if not isinstance(box, boxes.TableCellBox):
                continue
            words = set(
                (
                    box.element.text_content()
                    if hasattr(box.element, "text_content")
                    else "".join(box.element.itertext())
                ).split()
            )
            for line in box.descendants():
                if not isinstance(line, boxes.LineBox):
                    continue
                text = "".join(t.text for t in line.descendants() if isinstance(t, boxes.TextBox))
                broken += [w for w in text.split() if w not in words]
    return broken


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_word_is_split_in_a_table_cell(shipped: model.Source, paper: str) -> None:
    assert split_words_in_tables(layout(shipped, paper)) == []


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_table_is_wider_than_its_column(shipped: model.Source, paper: str) -> None:
    from prepdeck.render_pdf import wide_tables

    assert wide_tables(layout(shipped, paper)) == ()


def test_a_table_too_wide_for_its_column_is_reported(tmp_path: Path) -> None:
    """Four columns of words that cannot wrap in a narrow item: the build names the table
    and says by how much it overflows (a warning; an error under --strict)."""
    import dataclasses

    from prepdeck.errors import BuildError

    src, _ = sourcetree.read_source(ROOT, ROOT / "tests/fixtures/trees/every-field")
    wide = dataclasses.replace(
        src.tables[0],
        columns=("CreateContainerConfigError", "ImagePullBackOff", "FailedScheduling", "x"),
        rows=(("CrashLoopBackOff", "OOMKilled", "ContainerCreating", "y"),),
    )
    src = dataclasses.replace(src, tables=(wide, *src.tables[1:]))
    ctx = pipeline.Context(read_settings(ROOT), T0, "abc1234")
    pipeline.sheet_pdf(src, ctx, "a4", "pdf/x-a4.pdf", FULL)
    (warning,) = ctx.warnings
    assert str(warning).startswith("pdf/x-a4.pdf: warning: table 'Strategies' is ")
    assert "mm wider than its column" in str(warning)
    strict = dataclasses.replace(ctx, strict=True, warnings=[])
    with pytest.raises(BuildError, match="wider than its column"):
        pipeline.sheet_pdf(src, strict, "a4", "pdf/x-a4.pdf", FULL)


def test_split_word_detector_sees_a_split_word() -> None:
    import weasyprint

    narrow = (
        '<table style="width: 8mm"><tr><td style="overflow-wrap: anywhere">'
        "Availability</td></tr></table>"
    )
    assert split_words_in_tables(weasyprint.HTML(string=narrow).render()) != []


def orphaned_titles(doc: Any) -> list[str]:
    """Titles (topic headings, item titles) whose next content is in another column or page."""
    placed: list[tuple[Any, int, int]] = []  # (element, page, column) in document order
    seen: set[int] = set()
    for number, page in enumerate(doc.pages):
        box = page._page_box
        content_x = box.content_box_x()
        pitch = (box.width + 4 * 96 / 25.4) / 4  # four columns, 4 mm gaps
        for child in box.descendants():
            element = getattr(child, "element", None)
            if element is None or id(element) in seen or not hasattr(child, "position_x"):
                continue
            seen.add(id(element))
            placed.append((element, number, int((child.position_x - content_x) // pitch)))
    orphans = []
    for i, (element, page, column) in enumerate(placed):
        if element.get("class") not in ("topic-head", "q"):
            continue
        inside = set(map(id, element.iter()))
        following = next((p for p in placed[i + 1 :] if id(p[0]) not in inside), None)
        if following is None or (following[1], following[2]) != (page, column):
            orphans.append("".join(element.itertext()))
    return orphans


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_orphaned_titles(shipped: model.Source, paper: str) -> None:
    """A topic heading or item title is never the last thing in a column or on a page."""
    doc = layout(shipped, paper)
    assert sum(1 for _ in doc.pages) <= PAGE_BUDGET
    assert orphaned_titles(doc) == []


def test_orphan_detector_sees_a_forced_orphan() -> None:
    import weasyprint

    forced = (
        "<style>@page{size:A4 landscape;margin:10mm}"
        "main{column-count:4;column-gap:4mm;column-fill:auto}</style><main>"
        '<div class="item"><p class="q">Kept title</p><ol><li>x</li></ol></div>'
        '<div class="item"><p class="q">Orphan title</p>'
        '<ol style="break-before: column"><li>y</li></ol></div></main>'
    )
    assert orphaned_titles(weasyprint.HTML(string=forced).render()) == ["Orphan title"]


def test_weasyprint_warnings_fail_the_build() -> None:
    broken = '<html><body><img src="missing-image.png"><p>x</p></body></html>'
    with pytest.raises(BuildError) as err:
        render_pdf(broken, "pdf/x.pdf")
    assert str(err.value.problems[0]).startswith("pdf/x.pdf: WeasyPrint: ")


def test_parallel_sheets_are_byte_identical(tmp_path: Path) -> None:
    """--jobs 2 renders the sheets in two processes; every byte matches --jobs 1, across
    separate processes with different hash seeds."""
    import os
    import subprocess
    import sys

    outs = []
    for jobs, seed in (("1", "1"), ("2", "2")):
        out = tmp_path / f"out{jobs}"
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(T0), "PYTHONHASHSEED": seed}
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "build.py"),
                "-q",
                "--only",
                "pdf",
                "--track",
                "release",
                "--jobs",
                jobs,
                "--source",
                str(ROOT / "tests/fixtures/trees/small"),
                "--out",
                str(out),
            ],
            check=True,
            env=env,
            timeout=600,
        )
        outs.append({p.name: p.read_bytes() for p in (out / "pdf").glob("*.pdf")})
    assert len(outs[0]) == 2 and outs[0] == outs[1]


def test_diagrams_are_printed_only_where_the_budget_has_room(
    pdfs: dict[str, bytes], track_pdfs: dict[str, bytes], shipped: model.Source
) -> None:
    """The full sheet fills its 8 pages without diagrams, so it prints none; the release
    track's sheet has room and prints them (its page content is the larger for it)."""
    from prepdeck.render_pdf import render_pdf_pages

    assert len(PdfReader(io.BytesIO(pdfs["a4"])).pages) == PAGE_BUDGET
    release = shipped.for_track("release").current()
    bare = render_sheet(
        release,
        paper="a4",
        version="0.0.0",
        build_date="2025-10-09",
        commit="abc1234",
        url="https://example.invalid",
        license_name="MIT",
        layout=track_layout("release"),
        pictures=False,
    )
    data = render_pdf_pages(bare, "pdf/x.pdf").data
    shipped_release = PdfReader(io.BytesIO(track_pdfs["pdf/devops-interview-prep-release-a4.pdf"]))
    assert len(shipped_release.pages) <= TRACK_PAGE_BUDGET

    def drawn(reader: PdfReader) -> int:
        streams = [p.get_contents() for p in reader.pages]
        return sum(len(c.get_data()) for c in streams if c is not None)

    assert drawn(shipped_release) > drawn(PdfReader(io.BytesIO(data))) + 10_000


def test_any_sheet_over_budget_is_a_warning_or_a_strict_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only the shipped content: a track's sheet of a big source tree says how many pages
    it takes and what the budget is (a warning; an error with --strict)."""
    import dataclasses

    from prepdeck.errors import BuildError

    src, _ = sourcetree.read_source(ROOT, ROOT / "source")
    big = src.for_track("release")
    many = tuple(
        dataclasses.replace(q, id=f"{q.id}-{n}", title=f"{q.title} {n}")
        for n in range(3)
        for q in big.questions
    )
    big = dataclasses.replace(big, questions=many)
    ctx = pipeline.Context(read_settings(ROOT), T0, "abc1234")
    pipeline.sheet_pdf(big, ctx, "a4", "pdf/big-release-a4.pdf", track_layout("release"))
    (warning,) = ctx.warnings
    assert warning.warning and str(warning).startswith("pdf/big-release-a4.pdf: warning: ")
    assert "pages, over the budget of 4 for this sheet" in str(warning)
    # Under --strict the same count is an error (the page count is stubbed: no second render).
    from prepdeck import render_pdf as pdf_module

    monkeypatch.setattr(
        pdf_module, "render_pdf_pages", lambda html, name: pdf_module.Rendered(b"%PDF", 9)
    )
    strict = dataclasses.replace(ctx, strict=True, warnings=[])
    with pytest.raises(BuildError, match="9 pages, over the budget of 4"):
        pipeline.sheet_pdf(big, strict, "a4", "pdf/big-release-a4.pdf", track_layout("Release"))
