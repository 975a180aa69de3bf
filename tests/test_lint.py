"""Card-design rules that span an item or the whole source (.github/CONTRIBUTING.md, C6 and C7)."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT
from trees import make_tree, problems

from prepdeck import model, sourcetree

MINIMAL = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()


def warnings_of(src: Path) -> list[str]:
    _, found = sourcetree.read_source(src, src)
    return [str(p) for p in found]


def test_minimal_fixture_is_lint_clean(tmp_path: Path) -> None:
    assert warnings_of(make_tree(tmp_path, t=MINIMAL)) == []


def test_missing_why_card_warns_and_fails_strict(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "        kind: why\n        q: Why build only once?",
        "        kind: fact\n        q: Why build only once?",
    )
    src = make_tree(tmp_path, t=text)
    expected = [
        "topics/t.yaml:6:9: warning: sample-question: no why/when card for its "
        "framework (card rule C6, .github/CONTRIBUTING.md); add a card with "
        "kind: why"
    ]
    assert warnings_of(src) == expected
    assert problems(src, strict=True) == expected


def test_question_without_followups_warns(tmp_path: Path) -> None:
    start = MINIMAL.index("    followups:")
    end = MINIMAL.index("    cards:")
    src = make_tree(tmp_path, t=MINIMAL[:start] + MINIMAL[end:])
    assert warnings_of(src) == [
        "topics/t.yaml:6:9: warning: sample-question: no follow-up "
        "questions; add the interviewer's likely next question"
    ]


def test_confusable_pair_needs_a_contrast_card(tmp_path: Path) -> None:
    second_term = MINIMAL + (
        "  - id: sample-blue-green\n    term: Blue/green\n"
        "    definition: Two environments, switched at the router.\n"
    )
    src = make_tree(tmp_path, t=second_term)
    deck = (src / "deck.yaml").read_text().split("confusables:")[0]
    (src / "deck.yaml").write_text(
        deck + "confusables:\n  - {a: sample-term, b: sample-blue-green}\n"
    )
    line = deck.count("\n") + 2
    assert warnings_of(src) == [
        f"deck.yaml:{line}:9: warning: confusable pair sample-term / sample-blue-green has no "
        "contrast card naming both (card rule C7, .github/CONTRIBUTING.md); add a card with "
        "kind: contrast"
    ]
    with_card = second_term.replace(
        "        a: What you tested is what you ship.\n",
        (
            "        a: What you tested is what you ship.\n      - id: canary-vs-bg\n"
            "        kind: contrast\n        q: Canary versus blue/green rollouts?\n"
            "        a: Canary shifts a slice; blue/green switches everything.\n"
        ),
    )
    (src / "topics/t.yaml").write_text(with_card)
    assert warnings_of(src) == []


def test_shipped_pairs_are_all_checked(shipped: model.Source) -> None:
    """Every confusable pair in deck.yaml is really checked: with the contrast cards taken
    away, the lint reports each pair once; with them, none."""
    import dataclasses

    from prepdeck import lint
    from prepdeck.errors import Mark
    from prepdeck.load import Mapping, Scalar, load_bytes

    deck, _ = load_bytes((ROOT / "source/deck.yaml").read_bytes(), "deck.yaml")
    assert isinstance(deck, Mapping)
    pairs = []
    for pair in deck["confusables"]:
        assert isinstance(pair, Mapping) and isinstance(pair["a"], Scalar)
        pairs.append(lint.Confusable(str(pair["a"]), str(pair["b"]), pair["a"].mark))
    assert len(pairs) >= 10
    ids = [
        *(q.id for q in shipped.questions),
        *(f.id for f in shipped.frameworks),
        *(s.id for s in shipped.stars),
        *(t.id for t in shipped.terms),
    ]
    marks = {i: Mark("x", 1, 1) for i in ids}

    def c7(src: model.Source) -> list[str]:
        return [p.message for p in lint.lint(src, marks, tuple(pairs)) if "C7" in p.message]

    assert c7(shipped) == []
    bare = dataclasses.replace(
        shipped,
        questions=tuple(
            dataclasses.replace(q, cards=tuple(c for c in q.cards if c.kind != "contrast"))
            for q in shipped.questions
        ),
        frameworks=tuple(
            dataclasses.replace(f, cards=tuple(c for c in f.cards if c.kind != "contrast"))
            for f in shipped.frameworks
        ),
    )
    assert len(c7(bare)) == len(pairs)
