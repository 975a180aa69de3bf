"""Card-design rules (.github/CONTRIBUTING.md) that span an item, checked on the model.

Field-level rules (front and back length, list length, one question per front) live in the
schema's limits. These are the rules that look at a whole item or at the whole source: every
framework gets a why/when card (C6), every question its follow-ups, and every confusable pair
declared in deck.yaml a contrast card that names both sides (C7). All are warnings: they fail a
``--strict`` build, which is what CI runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import model
from .errors import Mark, Problem


@dataclass(frozen=True)
class Confusable:
    """Two term ids a learner mixes up; a contrast card must name both (C7)."""

    a: str
    b: str
    mark: Mark


def _names(term: model.Term) -> list[str]:
    """How a card may name a term: 'Recovery point objective (RPO)' -> the full name, 'RPO';
    'Canary release' -> also 'canary' (a leading word of three letters or more)."""
    full = re.sub(r"\s*\(.*?\)", "", term.term).strip()
    names = [full, *re.findall(r"\(([^)]+)\)", term.term)]
    first = full.split()[0] if " " in full else ""
    if len(first) >= 3:
        names.append(first)
    return [n.casefold() for n in names if n]


def lint(
    src: model.Source, marks: dict[str, Mark], confusables: tuple[Confusable, ...] = ()
) -> list[Problem]:
    """`marks` maps an item id to where it is defined (for the messages)."""
    out: list[Problem] = []
    src = src.current()

    def warn(item_id: str, message: str) -> None:
        out.append(Problem(marks[item_id], f"{item_id}: {message}", warning=True))

    for q in src.questions:
        if not any(c.kind == "why" for c in q.cards):
            warn(
                q.id,
                "no why/when card for its framework (card rule C6, "
                ".github/CONTRIBUTING.md); add a card with kind: why",
            )
        if not q.followups:
            warn(q.id, "no follow-up questions; add the interviewer's likely next question")
    for f in src.frameworks:
        if not any(c.kind == "why" for c in f.cards):
            warn(
                f.id,
                "no why/when card (card rule C6, .github/CONTRIBUTING.md); add a card "
                "with kind: why",
            )
    terms = {t.id: t for t in src.terms}
    cards = [c for q in src.questions for c in q.cards]
    cards += [c for f in src.frameworks for c in f.cards]
    contrasts = [f"{c.q} {c.a}".casefold() for c in cards if c.kind == "contrast"]
    for pair in confusables:
        if pair.a not in terms or pair.b not in terms:
            continue  # a dangling id is reported by the validator
        names_a, names_b = _names(terms[pair.a]), _names(terms[pair.b])
        if not any(
            any(_mentions(text, n) for n in names_a) and any(_mentions(text, n) for n in names_b)
            for text in contrasts
        ):
            out.append(
                Problem(
                    pair.mark,
                    f"confusable pair {pair.a} / {pair.b} has no contrast "
                    "card naming both (card rule C7, .github/CONTRIBUTING.md); "
                    "add a card with kind: contrast",
                    warning=True,
                )
            )
    return out


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None
