"""Diagrams written as text in the source: graphs in Graphviz DOT, charts as a small spec.

Graphviz (`dot`) lays out graphs; matplotlib draws charts. Both produce SVG in two variants,
one for light and one for dark backgrounds, from one palette, so every line and label keeps at
least 3:1 contrast against the card, the reference page and the printed sheet.

Safety: DOT can name files and URLs (`image`, `shapefile`, `fontpath`, `imagepath`, `URL`,
HTML-like labels with `<IMG>`...). Only an allow-list of layout attributes is accepted, with
quoted or plain values; colours and fonts come from the palette, never from the source.

Phones: a card is about 328 px wide inside a 360 px screen. A drawing wider than that is
scaled down, and its smallest text with it; `check_width` refuses a drawing whose smallest text
would fall under 11 px at that width.

Reproducible and font-independent: both draw text as glyph outlines (Graphviz through its cairo
renderer, measuring with the fonts shipped in `assets/fonts`; matplotlib with its own DejaVu
Sans and a fixed hash salt), so a phone without those fonts shows exactly the laid-out picture;
no timestamps or version comments.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

RENDERER = "prepdeck-diagrams-1"  # bump when the look changes: every cached drawing redraws
CARD_WIDTH_PX = 328  # a 360 px phone minus the card's margins
MIN_TEXT_PX = 11
GRAPH_FONT_PT = 12  # the smallest font Graphviz draws (edge labels); nodes use 13
CHART_FONT_PT = 10
CHART_SIZE_IN = (3.9, 2.6)
MAX_DOT_CHARS = 6_000


@dataclass(frozen=True)
class Palette:
    text: str
    line: str
    fill: str
    accent: str
    background: str  # what the drawing sits on (for the contrast check); it stays transparent


PALETTES = {
    "light": Palette(
        text="#1b1f24", line="#57606a", fill="#eef3fb", accent="#2b5fad", background="#ffffff"
    ),
    "dark": Palette(
        text="#e6edf3", line="#9da7b3", fill="#1f2a3a", accent="#7ea6e8", background="#2c2c2c"
    ),
}

# Graph, node and edge attributes a diagram may set. Everything else is refused: colours and
# fonts come from the palette, and many other attributes read files or carry URLs.
ALLOWED = frozenset(
    (
        "label",
        "xlabel",
        "headlabel",
        "taillabel",
        "shape",
        "style",
        "rankdir",
        "rank",
        "dir",
        "arrowhead",
        "arrowtail",
        "arrowsize",
        "constraint",
        "splines",
        "nodesep",
        "ranksep",
        "penwidth",
        "width",
        "height",
        "margin",
        "labelloc",
        "labeljust",
        "compound",
        "lhead",
        "ltail",
        "group",
        "ordering",
        "newrank",
        "concentrate",
        "fixedsize",
        "peripheries",
        "weight",
        "minlen",
    )
)
_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*")|(?P<html><)|(?P<comment>//[^\n]*|/\*.*?\*/|#[^\n]*)'
    r"|(?P<id>[A-Za-z_\x80-\uffff][\w\x80-\uffff]*|-?(?:\.\d+|\d+(?:\.\d*)?))"
    r"|(?P<punct>[=\[\]{};,:]|->|--)|(?P<space>\s+)|(?P<other>.)",
    re.S,
)


@dataclass(frozen=True)
class DotIssue:
    line: int  # 1-based, within the DOT text
    col: int
    message: str


def check_dot(text: str) -> list[DotIssue]:
    """Every attribute outside the allow-list and every HTML-like label, with its place."""
    if len(text) > MAX_DOT_CHARS:
        return [
            DotIssue(
                1,
                1,
                f"{len(text):,} characters; a diagram that big will not fit a "
                f"phone (limit {MAX_DOT_CHARS:,})",
            )
        ]
    issues: list[DotIssue] = []
    tokens = [
        (m.lastgroup, m.group(), m.start())
        for m in _TOKEN.finditer(text)
        if m.lastgroup not in ("space", "comment")
    ]

    def at(offset: int) -> tuple[int, int]:
        line = text.count("\n", 0, offset) + 1
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    depth = 0  # inside an HTML-like label: reported once, its contents skipped
    for i, (kind, value, offset) in enumerate(tokens):
        if depth:
            depth += (kind == "html") - (value == ">")
            continue
        if kind == "html":
            issues.append(
                DotIssue(
                    *at(offset),
                    "HTML-like labels (<...>) are not allowed: "
                    'they can load images; use a quoted "label"',
                )
            )
            depth = 1
        elif kind == "other":
            issues.append(DotIssue(*at(offset), f"unexpected character {value!r}"))
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if kind in ("id", "string") and nxt is not None and nxt[1] == "=":
            name = value.strip('"')
            if name not in ALLOWED:
                issues.append(
                    DotIssue(
                        *at(offset),
                        f"attribute {name!r} is not allowed in a "
                        "diagram (colours and fonts come from the theme; files "
                        f"and URLs are never read); allowed: "
                        f"{', '.join(sorted(ALLOWED))}",
                    )
                )
    return issues


@dataclass(frozen=True)
class Drawing:
    """One diagram drawn in both variants."""

    light: bytes
    dark: bytes
    width_px: float

    def name(self, variant: str) -> str:
        """Content-addressed media name: an edited picture gets a new name, so it reaches
        users on the next import instead of being skipped as an existing file."""
        data = self.light if variant == "light" else self.dark
        return f"pd-{hashlib.sha256(data).hexdigest()[:16]}.svg"


class DiagramError(Exception):
    """A diagram that cannot be drawn; `line` is within its source text when known."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def draw(kind: str, source: str) -> Drawing:
    """Draw a diagram (cached by content) or raise DiagramError."""
    return _draw(kind, source)


