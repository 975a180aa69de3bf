"""What the cards look like on a phone, rendered by the real Anki backend.

`render_cards` imports a built package into a scratch collection with the `anki` package (the
Rust code Anki desktop uses) and returns each card's question and answer HTML and CSS.
`card_document` wraps one side the way the Anki clients do (body classes `card cardN`, plus
`nightMode night_mode` in dark mode). The preview gallery and the browser tests share both.
"""

from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .text import data_uri

# What the clients add around a card: the desktop reviewer's margin and its night-mode colours,
# which a note type's CSS must override.
CLIENT_CSS = "body { margin: 20px; } body.nightMode { background-color: #2c2c2c; color: #fcfcfc; }"
WIDTHS = (360, 430)


@dataclass(frozen=True)
class CardRender:
    note_id: str
    notetype: str
    template: str
    ord: int
    question: str
    answer: str
    css: str


def render_cards(apkg: bytes) -> list[CardRender]:
    """Every card of a package, as Anki renders it, in note order."""
    try:
        from anki.collection import (
            Collection,
            ImportAnkiPackageOptions,
            ImportAnkiPackageRequest,
        )
    except ImportError:  # pragma: no cover - depends on the environment
        from .errors import EnvironmentProblem

        raise EnvironmentProblem(
            "the preview needs the `anki` package: bash .ci/setup --test"
        ) from None
    with tempfile.TemporaryDirectory(prefix="prepdeck-preview-") as tmp:
        path = Path(tmp) / "deck.apkg"
        path.write_bytes(apkg)
        col = Collection(str(Path(tmp) / "collection.anki2"))
        try:
            col.import_anki_package(
                ImportAnkiPackageRequest(
                    package_path=str(path),
                    options=ImportAnkiPackageOptions(
                        merge_notetypes=False, with_scheduling=False, with_deck_configs=False
                    ),
                )
            )
            col.models._clear_cache()
            media = Path(col.media.dir())
            out = []
            for cid in sorted(col.find_cards(""), key=lambda c: (col.get_card(c).due, c)):
                card = col.get_card(cid)
                note = card.note()
                rendered = card.render_output()
                notetype = note.note_type()
                if notetype is None:  # pragma: no cover - every imported note has a type
                    raise RuntimeError(f"note {note.id} has no note type")
                out.append(
                    CardRender(
                        note["Id"],
                        str(notetype["name"]),
                        str(card.template()["name"]),
                        card.ord,
                        _inline_media(rendered.question_text, media),
                        _inline_media(rendered.answer_text, media),
                        rendered.css,
                    )
                )
            return out
        finally:
            col.close()


def _inline_media(body: str, media: Path) -> str:
    """Pictures from the collection's media folder as data URIs, as a client would show them
    (a name the collection lacks stays as it is, and shows broken)."""
    import re

    def inline(m: re.Match[str]) -> str:
        path = media / html.unescape(m.group(1))
        if "/" in m.group(1) or not path.is_file():
            return m.group(0)
        return f'src="{data_uri(path.name, path.read_bytes())}"'

    return re.sub(r'src="([^":]+\.(?:svg|png|jpe?g|gif|webp))"', inline, body)


# Headless Chromium without a network or a profile of its own: what the screenshots and the
# browser checks of the tests both run.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    """The Chromium (or Chrome) binary; an environment problem when there is none."""
    import shutil

    path = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if path is None:
        from .errors import EnvironmentProblem

        raise EnvironmentProblem("headless Chromium is needed: bash .ci/setup --test installs it")
    return path


def card_document(body: str, css: str, *, ord: int, night: bool, head: str = "") -> str:
    """One card side as a standalone page, body classes as the Anki clients set them."""
    classes = f"card card{ord + 1}" + (" nightMode night_mode" if night else "")
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{head}<style>{CLIENT_CSS}</style><style>{css}</style></head>"
        f'<body class="{classes}">{body}</body></html>'
    )


def representatives(cards: list[CardRender]) -> list[CardRender]:
    """The first card of every (note type, template): every card type once."""
    seen: dict[tuple[str, str], CardRender] = {}
    for card in cards:
        seen.setdefault((card.notetype, card.template), card)
    return list(seen.values())


def gallery_html(cards: list[CardRender], pages: list[str], title: str) -> str:
    """A static page: each card type, front and back, at 360 and 430 px, light and dark, and
    the sheet's pages as images. No script, no server, no network."""
    parts = [
        f"<h1>{html.escape(title)}: card preview</h1>",
        "<p>Rendered by the Anki backend from the built package. Frames are phone-sized "
        "(360 and 430 CSS px), in light and dark mode.</p>",
    ]
    for card in representatives(cards):
        parts.append(
            f"<h2>{html.escape(card.notetype)} · {html.escape(card.template)} "
            f"<small>({html.escape(card.note_id)})</small></h2><div class=row>"
        )
        for side, body in (("front", card.question), ("back", card.answer)):
            for width in WIDTHS:
                for night in (False, True):
                    doc = card_document(body, card.css, ord=card.ord, night=night)
                    label = f"{side} · {width}px · {'dark' if night else 'light'}"
                    parts.append(
                        f"<figure><figcaption>{label}</figcaption><iframe "
                        f'width="{width}" height="640" sandbox '
                        f'srcdoc="{html.escape(doc, quote=True)}"></iframe></figure>'
                    )
        parts.append("</div>")
    if pages:
        parts.append("<h2>Cheat sheet pages</h2><div class=row>")
        parts += [
            f"<figure><figcaption>{html.escape(p)}</figcaption>"
            f'<img src="{html.escape(p)}" width="560" alt="{html.escape(p)}"></figure>'
            for p in pages
        ]
        parts.append("</div>")
    style = (
        "body{font-family:system-ui,sans-serif;margin:24px;background:#f4f4f4}"
        ".row{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}"
        "iframe,img{border:1px solid #999;border-radius:12px;background:#fff}"
        "figcaption{font-size:12px;color:#333}"
    )
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)} preview</title><style>{style}</style></head><body>"
        + "".join(parts)
        + "</body></html>\n"
    )


def screenshot(document: str, out: Path, width: int = 390, height: int = 844) -> None:
    """A phone-sized PNG of one page with headless Chromium (for the README)."""
    import subprocess

    with tempfile.TemporaryDirectory(prefix="prepdeck-shot-") as tmp:
        page = Path(tmp) / "card.html"
        page.write_text(document, encoding="utf-8")
        subprocess.run(
            [
                chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp}/profile",
                f"--window-size={width},{height}",
                f"--screenshot={out}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
