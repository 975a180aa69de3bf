"""PDF pages -> PNG images, so a layout change can be looked at before it is merged.

Uses pypdfium2 (PDFium, the renderer in Chromium): a wheel with no system dependency.
"""

from __future__ import annotations

import io


def pdf_to_pngs(pdf: bytes, dpi: int = 110) -> list[bytes]:
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        out = []
        for index in range(len(doc)):
            image = doc[index].render(scale=dpi / 72).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            out.append(buffer.getvalue())
        return out
    finally:
        doc.close()


def preview_files(files: dict[str, bytes], dpi: int = 110) -> dict[str, bytes]:
    """`pdf/x.pdf` -> `pdf/preview/x-p1.png`, ... for every PDF among the rendered files."""
    out = {}
    for name, data in files.items():
        if name.endswith(".pdf"):
            stem = name.rsplit("/", 1)[-1].removesuffix(".pdf")
            for page, png in enumerate(pdf_to_pngs(data, dpi), 1):
                out[f"pdf/preview/{stem}-p{page}.png"] = png
    return out