@lru_cache(maxsize=512)
def _draw(kind: str, source: str) -> Drawing:
    cached = _from_disk(kind, source)
    if cached is not None:
        light, dark = cached
    elif kind == "graph":
        light, dark = (_dot(source, PALETTES[v]) for v in ("light", "dark"))
        _to_disk(kind, source, light, dark)
    else:
        spec = json.loads(source)
        light, dark = (_chart(spec, PALETTES[v]) for v in ("light", "dark"))
        _to_disk(kind, source, light, dark)
    width = svg_width_px(light)
    smallest = (GRAPH_FONT_PT if kind == "graph" else CHART_FONT_PT) * 4 / 3
    shown = smallest * min(1.0, CARD_WIDTH_PX / width)
    if shown < MIN_TEXT_PX:
        raise DiagramError(
            f"the drawing is {width:.0f} px wide, so on a 360 px phone its "
            f"smallest text would shrink to {shown:.1f} px (at least "
            f"{MIN_TEXT_PX} px needed); lay it out top to bottom "
            "(rankdir=TB), shorten labels or split it"
        )
    return Drawing(light, dark, width)


# --- the drawing cache ---------------------------------------------------------------------
# Drawing is the slow part of a small build (a Graphviz or matplotlib run per variant), and a
# drawing is a pure function of its source, the palette and the tools' versions. Drawings are
# kept in ~/.cache/prepdeck/diagrams (PREPDECK_CACHE=DIR moves it, PREPDECK_CACHE=off disables
# it), keyed by all of those, so an edit, a new palette or a tool upgrade draws afresh.


def _cache_dir() -> Path | None:
    setting = os.environ.get("PREPDECK_CACHE", "")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "prepdeck" / "diagrams"


