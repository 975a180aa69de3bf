"""A corpus of hostile and technical source trees, each with its exact outcome.

Rejected trees go through the real command line (in-process): the exit status, a
`path:line:col:` message naming the right file and line, no traceback, and no output written.
Accepted technical text is built once into decks, reference and sheet, then read back where a
user reads it: the cards as the real Anki backend renders them, the reference as GitHub would
render its Markdown (raw HTML on), and the sheet's extracted PDF text.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, T0, build

from prepdeck import cli

BASE = (ROOT / "tests/fixtures/valid/minimal.yaml").read_text(encoding="utf-8")
DECK = (ROOT / "source/deck.yaml").read_text(encoding="utf-8").split("\n# Pairs")[0] + "\n"
LEDGER_OK = (
    '{\n  "version": "0.1.0",\n  "notetypes": {},\n  "notes": {\n'
    '    "sample-term": {"guid": "x", "notetype": "term", "since": "0.1.0"}\n  }\n}\n'
)
STORIES = """stories:
  - id: my-story
    headline: Fixed the checkout outage in 40 minutes
    situation: Checkout failed for all users after a release.
    task: I was the incident commander.
    action: I rolled back and then found the cause.
    result: Checkout was back within 40 minutes.
    reflection: Rehearse rollbacks.
    competencies: [ownership]
    answers: [sample-star]
"""


@dataclass(frozen=True)
class Reject:
    name: str
    category: str
    file: str = "topics/t.yaml"  # the file the message must name
    old: str = ""  # replaced in that file's text (topics/t.yaml, deck.yaml, ledger.json, ...)
    new: str = ""
    line: int | None = None  # expected line; default: the line of `at` within `new`
    at: str = ""  # default: the last line of `new`
    message: str = ""  # a fragment the message must contain
    setup: Callable[[Path], None] | None = None  # extra changes to the tree
    status: int = 1
    args: tuple[str, ...] = ()


def _q(field: str, value: str) -> tuple[str, str]:
    """(old, new) that replaces a field of the sample question's first key point etc."""
    originals = {
        "point": "      - point: Build once",
        "gloss": "gloss: One artifact moves",
        "prompt": "prompt: How do you ship a change safely?",
        "definition": "definition: A small first slice of traffic on the new version.",
        "year": "    definition: A small first slice of traffic on the new version.",
        "followup": "        a: Error rate and latency of the changed service.",
        "answer": "      Build one artifact and widen exposure step by step.",
        "term": "    term: Canary",
        "spine": '    spine: "Broken checkout: rolled back, added a test."',
        "title": "  title: Sample",
    }
    return originals[field], value


def fifo(tree: Path) -> None:
    os.mkfifo(tree / "topics/zz-pipe.yaml")


def directory(tree: Path) -> None:
    (tree / "topics/x.yaml").mkdir()


def outside_link(tree: Path) -> None:
    (tree.parent / "elsewhere.yaml").write_text(BASE.replace("sample", "other"))
    (tree / "topics/zz-link.yaml").symlink_to(tree.parent / "elsewhere.yaml")


def replace_with_directory(name: str) -> Callable[[Path], None]:
    def do(tree: Path) -> None:
        (tree / name).unlink()
        (tree / name).mkdir()

    return do


def stories_dir(tree: Path) -> None:
    (tree.parent / "bank").mkdir()


def write(name: str, data: bytes) -> Callable[[Path], None]:
    def do(tree: Path) -> None:
        path = tree.parent / name[3:] if name.startswith("../") else tree / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    return do


def remove(name: str) -> Callable[[Path], None]:
    def do(tree: Path) -> None:
        path = tree / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return do


