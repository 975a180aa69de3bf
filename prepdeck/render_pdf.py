"""HTML -> PDF bytes with WeasyPrint. Its warnings become problems, never a silent bad sheet.

WeasyPrint would fetch any URL the HTML names (an image, a stylesheet, a font). The build
must never reach the network or read a stray file, so it gets a fetcher that serves only the
files under ``assets/`` (the sheet's CSS and its fonts) and refuses everything else.
"""

from __future__ import annotations

import logging
import mimetypes
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from .errors import BuildError, EnvironmentProblem, Mark, Problem

ASSETS = resources.files("prepdeck").joinpath("assets")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def local_file(url: str, allowed: Path) -> Path:
    """The file a `file:` URL names, if it lies inside `allowed`; ValueError otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"refused to fetch {url[:80]!r}: the sheet uses only its own assets")
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(allowed.resolve()) or not path.is_file():
        raise ValueError(f"refused to read {path}: the sheet uses only its own assets")
    return path


def _data_uri(url: str) -> tuple[bytes, str]:
    """A `data:` URI's bytes and type (decoded here; urllib never touches the network)."""
    import base64
    from urllib.parse import unquote_to_bytes

    head, _, payload = url.partition(",")
    mime = head[5:].split(";")[0] or "text/plain"
    data = base64.b64decode(payload) if head.endswith(";base64") else unquote_to_bytes(payload)
    return data, mime


def _fetcher(allowed: Path) -> Any:
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint >= 66

        class LocalOnly(urls.URLFetcher):  # type: ignore[misc]
            def fetch(self, url: str, headers: Any = None) -> Any:
                if url.startswith("data:"):  # our own diagrams, inline: no file, no network
                    data, mime = _data_uri(url)
                    return urls.URLFetcherResponse(url, body=data, headers={"Content-Type": mime})
                path = local_file(url, allowed)
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return urls.URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": mime}
                )

        return LocalOnly()

    def fetch(url: str) -> dict[str, Any]:  # older WeasyPrint: a function returning a dict
        if url.startswith("data:"):
            data, mime = _data_uri(url)
            return {"string": data, "mime_type": mime, "redirected_url": url}
        path = local_file(url, allowed)
        return {
            "string": path.read_bytes(),
            "mime_type": mimetypes.guess_type(path.name)[0],
            "redirected_url": url,
        }

    return fetch


class Rendered(NamedTuple):
    data: bytes
    pages: int
    # Tables wider than the item they sit in (their right side is cut off): (title, mm over)
    wide_tables: tuple[tuple[str, float], ...] = ()


def render_pdf(html: str, name: str) -> bytes:
    """Render one sheet; WeasyPrint warnings (a missing font, bad CSS, a refused URL) fail
    the build, reported against the output `name`."""
    return render_pdf_pages(html, name).data


def wide_tables(doc: Any) -> tuple[tuple[str, float], ...]:
    """Each table laid out wider than its item (a word in every column too long to wrap),
    with its item's title and the excess in mm."""
    from weasyprint.formatting_structure import boxes

    found: dict[str, float] = {}
    for page in doc.pages:
        for item in page._page_box.descendants():
            element = getattr(item, "element", None)
            if element is None or "item" not in (element.get("class") or "").split():
                continue
            title = "".join(next(element.iter("p")).itertext()).strip()
            for table in item.descendants():
                if isinstance(table, boxes.TableBox):
                    excess = (table.margin_width() - item.width) * 25.4 / 96
                    if excess > 0.2:
                        found[title] = round(excess, 1)
    return tuple(found.items())


def render_pdf_pages(html: str, name: str) -> Rendered:
    """The PDF bytes, its page count and the tables too wide for their column."""
    try:
        import weasyprint
    except (ImportError, OSError) as err:  # Pango or HarfBuzz missing from the system
        raise EnvironmentProblem(
            f"WeasyPrint cannot start ({err}); install its system libraries: bash .ci/setup"
        ) from None

    with resources.as_file(ASSETS) as assets:
        css = (assets / "sheet.css").read_text(encoding="utf-8")
        base = assets.resolve().as_uri() + "/"
        fetcher = _fetcher(assets)
        logger = logging.getLogger("weasyprint")
        handler = _Collect()
        logger.addHandler(handler)
        try:
            doc = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).render(
                stylesheets=[weasyprint.CSS(string=css, base_url=base, url_fetcher=fetcher)]
            )
            pages = len(doc.pages)
            wide = wide_tables(doc)
            data: bytes = doc.write_pdf()
        finally:
            logger.removeHandler(handler)
    if handler.messages:
        raise BuildError([Problem(Mark(name, 0, 0), f"WeasyPrint: {m}") for m in handler.messages])
    return Rendered(data, pages, wide)
