"""Every card of the shipped deck, rendered by Anki and measured in headless Chromium at
360 px, light and dark: no horizontal overflow, text contrast >= 4.5:1 (WCAG AA), no network
request, no template error, no blank side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser import measure

from prepdeck.gallery import render_cards

WCAG_AA = 4.5


@pytest.fixture(scope="module")
def sides(shipped_apkg: Path) -> list[tuple[str, str, str, int]]:
    cards = render_cards(shipped_apkg.read_bytes())
    return [(f"{c.note_id} card {c.ord + 1} {side}", body, c.css, c.ord)
            for c in cards for side, body in (("front", c.question), ("back", c.answer))]


@pytest.mark.parametrize("night", [False, True], ids=["light", "dark"])
def test_every_card_side_on_a_phone(sides: list[tuple[str, str, str, int]], night: bool) -> None:
    results = measure(sides, night=night)
    pages = [r for r in results if r["id"] == "__page__"]
    cards = [r for r in results if r["id"] != "__page__"]
    assert len(cards) == len(sides)
    problems: list[str] = []
    for r in cards:
        if r["overflow"] > 0:
            problems.append(f"{r['id']}: {r['overflow']} px wider than a 360 px screen")
        if r["contrast"] < WCAG_AA:
            problems.append(f"{r['id']}: contrast {r['contrast']} on {r['worstText']!r}")
        if r["blocked"]:
            problems.append(f"{r['id']}: tried to load {r['blocked']}")
        if r["errors"]:
            problems.append(f"{r['id']}: template error text")
        if not r["text"]:
            problems.append(f"{r['id']}: blank side")
    assert problems == []
    assert all(not p["blocked"] for p in pages)


def test_the_instrument_sees_each_failure() -> None:
    """The checks above can fail: a wide, faint, remote-loading card trips every one."""
    bad = ('<div style="width:900px;color:#999">faint and wide</div>'
           '<img src="http://example.invalid/pixel.png">')
    results: list[dict[str, Any]] = measure([("bad", bad, "", 0), ("blank", "", "", 0),
                                             ("error", "there is no field called 'X'", "", 0)],
                                            night=False)
    by_id = {r["id"]: r for r in results}
    assert by_id["bad"]["overflow"] > 0
    assert by_id["bad"]["contrast"] < WCAG_AA
    assert by_id["bad"]["blocked"] == ["http://example.invalid/pixel.png"]
    assert by_id["blank"]["text"] == ""
    assert by_id["error"]["errors"] is True