REJECTS = [
    # ids and names that Anki, file systems or the reference interpret
    Reject(
        "id-equals-glossary-anchor",
        "ids",
        old="id: sample-term",
        new="id: glossary",
        message="reserved",
    ),
    Reject(
        "id-equals-retired-anchor",
        "ids",
        old="id: sample-framework\n",
        new="id: retired\n",
        message="reserved",
    ),
    Reject(
        "id-with-topic-prefix",
        "ids",
        old="id: sample-star",
        new="id: topic-sample",
        message="reserved",
    ),
    Reject(
        "id-uppercase",
        "ids",
        old="id: sample-question",
        new="id: Sample-Question",
        message="not a valid id",
    ),
    Reject(
        "id-duplicate-across-kinds",
        "ids",
        old="id: sample-term",
        new="id: sample-star",
        message="duplicate id",
    ),
    Reject(
        "track-id-twice",
        "ids",
        file="deck.yaml",
        old="  - id: sre\n",
        new="  - id: release\n",
        message="duplicate track id",
    ),
    Reject(
        "track-id-reserved-output",
        "ids",
        file="deck.yaml",
        old="  - id: sre\n",
        new="  - id: my-stories\n",
        message="reserved",
    ),
    Reject(
        "deck-name-without-latin",
        "ids",
        file="deck.yaml",
        old="deck: DevOps Interview Prep",
        new="deck: Деплой",
        message="no usable file name",
    ),
    Reject(
        "deck-name-with-subdeck-separator",
        "ids",
        file="deck.yaml",
        old="deck: DevOps Interview Prep",
        new="deck: DevOps::Prep",
        message="'::'",
    ),
    Reject(
        "topic-title-with-subdeck-separator",
        "ids",
        old="  title: Sample",
        new="  title: CI::CD",
        message="'::'",
    ),
    # YAML 1.1 coercions
    Reject(
        "year-hex",
        "yaml11",
        old=_q("year", "")[0],
        new=_q("year", "")[0] + "\n    source: A survey\n    year: 0x7E4",
        line=None,
        message="whole number",
    ),
    Reject(
        "year-sexagesimal",
        "yaml11",
        old=_q("year", "")[0],
        new=_q("year", "")[0] + "\n    source: A survey\n    year: 1:20:00",
        message="whole number",
    ),
    Reject(
        "year-octal",
        "yaml11",
        old=_q("year", "")[0],
        new=_q("year", "")[0] + "\n    source: A survey\n    year: 0o3744",
        message="whole number",
    ),
    Reject(
        "year-float",
        "yaml11",
        old=_q("year", "")[0],
        new=_q("year", "")[0] + "\n    source: A survey\n    year: 2024.0",
        message="whole number",
    ),
    Reject(
        "point-yes-is-bool",
        "yaml11",
        old="      - point: Deploy",
        new="      - point: yes",
        message="reads as a true/false value",
    ),
    Reject(
        "term-version-float",
        "yaml11",
        old="    term: Canary",
        new="    term: 1.10",
        message="reads as a number",
    ),
    Reject(
        "definition-date",
        "yaml11",
        old=_q("definition", "")[0],
        new="definition: 2024-01-02",
        message="reads as a date",
    ),
    Reject("title-null", "yaml11", old="  title: Sample", new="  title: ~", message="empty"),
    # HTML, Markdown and template injection that cannot be made inert is refused
    Reject(
        "image-remote-in-prompt",
        "injection",
        old=_q("prompt", "")[0],
        new="prompt: How do you ship ![x](http://127.0.0.1:9/p.png) safely?",
        message="never fetches a URL",
    ),
    Reject(
        "image-local-in-answer",
        "injection",
        old=_q("answer", "")[0],
        new="      See ![secrets](/etc/passwd) here.",
        message="never fetches a URL",
    ),
    Reject(
        "image-in-term-definition",
        "injection",
        old=_q("definition", "")[0],
        new="definition: Tracking ![t](https://example.com/t.gif) pixel.",
        message="never fetches a URL",
    ),
    Reject(
        "unclosed-fence",
        "injection",
        old=_q("answer", "")[0],
        new="      Build one artifact.\n\n      ```yaml\n      image: {{ .Values.tag }}",
        at="```yaml",
        message="never closed",
    ),
    Reject(
        "heading-in-answer",
        "injection",
        old=_q("answer", "")[0],
        new="      # Not a heading here",
        message="heading",
    ),
    Reject(
        "setext-heading-in-answer",
        "injection",
        old=_q("answer", "")[0],
        new="      Build one artifact.\n      ===",
        at="Build",
        message="heading",
    ),
    Reject(
        "link-reference-definition",
        "injection",
        old=_q("answer", "")[0],
        new="      Build it.\n\n      [x]: https://example.com",
        message="link reference",
    ),
    Reject(
        "line-break-in-point",
        "injection",
        old="      - point: Deploy",
        new='      - point: "Deploy\\nnow"',
        message="line break",
    ),
    # control characters, written as YAML escapes (PyYAML refuses raw ones itself)
    Reject(
        "unit-separator-in-followup",
        "control",
        old=_q("followup", "")[0],
        new='        a: "Error rate\\x1fand latency."',
        message="U+001F",
    ),
    Reject(
        "nul-in-gloss",
        "control",
        old="gloss: Make the artifact.",
        new='gloss: "Make\\0 the artifact."',
        message="U+0000",
    ),
    Reject(
        "ansi-escape-in-prompt",
        "control",
        old=_q("prompt", "")[0],
        new='prompt: "How do you ship \\e[31mred\\e[0m safely?"',
        message="U+001B",
    ),
    Reject(
        "del-in-term",
        "control",
        old="    term: Canary",
        new='    term: "Can\\x7fary"',
        message="U+007F",
    ),
    Reject(
        "c1-csi-in-definition",
        "control",
        old=_q("definition", "")[0],
        new='definition: "A small \\x9b slice."',
        message="U+009B",
    ),
    Reject(
        "control-in-answer-block",
        "control",
        old=_q("answer", "")[0],
        new="      Build it.\n      Then \x08 go.",
        line=None,
        message="U+0008",
    ),
    Reject(
        "raw-control-in-file",
        "control",
        old="  title: Sample",
        new="  title: Sam\x01ple",
        message="not allowed",
    ),
    # files and encodings
    Reject(
        "fifo-in-topics",
        "files",
        file="topics/zz-pipe.yaml",
        line=1,
        setup=fifo,
        message="named pipe",
    ),
    Reject(
        "directory-named-yaml",
        "files",
        file="topics/x.yaml",
        line=1,
        setup=directory,
        message="directory",
    ),
    Reject(
        "symlink-out-of-tree",
        "files",
        file="topics/zz-link.yaml",
        line=1,
        setup=outside_link,
        message="outside the source tree",
    ),
    Reject(
        "not-utf8",
        "files",
        file="topics/zz-latin1.yaml",
        line=3,
        setup=write("topics/zz-latin1.yaml", b"topic:\n  id: x\n  title: Caf\xe9\n"),
        message="not valid UTF-8",
    ),
    Reject(
        "utf16",
        "files",
        file="topics/zz-utf16.yaml",
        line=1,
        setup=write("topics/zz-utf16.yaml", "topic: x\n".encode("utf-16")),
        message="not valid UTF-8",
    ),
    Reject(
        "empty-topic-file",
        "files",
        file="topics/zz-empty.yaml",
        line=1,
        setup=write("topics/zz-empty.yaml", b""),
        message="empty",
    ),
    Reject(
        "deck-missing",
        "files",
        file="deck.yaml",
        line=1,
        setup=remove("deck.yaml"),
        message="missing",
    ),
    Reject(
        "deck-is-directory",
        "files",
        file="deck.yaml",
        line=1,
        setup=replace_with_directory("deck.yaml"),
        message="directory",
    ),
    Reject(
        "no-topics-dir",
        "files",
        file="topics",
        line=1,
        setup=remove("topics"),
        message="no topic files",
    ),
    Reject(
        "two-documents",
        "files",
        old="topic:\n",
        new="---\na: 1\n---\ntopic:\n",
        at="---\ntopic",
        message="more than one YAML document",
    ),
    # characters the sheet's fonts cannot draw
    Reject(
        "cjk-in-point",
        "glyphs",
        old="      - point: Build once",
        new="      - point: 部署 once",
        message="U+90E8",
    ),
    Reject(
        "cjk-in-term",
        "glyphs",
        old="    term: Canary",
        new="    term: 金丝雀",
        message="cannot be printed",
    ),
    Reject(
        "emoji-in-topic-title",
        "glyphs",
        old="  title: Sample",
        new="  title: Sample 🚀",
        message="U+1F680",
    ),
    Reject(
        "cjk-in-spine",
        "glyphs",
        old=_q("spine", "")[0],
        new='    spine: "回滚: rolled back, added a test."',
        message="cannot be printed",
    ),
    # stories
    Reject(
        "stories-path-is-directory",
        "stories",
        file="../bank",
        line=1,
        setup=stories_dir,
        args=("--stories", "{tree}/../bank"),
        message="directory",
    ),
    Reject(
        "stories-control-char",
        "stories",
        file="../my.yaml",
        line=3,
        setup=write(
            "../my.yaml",
            STORIES.replace("Fixed the checkout", '"Fixed\\x1b the checkout')
            .replace("40 minutes\n    sit", '40 minutes"\n    sit')
            .encode(),
        ),
        args=("--stories", "{tree}/../my.yaml"),
        message="U+001B",
    ),
    Reject(
        "stories-unknown-answer",
        "stories",
        file="../my.yaml",
        line=10,
        setup=write("../my.yaml", STORIES.replace("[sample-star]", "[nope]").encode()),
        args=("--stories", "{tree}/../my.yaml"),
        message="nope",
    ),
    Reject(
        "stories-not-utf8",
        "stories",
        file="../my.yaml",
        line=3,
        setup=write("../my.yaml", STORIES.replace("Fixed", "Fix\xe9d").encode("latin-1")),
        args=("--stories", "{tree}/../my.yaml"),
        message="not valid UTF-8",
    ),
    Reject(
        "stories-cjk-headline",
        "stories",
        file="../my.yaml",
        line=3,
        setup=write("../my.yaml", STORIES.replace("Fixed the", "修复 the").encode()),
        args=("--stories", "{tree}/../my.yaml"),
        message="cannot be printed",
    ),
    # the ledger is validated like source
    Reject(
        "ledger-wrong-shape",
        "ledger",
        file="ledger.json",
        line=1,
        setup=write("ledger.json", b"[1, 2, 3]\n"),
        message="JSON object",
    ),
    Reject(
        "ledger-bad-version",
        "ledger",
        file="ledger.json",
        line=2,
        setup=write("ledger.json", LEDGER_OK.replace('"0.1.0",\n', '"one",\n').encode()),
        message="MAJOR.MINOR.PATCH",
    ),
    Reject(
        "ledger-incomplete-entry",
        "ledger",
        file="ledger.json",
        line=5,
        setup=write("ledger.json", LEDGER_OK.replace('"guid": "x", ', "").encode()),
        message="lacks 'guid'",
    ),
    Reject(
        "ledger-not-utf8",
        "ledger",
        file="ledger.json",
        line=1,
        setup=write("ledger.json", b'{"version": "\xff"}'),
        message="not valid UTF-8",
    ),
    Reject(
        "ledger-invalid-json",
        "ledger",
        file="ledger.json",
        line=2,
        setup=write("ledger.json", b'{\n  "version": 0.1.0\n}'),
        message="not valid JSON",
    ),
    Reject(
        "ledger-points-not-number",
        "ledger",
        file="ledger.json",
        line=5,
        setup=write(
            "ledger.json",
            LEDGER_OK.replace('"since": "0.1.0"}', '"since": "0.1.0", "points": "2"}').encode(),
        ),
        message="must be a int",
    ),
    Reject(
        "ledger-missing-notes",
        "ledger",
        file="ledger.json",
        line=1,
        setup=write("ledger.json", b'{"version": "0.1.0", "notetypes": {}}\n'),
        message="'notes' is missing",
    ),
    Reject(
        "ledger-released-id-gone",
        "ledger",
        file="ledger.json",
        line=5,
        setup=write("ledger.json", LEDGER_OK.replace("sample-term", "old-term").encode()),
        message="released in v0.1.0",
    ),
]


