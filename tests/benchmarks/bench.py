#!/usr/bin/env python3
"""Build-speed benchmark: synthetic banks of 100, 1,000 and 10,000 questions.

    python tests/benchmarks/bench.py [--sizes 100 1000 10000] [--no-pdf]

For each size (in a fresh subprocess, so peak memory is per size) it times every stage of our
build, then the bare library calls that produce the same artifacts (the "floor": genanki writing
the same notes, WeasyPrint on the same HTML, markdown-it on the same Markdown), and prints our time
as a ratio to that floor, plus how time grows from one size to the next. Not a test: it prints
numbers; tests check behaviour.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ANSWER = """**Lead with the constraint.** Question {i} is about shipping change {i} safely. Keep
old and new versions compatible, widen exposure in steps and watch the signals.

```python
def rollout(step: int) -> float:
    return min(1.0, 0.05 * 2 ** step)  # item {i}
```

- measure the baseline first
- automate the rollback trigger
"""


def synthetic_topic(index: int, questions: int, start: int) -> str:
    """One topic file with `questions` questions, plus frameworks, STAR examples and terms."""
    out = [
        "topic:",
        f"  id: topic-{index}",
        f"  title: Topic {index}",
        "  tracks: [release]",
        "questions:",
    ]
    for i in range(start, start + questions):
        out += [
            f"  - id: q-{i}",
            f"    prompt: How would you handle change number {i}?",
            "    kind: technical",
            "    level: senior",
            "    probing: Whether you plan the way back first.",
            "    framework:",
        ]
        out += [
            f"      - point: Step {k} of {i}\n        gloss: Explain step {k} briefly."
            for k in range(1, 5)
        ]
        out += [
            "    answer: |",
            *("      " + line for line in ANSWER.format(i=i).splitlines()),
            "    followups:",
            f"      - id: f1\n        q: What if step {i} fails?\n        a: Roll back fast.",
            f"      - id: f2\n        q: Who decides on {i}?\n        a: The release owner.",
            "    cards:",
            f"      - id: why\n        kind: why\n        q: Why order {i} so?\n"
            "        a: Reversibility first.",
        ]
    out.append("frameworks:")
    for i in range(start, start + questions, 10):
        out += [
            f"  - id: fw-{i}",
            f"    name: Framework {i}",
            f"    prompt: The four steps of framework {i}, in order?",
            "    steps:",
        ]
        out += [f"      - point: Stage {k}\n        gloss: Stage {k} of {i}." for k in range(1, 5)]
        out += [
            "    cards:",
            f"      - id: why\n        kind: why\n        q: Why {i}?\n"
            "        a: Because order matters.",
        ]
    out.append("stars:")
    for i in range(start, start + questions, 10):
        out += [
            f"  - id: star-{i}",
            "    prompt: Tell me about a release that failed.",
            f"    spine: Release {i} failed; rolled back in 6 minutes.",
            "    probing: Ownership.",
            "    situation: A release broke checkout.",
            "    task: I owned it.",
            "    action: I rolled back and added a test.",
            "    result: Errors fell to zero in 6 minutes.",
            "    reflection: Rehearse.",
            "    competencies: [ownership]",
        ]
    out.append("terms:")
    for i in range(start, start + questions, 2):
        out += [
            f"  - id: term-{i}",
            f"    term: Term {i}",
            f"    definition: The meaning of term {i} in one sentence.",
        ]
    return "\n".join(out) + "\n"


def make_source(directory: Path, questions: int) -> None:
    (directory / "topics").mkdir(parents=True)
    (directory / "deck.yaml").write_text(
        "title: Benchmark\ndeck: Benchmark\ntracks:\n  - id: release\n    title: Release\n"
    )
    per = 100
    for index, start in enumerate(range(0, questions, per)):
        (directory / f"topics/t{index:04d}.yaml").write_text(
            synthetic_topic(index, min(per, questions - start), start)
        )


def timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def run_size(questions: int, pdf: bool) -> dict[str, float]:
    """All stages for one size, in this process."""
    from markdown_it import MarkdownIt

    from prepdeck import pipeline, sourcetree
    from prepdeck.notes import build_notes
    from prepdeck.outputs import write_all
    from prepdeck.project import read_settings
    from prepdeck.render_anki import build_package, render_apkg
    from prepdeck.render_markdown import render_reference
    from prepdeck.render_pdf import render_pdf
    from prepdeck.render_sheet import render_sheet

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src_dir = Path(tmp) / "source"
        make_source(src_dir, questions)
        (src, _), out["load+validate"] = timed(sourcetree.read_source, src_dir, src_dir)
        settings = read_settings(ROOT)
        ctx = pipeline.Context(settings, 1_760_000_000, "bench")
        notes, out["notes"] = timed(build_notes, src, settings.reference_url)
        apkg, out["render anki"] = timed(render_apkg, notes, {}, ctx.build_time)
        text, out["render markdown"] = timed(render_reference, src, settings.version)
        files = {"decks/x.apkg": apkg, "REFERENCE.md": text.encode()}
        html = render_sheet(
            src.current(),
            paper="a4",
            version="0",
            build_date="x",
            commit="x",
            url="x",
            license_name="MIT",
        )
        if pdf:
            files["pdf/x.pdf"], out["render pdf"] = timed(render_pdf, html, "pdf/x.pdf")
        _, out["write"] = timed(write_all, Path(tmp) / "out", files)
        out["ours total"] = sum(out.values())

        # The floor: bare library calls producing the same artifacts.
        package = build_package(notes, {})
        _, out["floor genanki"] = timed(
            package.write_to_file, str(Path(tmp) / "bare.apkg"), timestamp=ctx.build_time
        )
        answers = "\n\n".join(q.answer for q in src.questions)
        _, out["floor markdown-it"] = timed(MarkdownIt("commonmark").render, answers)
        if pdf:
            from importlib import resources

            import weasyprint

            assets = str(resources.files("prepdeck").joinpath("assets")) + "/"
            css = weasyprint.CSS(filename=assets + "sheet.css")
            _, out["floor weasyprint"] = timed(
                weasyprint.HTML(string=html, base_url=assets).write_pdf, stylesheets=[css]
            )
        out["floor total"] = sum(v for k, v in out.items() if k.startswith("floor "))
        if pdf:  # every sheet (full and per track, both papers), serial and in parallel
            import dataclasses
            import os

            jobs = os.cpu_count() or 1
            _, out["all sheets, --jobs 1"] = timed(pipeline.render_sheets, src, ctx)
            _, out[f"all sheets, --jobs {jobs}"] = timed(
                pipeline.render_sheets, src, dataclasses.replace(ctx, jobs=jobs, warnings=[])
            )
    out["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF stage")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_size(args.child, not args.no_pdf)))
        return 0
    results = {}
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--child", str(size)] + (["--no-pdf"] * args.no_pdf)
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results[size] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"measured {size} questions", file=sys.stderr)
    stages = list(next(iter(results.values())))
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, {platform.system()}"
    )
    print("| stage | " + " | ".join(f"{s:,} q" for s in args.sizes) + " |")
    print("| --- |" + " ---: |" * len(args.sizes))
    for stage in stages:
        unit = "" if stage == "peak MB" else " s"
        print(
            f"| {stage} | "
            + " | ".join(f"{results[s][stage]:.2f}{unit}" for s in args.sizes)
            + " |"
        )
    print(
        "| ours / floor | "
        + " | ".join(
            f"{results[s]['ours total'] / results[s]['floor total']:.2f}x" for s in args.sizes
        )
        + " |"
    )
    for small, big in zip(args.sizes, args.sizes[1:], strict=False):
        growth = results[big]["ours total"] / results[small]["ours total"]
        print(
            f"growth {small:,} -> {big:,} questions ({big / small:.0f}x input): {growth:.1f}x time"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
