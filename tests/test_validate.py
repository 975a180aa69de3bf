"""Bad input: every problem found in one run, each at its exact path:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from trees import make_tree, problems

from prepdeck import sourcetree

INVALID = sorted((ROOT / "tests/fixtures/invalid").glob("*.yaml"))


def test_valid_fixture_loads(tmp_path: Path) -> None:
    minimal = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()
    src = make_tree(tmp_path, t=minimal)
    model, found = sourcetree.read_source(src, src)
    assert [q.id for q in model.questions] == ["sample-question"]
    assert model.questions[0].framework[1].point == "Roll out gradually"
    assert found == []


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture(tmp_path: Path, fixture: Path) -> None:
    text = fixture.read_text(encoding="utf-8")
    expected = [
        line.removeprefix("# expect: ")
        for line in text.splitlines()
        if line.startswith("# expect: ")
    ]
    assert expected, f"{fixture.name} has no '# expect:' line"
    src = make_tree(tmp_path, t=text)
    assert problems(src) == [f"topics/t.yaml:{e}" for e in expected]


def test_every_problem_in_one_run(tmp_path: Path) -> None:
    """Problems in several files are all reported, sorted by file and line."""
    bad = [
        (ROOT / "tests/fixtures/invalid" / f"{n}.yaml").read_text()
        for n in ("bad-enum", "unknown-key")
    ]
    src = make_tree(tmp_path, a=bad[0], b=bad[1].replace("id: sample", "id: other"))
    found = problems(src)
    assert any(p.startswith("topics/a.yaml:9:11: ") for p in found)
    assert any(p.startswith("topics/b.yaml:11:5: ") for p in found)


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    minimal = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()
    other = (
        minimal.replace("id: sample\n", "id: sample-two\n")
        .replace("id: sample-framework", "id: other-framework")
        .replace("id: sample-star", "id: other-star")
        .replace("id: sample-term", "id: other-term")
        .replace("related: [sample-framework]", "related: [other-framework]")
    )
    src = make_tree(tmp_path, a=minimal, b=other)
    assert problems(src) == [
        "topics/b.yaml:6:9: questions[0].id: duplicate id 'sample-question', already used at "
        "topics/a.yaml:6:9; ids are unique across all files"
    ]


def test_non_utf8_byte(tmp_path: Path) -> None:
    src = make_tree(tmp_path, t=b"topic:\n  id: x\n  title: Caf\xe9\n")
    assert problems(src) == [
        "topics/t.yaml:3:13: byte 0xe9 is not valid UTF-8; save the file as UTF-8"
    ]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    minimal = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()
    src = make_tree(tmp_path, t=b"\xef\xbb\xbf" + minimal.encode())
    model, _ = sourcetree.read_source(src, src)
    assert model.topics[0].id == "sample"


def test_empty_file(tmp_path: Path) -> None:
    src = make_tree(tmp_path, t="# nothing here yet\n")
    assert problems(src) == ["topics/t.yaml:1:1: file is empty; add content or delete the file"]


def test_huge_file_is_refused_quickly(tmp_path: Path) -> None:
    minimal = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()
    huge = minimal.replace("Whether you think about rollback.", "x" * 5_000_000)
    src = make_tree(tmp_path, t=huge)
    (only,) = problems(src)
    assert only.startswith("topics/t.yaml:1:1: file is 5,00")
    assert "over the 2,000,000-byte limit" in only


def test_long_field_is_refused(tmp_path: Path) -> None:
    minimal = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()
    src = make_tree(tmp_path, t=minimal.replace("Whether you think about rollback.", "x " * 600))
    assert problems(src) == [
        "topics/t.yaml:10:14: questions[0].probing: 1,199 characters, "
        "over the limit of 1,000; shorten it"
    ]


def test_billion_laughs_is_bounded(tmp_path: Path) -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    src = make_tree(tmp_path, t="\n".join(bomb) + "\n")
    found = problems(src)
    assert any("anchors and aliases" in p for p in found)
    assert len(found) < 200


def test_pathological_nesting(tmp_path: Path) -> None:
    src = make_tree(tmp_path, t="a: " + "[" * 5000 + "]" * 5000 + "\n")
    found = problems(src)
    assert len(found) < 5
    assert any(p.startswith("topics/t.yaml:1:") and "deep" in p for p in found), found


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    minimal = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()
    wordy = minimal.replace("point: Build once", "point: Build one immutable artifact per commit")
    src = make_tree(tmp_path, t=wordy)
    _, found = sourcetree.read_source(src, src)
    assert [str(p) for p in found] == [
        "topics/t.yaml:12:16: warning: questions[0].framework[0].point: 6 words, over the card "
        "limit of 5; shorten it"
    ]
    assert problems(src, strict=True) == [str(found[0])]


def test_shipped_source_is_clean_under_strict() -> None:
    _, found = sourcetree.read_source(ROOT, ROOT / "source", strict=True)
    assert found == []


def test_same_prompt_twice_is_a_warning_naming_both_lines(tmp_path: Path) -> None:
    minimal = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()
    other = (
        minimal.replace("id: sample\n", "id: other\n", 1)
        .replace("sample-", "other-")
        .replace("How do you ship a change safely?", "how do you  SHIP a change, safely ?")
    )
    src = make_tree(tmp_path, a=minimal, b=other)
    found = problems(src, strict=True)
    dup = [p for p in found if "the same prompt" in p]
    assert dup == [
        "topics/b.yaml:6:9: warning: questions[0].prompt: the same prompt as the question at "
        "topics/a.yaml:6:9; merge the two or make one of them ask something else"
    ]
    _, warnings = sourcetree.read_source(src, src)
    assert any("the same prompt" in str(w) for w in warnings)


def test_a_topic_may_span_files_with_the_same_title_and_tracks(tmp_path: Path) -> None:
    minimal = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text()
    more = minimal.replace("sample-", "more-").replace("Tell me about a release", "Tell me of one")
    more = more.replace("How do you ship a change safely?", "How do you ship a hotfix safely?")
    src = make_tree(tmp_path, a=minimal, b=more)
    model_, _ = sourcetree.read_source(src, src)
    assert [t.id for t in model_.topics] == ["sample"]
    items = model_.in_topic("sample")
    assert [q.id for q in items.questions] == ["sample-question", "more-question"]
    clash = more.replace("  title: Sample", "  title: Other title")
    src2 = make_tree(tmp_path / "two", a=minimal, b=clash)
    assert any(
        "topics/b.yaml:2:7: topic.id: topic 'sample' continues topics/a.yaml but with another "
        "title or tracks" in p
        for p in problems(src2)
    )
