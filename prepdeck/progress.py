"""What the command line prints: a line per stage, a bar on a terminal, or one JSON report."""

from __future__ import annotations

import json
import sys
from typing import Any

from . import model
from .errors import Problem


class Log:
    def __init__(self, *, quiet: bool = False, as_json: bool = False) -> None:
        self.quiet = quiet
        self.as_json = as_json
        self.report: dict[str, Any] = {"ok": True, "stages": [], "outputs": [], "problems": []}
        self.tty = sys.stderr.isatty() and not quiet and not as_json

    def warnings(self, problems: list[Problem]) -> None:
        for p in problems:
            self.report["problems"].append(_problem(p))
            if not self.as_json:
                print(p, file=sys.stderr)

    def note(self, text: str) -> None:
        """Something the user should know that is not a problem (printed to stderr)."""
        self.report.setdefault("notes", []).append(text)
        if not self.as_json:
            print(f"note: {text}", file=sys.stderr)

    def problems(
        self, problems: list[Problem], strict: bool, written: list[str] | None = None
    ) -> None:
        """`written`: the outputs that built and were written despite the problems."""
        errors = sum(1 for p in problems if strict or not p.warning)
        self.report["ok"] = False
        self.report["problems"] = [_problem(p) for p in problems]
        if self.as_json:
            print(json.dumps(self.report, indent=1))
            return
        for p in problems:
            print(p, file=sys.stderr)
        done = (
            f"wrote only the outputs that built: {', '.join(written)}"
            if written
            else "nothing was written"
        )
        print(f"{errors} problem(s); {done}", file=sys.stderr)

    def progress(self, number: int, total: int, target: str) -> None:
        if self.tty:
            done = int(20 * (number - 1) / total)
            print(
                f"\r[{'#' * done}{'.' * (20 - done)}] building {target} ({number}/{total})",
                end="",
                file=sys.stderr,
                flush=True,
            )

    def stage(self, name: str, **info: Any) -> None:
        self.report["stages"].append({"stage": name, **info})
        if self.tty:
            print("\r\033[K", end="", file=sys.stderr)
        if self.quiet or self.as_json:
            return
        if "skipped" in info:
            print(f"{name}: skipped, {info['skipped']} (--force rebuilds)")
        elif "counts" in info:
            counts = ", ".join(f"{v} {k}" for k, v in info["counts"].items())
            print(f"{name}: {counts} in {info['seconds']:.2f} s")
        else:
            print(
                f"{name}: {info['files']} file(s), {info['size'] / 1e6:.1f} MB "
                f"in {info['seconds']:.2f} s"
            )

    def checked(self, src: model.Source) -> None:
        self.report["check"] = True
        if self.as_json:
            print(json.dumps(self.report, indent=1))
        elif not self.quiet:
            print(
                f"ok: {len(src.questions)} questions, {len(src.frameworks)} frameworks, "
                f"{len(src.stars)} STAR examples, {len(src.terms)} terms"
            )

    def outputs(self, files: dict[str, bytes], changed: list[str]) -> None:
        for name in files:
            state = "wrote" if name in changed else "unchanged"
            self.report["outputs"].append({"path": name, "state": state})
            if not self.quiet and not self.as_json:
                print(f"{state} {name}")
        if self.as_json:
            print(json.dumps(self.report, indent=1))


def _problem(p: Problem) -> dict[str, Any]:
    return {
        "file": p.mark.file,
        "line": p.mark.line,
        "col": p.mark.col,
        "message": p.message,
        "warning": p.warning,
    }
