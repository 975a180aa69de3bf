"""HTML -> PDF bytes with WeasyPrint. Its warnings become problems, never a silent bad sheet."""

from __future__ import annotations

import logging
from importlib import resources

from .errors import BuildError, Mark, Problem


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_pdf(html: str, name: str) -> bytes:
    """Render one sheet; WeasyPrint warnings (a missing font, bad CSS) fail the build."""
    import weasyprint

    assets = resources.files("prepdeck").joinpath("assets")
    css = assets.joinpath("sheet.css").read_text(encoding="utf-8")
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        doc = weasyprint.HTML(string=html, base_url=str(assets) + "/")
        data: bytes = doc.write_pdf(stylesheets=[weasyprint.CSS(string=css,
                                                                base_url=str(assets) + "/")])
    finally:
        logger.removeHandler(handler)
    if handler.messages:
        raise BuildError([Problem(Mark(name, 1, 1), f"WeasyPrint: {m}") for m in handler.messages])
    return data