def _expected_line(case: Reject) -> int:
    if case.line is not None:
        return case.line
    original = DECK if case.file == "deck.yaml" else BASE
    start = original.index(case.old)
    marker = case.at or case.new.strip("\n").split("\n")[-1]
    offset = case.new.index(marker)
    return original[:start].count("\n") + case.new[:offset].count("\n") + 1


def _tree(tmp_path: Path, case: Reject) -> Path:
    tree = tmp_path / "src"
    (tree / "topics").mkdir(parents=True)
    texts = {"deck.yaml": DECK, "topics/t.yaml": BASE}
    if case.old:
        assert case.old in texts[case.file], case.old
        texts[case.file] = texts[case.file].replace(case.old, case.new, 1)
    for name, text in texts.items():
        (tree / name).write_text(text, encoding="utf-8")
    if case.setup:
        case.setup(tree)
    return tree


@pytest.mark.parametrize("case", REJECTS, ids=lambda c: f"{c.category}-{c.name}")
def test_rejected_with_file_and_line(
    tmp_path: Path, case: Reject, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = _tree(tmp_path, case)
    out = tmp_path / "out"
    args = [a.replace("{tree}", str(tree)) for a in case.args]
    status = cli.main(["-q", "--source", str(tree), "--out", str(out), *args])
    err = capsys.readouterr().err
    assert status == case.status, err
    assert "Traceback" not in err
    expected_line = _expected_line(case)
    name = os.path.normpath(tree / case.file)
    shown = [line for line in err.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]
    hits = [
        line
        for line in shown
        if os.path.normpath(line.split(":", 1)[0]).endswith(
            os.path.relpath(name, tree.parent).removeprefix("src/")
        )
        and line.split(":")[1] == str(expected_line)
        and case.message in line
    ]
    assert hits, f"expected {case.file}:{expected_line}: ...{case.message}...; got:\n{err}"
    assert not out.exists() or not any(out.rglob("*")), "output was written"


def test_corpus_covers_every_category() -> None:
    cats = {c.category for c in REJECTS} | {c.category for c in ACCEPTS}
    assert cats >= {
        "ids",
        "yaml11",
        "injection",
        "cloze",
        "technical",
        "control",
        "files",
        "glyphs",
        "stories",
        "ledger",
    }
    assert len(REJECTS) + len(ACCEPTS) >= 60


# --- accepted: technical text arrives literally everywhere --------------------------------


@dataclass(frozen=True)
class Accept:
    name: str
    category: str
    text: str  # what the source says (YAML-quoted below)
    shown: str | None = None  # what a reader must see, when it differs from `text`
    where: str = "point"  # point (card + cloze + reference + sheet) | answer | card | term


ACCEPTS = [
    Accept(
        "helm-values",
        "technical",
        "`{{ .Values.image.tag }}` pin",
        shown="{{ .Values.image.tag }} pin",
    ),
    Accept("helm-values-plain", "technical", "{{ .Values.image.tag }} pin"),
    Accept("jinja-var", "technical", "{{ inventory_hostname }} host"),
    Accept("jinja-block", "technical", "{% if prod %} gate"),
    Accept("jinja-comment", "technical", "{# note #} stays"),
    Accept("terraform-interp", "technical", "${var.name} value"),
    Accept("actions-expression", "technical", "${{ github.sha }} tag"),
    Accept("arn-double-colon", "cloze", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
    Accept("cpp-scope-code", "cloze", "`std::vector` grows", shown="std::vector grows"),
    Accept("cpp-scope-plain", "cloze", "std::vector grows"),
    Accept("cloze-lookalike", "cloze", "{{c1::hidden}} text"),
    Accept("closing-braces", "cloze", "close }} early"),
    Accept("hint-lookalike", "cloze", "a ::hint here"),
    Accept("entity-braces", "cloze", "&#123;&#123;c9::x&#125;&#125;", shown="{{c9::x}}"),
    Accept("backslash-braces", "cloze", r"\{\{c2::y\}\}", shown="{{c2::y}}"),
    Accept("shell-redirect", "technical", "cmd < in > out 2>&1"),
    Accept("placeholder", "technical", "ssh <host> now"),
    Accept("svg-onload", "injection", "<svg/onload=alert(1)> text"),
    Accept("script-tag", "injection", "<script>alert(1)</script>"),
    Accept("img-onerror", "injection", '<img src=x onerror="alert(1)">'),
    Accept("html-comment", "injection", "<!-- hide the rest"),
    Accept("ampersand", "technical", "AT&T and &amp; stay", shown="AT&T and & stay"),
    Accept("quotes", "technical", 'it\'s "quoted"'),
    Accept("shell-arith", "technical", "$(( 1 + 2 )) sum"),
    Accept("percent-template", "technical", "%{ for x in y } loop"),
    Accept(
        "answer-helm-block",
        "technical",
        '```yaml\nimage: "{{ .Values.image.repo }}:{{ .Values.image.tag }}"\n'
        "{{- if .Values.debug }}\n```",
        where="answer",
        shown='image: "{{ .Values.image.repo }}:{{ .Values.image.tag }}"',
    ),
    Accept(
        "answer-indented-code-first",
        "technical",
        "    kubectl get pods -A\n\nThen read.",
        where="answer",
        shown="kubectl get pods -A",
    ),
    Accept(
        "answer-html",
        "injection",
        "Run it <svg onload=x> now.",
        where="answer",
        shown="<svg onload=x>",
    ),
    Accept("answer-cjk", "glyphs", "部署 means deploy.", where="answer"),
    Accept("card-template", "technical", "Use {{ .Release.Name }} and ${var.env}.", where="card"),
    Accept("term-arn", "technical", "Like arn:aws:s3:::bucket and {{ x }}.", where="term"),
]


def _item(i: int, case: Accept) -> str:
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    point = q(case.text) if case.where == "point" else '"Plain point"'
    answer = "\n".join(
        "      " + line if line else ""
        for line in (case.text if case.where == "answer" else "Plain answer.").split("\n")
    )
    card = q(case.text) if case.where == "card" else '"Plain back."'
    out = f"""  - id: case-{i}
    prompt: "Case {i}: what does the point say?"
    kind: technical
    level: senior
    probing: Nothing.
    framework:
      - point: {point}
        gloss: First gloss.
      - point: Second point
        gloss: Second gloss.
    answer: |2
{answer}
    cards:
      - id: why-{i}
        kind: why
        q: Why this case?
        a: {card}
"""
    return out


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("accepted")
    tree = tmp / "src"
    (tree / "topics").mkdir(parents=True)
    (tree / "deck.yaml").write_text(DECK, encoding="utf-8")
    terms = "\n".join(
        f'  - id: term-case-{i}\n    term: Case {i}\n    definition: "{c.text}"'
        for i, c in enumerate(ACCEPTS)
        if c.where == "term"
    )
    topic = (
        'topic:\n  id: cases\n  title: "Cases <b>bold</b> & more"\n  tracks: [release]\n'
        "questions:\n"
        + "".join(_item(i, c) for i, c in enumerate(ACCEPTS))
        + "terms:\n"
        + terms
        + "\n"
    )
    (tree / "topics/cases.yaml").write_text(topic, encoding="utf-8")
    built = build(tree, tmp / "out", T0, only=("anki", "md", "pdf"))
    from anki.collection import Collection
    from anki.decks import DeckId
    from ankitools import import_apkg

    col = Collection(str(tmp / "c.anki2"))
    log = import_apkg(col, built["decks/devops-interview-prep.apkg"])
    cards: dict[str, list[tuple[str, str]]] = {}
    for cid in sorted(col.find_cards("")):
        card = col.get_card(cid)
        note_id = card.note()["Id"]
        cards.setdefault(html.unescape(note_id), []).append(
            (_visible(card.question()), _visible(card.answer()))
        )
    decks = {
        d.name: (col.decks.get(DeckId(d.id)) or {}).get("desc", "")
        for d in col.decks.all_names_and_ids()
    }
    col.close()
    from markdown_it import MarkdownIt
    from pypdf import PdfReader

    reference = "\n\n".join(
        path.read_text(encoding="utf-8")
        for name, path in sorted(built.items())
        if name.endswith(".md")
    )
    github = MarkdownIt("commonmark", {"html": True}).enable("table").render(reference)
    sheet = "".join(
        page.extract_text() for page in PdfReader(built["pdf/devops-interview-prep-a4.pdf"]).pages
    )
    return {"cards": cards, "reference": github, "sheet": sheet, "log": log, "decks": decks}


def _visible(markup: str) -> str:
    """What a reader sees: no style block, no tags, entities decoded."""
    markup = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    "i,case", list(enumerate(ACCEPTS)), ids=[f"{c.category}-{c.name}" for c in ACCEPTS]
)
def test_accepted_text_is_shown_literally(
    accepted: dict[str, object], i: int, case: Accept
) -> None:
    cards = accepted["cards"]
    assert isinstance(cards, dict)
    shown = case.shown or case.text
    github = str(accepted["reference"])
    live_tags = re.findall(r"<(?:svg|script|img|!--)[^>]*>?", github)
    assert not live_tags, live_tags  # nothing the source wrote is a live tag on GitHub
    if case.where == "answer":
        assert shown in html.unescape(re.sub(r"<[^>]+>", "", github)), shown
        assert "Plain point" in html.unescape(github)
        return
    if case.where == "term":
        ((_, back),) = cards[f"term-case-{i}"]
        assert shown in back
        assert _squash(shown) in _squash(str(accepted["sheet"]))
        return
    if case.where == "card":
        ((_, back),) = cards[f"case-{i}/why-{i}"]
        assert shown in back
        assert shown in html.unescape(re.sub(r"<[^>]+>", "", github))
        return
    # A key point: the outline card, one cloze card per point, the reference and the sheet.
    ((_, back),) = cards[f"case-{i}"]
    assert shown in back
    clozes = cards[f"case-{i}/steps"]
    assert len(clozes) == 2, "a point's text must never add or remove cloze cards"
    hidden_front, revealed = clozes[0]
    assert "[...]" in hidden_front and _squash(shown) not in _squash(hidden_front)
    assert shown in revealed
    assert "Second point" not in clozes[1][0] and shown in clozes[1][0]
    assert "Second point" in clozes[1][1]
    assert shown in html.unescape(re.sub(r"<[^>]+>", "", github))
    assert _squash(shown) in _squash(str(accepted["sheet"]))


def test_deck_description_is_inert(accepted: dict[str, object]) -> None:
    decks = accepted["decks"]
    assert isinstance(decks, dict)
    desc = decks["DevOps Interview Prep::Cases <b>bold</b> & more"]
    assert "<b>" not in desc and "&lt;b&gt;" in desc


def test_remote_urls_are_never_fetched(tmp_path: Path) -> None:
    """The sheet renderer refuses every URL but its own assets: a local server sees nothing."""
    import http.server
    import threading

    from prepdeck.errors import BuildError
    from prepdeck.render_pdf import render_pdf

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(BuildError) as err:
            render_pdf(
                f'<html><head><link rel="stylesheet" href="{url}/s.css"></head><body>'
                f'<img src="{url}/pixel.png"><img src="file:///etc/hostname">'
                f'<p style="background: url({url}/bg.png)">x</p></body></html>',
                "pdf/x.pdf",
            )
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []
    assert "refused" in str(err.value)


def test_remote_image_in_source_is_refused_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = next(c for c in REJECTS if c.name == "image-remote-in-prompt")
    tree = _tree(tmp_path, case)
    assert cli.main(["-q", "--source", str(tree), "--out", str(tmp_path / "o")]) == 1
    assert "never fetches a URL" in capsys.readouterr().err


def test_unwritable_out_is_an_environment_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = _tree(tmp_path, Reject("ok", "files"))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert cli.main(["-q", "--source", str(tree), "--out", str(blocker / "sub")]) == 3
    err = capsys.readouterr().err
    assert "not a directory" in err and "Traceback" not in err


def test_unknown_track_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = _tree(tmp_path, Reject("ok", "files"))
    assert (
        cli.main(["-q", "--source", str(tree), "--out", str(tmp_path / "o"), "--track", "nope"])
        == 2
    )
    assert "unknown track" in capsys.readouterr().err