@lru_cache(maxsize=1)
def graphviz_version() -> str:
    """What `dot -V` says (asked once per process), or "absent"."""
    try:
        out = subprocess.run(["dot", "-V"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return "absent"
    return (out.stderr or out.stdout).strip() or "absent"


@lru_cache(maxsize=1)
def _tool_versions() -> str:
    from importlib import metadata

    dot = graphviz_version()
    try:
        mpl = metadata.version("matplotlib")
    except metadata.PackageNotFoundError:
        mpl = "no matplotlib"
    return f"{RENDERER}|{dot}|{mpl}|{PALETTES!r}|{CHART_SIZE_IN}|{CHART_FONT_PT}"


def _cache_key(kind: str, source: str) -> str:
    return hashlib.sha256(f"{_tool_versions()}|{kind}|{source}".encode()).hexdigest()


def _from_disk(kind: str, source: str) -> tuple[bytes, bytes] | None:
    folder = _cache_dir()
    if folder is None:
        return None
    key = _cache_key(kind, source)
    try:
        light = (folder / f"{key}.light.svg").read_bytes()
        dark = (folder / f"{key}.dark.svg").read_bytes()
    except OSError:
        return None
    if not (light.rstrip().endswith(b"</svg>") and dark.rstrip().endswith(b"</svg>")):
        return None  # a half-written entry: draw again
    return light, dark


def _to_disk(kind: str, source: str, light: bytes, dark: bytes) -> None:
    folder = _cache_dir()
    if folder is None:
        return
    key = _cache_key(kind, source)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for variant, data in (("light", light), ("dark", dark)):
            tmp = folder / f".{key}.{variant}.{os.getpid()}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, folder / f"{key}.{variant}.svg")
    except OSError:
        pass  # a read-only home: no cache, same pictures


def svg_width_px(svg: bytes) -> float:
    found = re.search(rb'<svg[^>]*\swidth="([\d.]+)(pt|px)?"', svg)
    if not found:
        raise DiagramError("the drawing has no width")
    value = float(found.group(1))
    return value * 4 / 3 if found.group(2) in (b"pt", None) else value


# --- Graphviz ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fontconfig() -> str:
    """A fontconfig file that knows only the shipped fonts: same text metrics everywhere."""
    import atexit
    import shutil

    fonts = resources.files("prepdeck").joinpath("assets/fonts")
    folder = Path(tempfile.mkdtemp(prefix="prepdeck-fonts-"))
    atexit.register(shutil.rmtree, folder, True)  # leave no temp files behind
    (folder / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{fonts}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return str(folder / "fonts.conf")


def _dot(source: str, p: Palette) -> bytes:
    args = [
        "dot",
        "-Tsvg:cairo",  # text as glyph paths: the layout and the picture agree
        "-Gbgcolor=transparent",
        f"-Gfontcolor={p.text}",
        "-Gfontname=DejaVu Sans",
        "-Gfontsize=13",
        "-Gpad=0.1",
        "-Nfontname=DejaVu Sans",
        "-Nfontsize=13",
        f"-Nfontcolor={p.text}",
        f"-Ncolor={p.line}",
        "-Nstyle=filled,rounded",
        "-Nshape=box",
        f"-Nfillcolor={p.fill}",
        "-Nmargin=0.12,0.06",
        "-Efontname=DejaVu Sans",
        f"-Efontsize={GRAPH_FONT_PT}",
        f"-Efontcolor={p.text}",
        f"-Ecolor={p.line}",
        "-Epenwidth=1.4",
    ]
    env = {**os.environ, "FONTCONFIG_FILE": _fontconfig(), "SOURCE_DATE_EPOCH": "0"}
    try:
        out = subprocess.run(
            args, input=source.encode(), capture_output=True, timeout=20, env=env, check=False
        )
    except FileNotFoundError:
        from .errors import EnvironmentProblem

        raise EnvironmentProblem(
            "Graphviz is not installed (the `dot` command draws the "
            "diagrams); install it with bash .ci/setup"
        ) from None
    except subprocess.TimeoutExpired:
        raise DiagramError("Graphviz took more than 20 s; simplify the graph") from None
    if out.returncode != 0 or not out.stdout:
        message = out.stderr.decode("utf-8", "replace").strip().splitlines()
        text = message[0] if message else "Graphviz could not draw it"
        line = re.search(r"line (\d+)", text)
        raise DiagramError(f"Graphviz: {text}", int(line.group(1)) if line else 1)
    svg = re.sub(rb"<!--.*?-->\s*", b"", out.stdout, flags=re.S)
    return svg


# --- charts --------------------------------------------------------------------------------


def _chart(spec: dict[str, Any], p: Palette) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rc: dict[str, Any] = {
        "svg.hashsalt": RENDERER,
        "svg.fonttype": "path",
        "font.family": "DejaVu Sans",
        "font.size": CHART_FONT_PT,
        "axes.edgecolor": p.line,
        "axes.labelcolor": p.text,
        "xtick.color": p.line,
        "ytick.color": p.line,
        "xtick.labelcolor": p.text,
        "ytick.labelcolor": p.text,
        "text.color": p.text,
        "axes.titlesize": CHART_FONT_PT + 1,
    }
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        fig = Figure(figsize=CHART_SIZE_IN)
        ax = fig.subplots()
        ax.set_facecolor("none")
        x = spec["x"]
        styles = ["-", "--", ":", "-."]
        colours = [p.accent, p.text, p.line, p.accent]
        numeric = all(isinstance(v, (int, float)) for v in x)
        positions = x if numeric else list(range(len(x)))
        for i, series in enumerate(spec["series"]):
            kind = spec["type"]
            style = {
                "color": colours[i % 4],
                "linestyle": styles[i % 4],
                "linewidth": 2,
                "label": series["label"],
            }
            if kind == "step":
                ax.step(positions, series["values"], where="post", **style)
            elif kind == "bar":
                width = 0.8 / len(spec["series"])
                ax.bar(
                    [pos + i * width for pos in range(len(x))],
                    series["values"],
                    width,
                    color=colours[i % 4],
                    label=series["label"],
                    hatch=["", "//", ".."][i % 3],
                    edgecolor=p.line,
                )
            else:
                ax.plot(positions, series["values"], **style)
        for line in spec.get("lines", []):
            ax.axhline(line["y"], color=p.line, linestyle="--", linewidth=1)
            ax.annotate(
                line["label"],
                (1, line["y"]),
                xycoords=("axes fraction", "data"),
                ha="right",
                va="bottom",
                fontsize=CHART_FONT_PT,
                color=p.text,
            )
        if not numeric or spec["type"] == "bar":
            ticks = range(len(x)) if spec["type"] == "bar" else positions
            ax.set_xticks(ticks, [_label(v) for v in x])
        if spec.get("log_y"):
            ax.set_yscale("log")
        if spec.get("title"):
            ax.set_title(spec["title"], color=p.text, fontsize=CHART_FONT_PT + 1)
        ax.set_xlabel(spec.get("x_label", ""))
        ax.set_ylabel(spec.get("y_label", ""))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if len(spec["series"]) > 1:
            legend = ax.legend(frameon=False, fontsize=CHART_FONT_PT)
            for text in legend.get_texts():
                text.set_color(p.text)
        fig.tight_layout(pad=0.4)
        buffer = io.BytesIO()
        # matplotlib stamps SOURCE_DATE_EPOCH into the SVG when it is set: a picture must not
        # change with the build time (its media name would change every release).
        saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
        try:
            fig.savefig(
                buffer,
                format="svg",
                transparent=True,
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
            )
        finally:
            if saved is not None:
                os.environ["SOURCE_DATE_EPOCH"] = saved
    return re.sub(rb"<!--.*?-->\s*", b"", buffer.getvalue(), flags=re.S)


def _label(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def lum(c: str) -> float:
        rgb = [int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
