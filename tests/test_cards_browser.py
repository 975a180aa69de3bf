"""The shipped deck's cards, rendered by Anki and measured in headless Chromium at 360 px,
light and dark: no horizontal overflow, text contrast >= 4.5:1 (WCAG AA), no network request,
no template error, no blank side."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser import measure

from prepdeck.gallery import CardRender, render_cards

WCAG_AA = 4.5


@pytest.fixture(scope="module")
def cards(shipped_apkg: Path) -> list[CardRender]:
    return render_cards(shipped_apkg.read_bytes())


def _text(html: str) -> str:
    return re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))
    ).strip()


def test_every_card_side_renders(cards: list[CardRender]) -> None:
    """Every side of every card: no template error text, nothing blank (checked on the HTML
    Anki renders; the browser measures the layout of the sides below)."""
    assert len(cards) > 1000
    problems = [
        f"{c.note_id} card {c.ord + 1}"
        for c in cards
        if "there is no field called" in c.question + c.answer
        or not _text(c.question)
        or not _text(c.answer)
    ]
    assert problems == []


def phone_sides(cards: list[CardRender], *, per_kind: int) -> list[tuple[str, str, str, int]]:
    """The sides worth measuring, chosen by what can go wrong. Card text wraps anywhere
    (`overflow-wrap: anywhere`), so only wide things can overflow: code, tables, pictures and
    long unbroken tokens; colours come from the CSS per element kind. So: every back with code,
    a table or a picture; the backs with the longest unbroken tokens; per card type the
    `per_kind` longest backs; and one front per card type. A back repeats its front, so each
    back covers both sides' layout."""

    def longest_token(card: CardRender) -> int:
        return max((len(t) for t in _text(card.answer).split()), default=0)

    rich = [c for c in cards if re.search(r"<pre|<table|pd-diagram|<code", c.answer)]
    tokens = sorted(cards, key=lambda c: -longest_token(c))[:40]
    kinds: dict[tuple[str, str], list[CardRender]] = {}
    for c in cards:
        kinds.setdefault((c.notetype, c.template), []).append(c)
    longest = [
        c
        for group in kinds.values()
        for c in sorted(group, key=lambda c: -len(_text(c.answer)))[:per_kind]
    ]
    chosen = list({(c.note_id, c.ord): c for c in (*rich, *tokens, *longest)}.values())
    fronts = [group[0] for group in kinds.values()]
    return [(f"{c.note_id} card {c.ord + 1} back", c.answer, c.css, c.ord) for c in chosen] + [
        (f"{c.note_id} card {c.ord + 1} front", c.question, c.css, c.ord) for c in fronts
    ]


@pytest.mark.slow
@pytest.mark.parametrize("night", [False, True], ids=["light", "dark"])
def test_card_sides_on_a_phone(cards: list[CardRender], night: bool) -> None:
    sides = phone_sides(cards, per_kind=3 if night else 12)
    results = measure(sides, night=night)
    pages = [r for r in results if r["id"] == "__page__"]
    measured = [r for r in results if r["id"] != "__page__"]
    assert len(measured) == len(sides)
    problems: list[str] = []
    for r in measured:
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
    bad = (
        '<div style="width:900px;color:#999">faint and wide</div>'
        '<img src="http://example.invalid/pixel.png">'
    )
    results: list[dict[str, Any]] = measure(
        [
            ("bad", bad, "", 0),
            ("blank", "", "", 0),
            ("error", "there is no field called 'X'", "", 0),
        ],
        night=False,
    )
    by_id = {r["id"]: r for r in results}
    assert by_id["bad"]["overflow"] > 0
    assert by_id["bad"]["contrast"] < WCAG_AA
    assert by_id["bad"]["blocked"] == ["http://example.invalid/pixel.png"]
    assert by_id["blank"]["text"] == ""
    assert by_id["error"]["errors"] is True
