"""Headless Chromium as a measuring instrument for rendered cards.

Each card side goes into a phone-wide iframe (scripts in headless Chromium see a fixed window,
so widths are measured inside an iframe). A script in the parent page measures
horizontal overflow, the lowest WCAG contrast ratio of any visible text, blank sides, template
error text, and every resource load the card attempted (a Content-Security-Policy that allows
nothing reports each attempt), then Chromium dumps the DOM with the results as JSON.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from prepdeck.gallery import CHROMIUM_FLAGS, card_document, chromium

FLAGS = list(CHROMIUM_FLAGS)

WATCH = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
    "<script>window.__blocked=[];document.addEventListener('securitypolicyviolation',"
    "e=>window.__blocked.push(e.blockedURI||e.violatedDirective));</script>"
)

MEASURE = (
    "<script>" + (Path(__file__).parent / "measure.js").read_text(encoding="utf-8") + "</script>"
)


def measure(
    sides: list[tuple[str, str, str, int]], *, night: bool, width: int = 360, batch: int = 150
) -> list[dict[str, Any]]:
    """sides: (id, body html, css, card ord) -> one measurement per side, plus one
    `__page__` entry per Chromium run listing the page's own resource loads."""
    from concurrent.futures import ThreadPoolExecutor

    chunks = [sides[start : start + batch] for start in range(0, len(sides), batch)]
    workers = max(1, min(len(chunks), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:  # one Chromium per core
        parts = list(pool.map(lambda chunk: _measure(chunk, night=night, width=width), chunks))
    return [result for part in parts for result in part]


def _measure(
    sides: list[tuple[str, str, str, int]], *, night: bool, width: int
) -> list[dict[str, Any]]:
    frames = "".join(
        f'<iframe data-id="{html.escape(sid)}" width="{width}" height="2400" '
        'sandbox="allow-same-origin allow-scripts" srcdoc="'
        + html.escape(card_document(body, css, ord=ord_, night=night, head=WATCH), quote=True)
        + '"></iframe>'
        for sid, body, css, ord_ in sides
    )
    page = f"<!DOCTYPE html><html><body><pre id=result></pre>{frames}{MEASURE}</body></html>"
    with tempfile.TemporaryDirectory(prefix="prepdeck-chromium-") as tmp:
        path = Path(tmp) / "cards.html"
        path.write_text(page, encoding="utf-8")
        out = subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={tmp}/profile",
                "--virtual-time-budget=60000",
                "--dump-dom",
                path.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    found = re.search(r'<pre id="result">(.*?)</pre>', out.stdout, flags=re.S)
    assert found and found.group(1), f"no measurements from Chromium: {out.stderr[-2000:]}"
    results: list[dict[str, Any]] = json.loads(html.unescape(found.group(1)))
    return results
