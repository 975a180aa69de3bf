"""YAML text -> plain data that remembers where every value was written.

PyYAML's ``safe_load`` silently rewrites content (``no`` -> False, ``1.10`` -> 1.1, a repeated
key wins). We compose the node tree instead and walk it ourselves: scalars stay exactly as
written, each remembering the type plain YAML would have given it, so the validator can decide
per field what is allowed. Nothing here constructs Python objects from tags.
"""

from __future__ import annotations

import yaml

from .errors import Mark, Problem

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 24
_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {"str", "int", "float", "bool", "null", "timestamp"}
_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Scalar(str):
    """A scalar exactly as written; `kind` is what plain YAML would have made of it."""

    kind: str = "str"
    mark: Mark
    # For a block scalar (| or >): the file line of the text's first line, and its indent.
    first_line: int = 0
    indent: int = 0

    def at(self, line: int, col: int) -> Mark:
        """The file position of 1-based `line`/`col` inside this scalar's text."""
        if self.first_line:
            return Mark(self.mark.file, self.first_line + line - 1, self.indent + col)
        if line == 1:
            return Mark(self.mark.file, self.mark.line, self.mark.col + col - 1)
        return Mark(self.mark.file, self.mark.line + line - 1, 1)


class Mapping(dict[str, "Value"]):
    """A YAML mapping; `keys_at` holds where each key was written."""

    mark: Mark
    keys_at: dict[str, Mark]


class Sequence(list["Value"]):
    """A YAML sequence."""

    mark: Mark


Value = Scalar | Mapping | Sequence


def _mark(file: str, node: yaml.Node) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)


def decode(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 (with or without a byte-order mark) or a problem at the first bad byte."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Problem(
                Mark(file, 1, 1),
                f"file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; "
                "split it into smaller topic files",
            )
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        return None, [
            Problem(
                Mark(file, line, col),
                f"byte 0x{raw[err.start]:02x} is not valid UTF-8; save the file as UTF-8",
            )
        ]
    return text, []


def load_text(text: str, file: str) -> tuple[Value | None, list[Problem]]:
    """Parse one YAML document into marked plain data; never raises on bad input."""
    # libyaml (bundled with PyYAML's wheels) is several times faster; on any error the
    # pure-Python parser runs again for its more precise messages.
    fast_failed = False
    root = None
    if _FAST is not yaml.SafeLoader:
        try:
            root = yaml.compose(text, Loader=_FAST)
        except (yaml.YAMLError, RecursionError):
            fast_failed = True
    try:
        if fast_failed or _FAST is yaml.SafeLoader:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        return None, [_yaml_problem(err, file)]
    except yaml.reader.ReaderError as err:
        before = text[: err.position]
        line = before.count("\n") + 1
        col = err.position - (before.rfind("\n") + 1) + 1
        char = f"U+{err.character:04X}" if isinstance(err.character, int) else repr(err.character)
        return None, [
            Problem(
                Mark(file, line, col),
                f"character {char} is not allowed in a "
                "YAML file; delete it (was the file saved as text?)",
            )
        ]
    except yaml.YAMLError as err:  # pragma: no cover - PyYAML marks nearly every error
        return None, [Problem(Mark(file, 1, 1), f"not valid YAML: {err}")]
    except RecursionError:
        return None, [Problem(Mark(file, 1, 1), "nesting is far too deep; flatten the file")]
    if root is None:
        return None, [Problem(Mark(file, 1, 1), "file is empty; add content or delete the file")]
    problems: list[Problem] = []
    value = _Walker(file, problems, text).walk(root, 0)
    return value, problems


def load_bytes(raw: bytes, file: str) -> tuple[Value | None, list[Problem]]:
    text, problems = decode(raw, file)
    if text is None:
        return None, problems
    return load_text(text, file)


def _yaml_problem(err: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    where = Mark(file, mark.line + 1, mark.column + 1) if mark else Mark(file, 1, 1)
    what = " ".join(str(p) for p in (err.context, err.problem) if p)
    if "'\\t'" in what:
        what = "a tab character; YAML indentation must use spaces"
    elif "mapping values are not allowed here" in what:
        what = "': ' inside unquoted text; put the whole value in double quotes"
    elif "expected a single document" in what:
        what = "more than one YAML document (---) in a file; keep one per file"
    return Problem(where, f"YAML syntax error: {what}")


class _Walker:
    def __init__(self, file: str, problems: list[Problem], text: str = "") -> None:
        self.file = file
        self.problems = problems
        self.seen: set[int] = set()
        self.text = text
        self._lines: list[str] | None = None

    def fail(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Problem(_mark(self.file, node), message))

    def walk(self, node: yaml.Node, depth: int) -> Value:
        mark = _mark(self.file, node)
        if id(node) in self.seen:
            self.fail(
                node,
                "YAML anchors and aliases (&name, *name) are not allowed; "
                "write the value out in full",
            )
            return _scalar("", "null", mark)
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            self.fail(node, f"nested more than {MAX_DEPTH} levels deep; flatten the structure")
            return _scalar("", "null", mark)
        tag = node.tag[len(_YAML) :] if node.tag.startswith(_YAML) else node.tag
        shown = "!!" + tag if node.tag.startswith(_YAML) else node.tag
        if isinstance(node, yaml.MappingNode):
            if tag != "map":
                self.fail(node, f"tag {shown!r} is not allowed; remove it")
            return self._mapping(node, depth, mark)
        if isinstance(node, yaml.SequenceNode):
            if tag != "seq":
                self.fail(node, f"tag {shown!r} is not allowed; remove it")
            seq = Sequence(self.walk(item, depth + 1) for item in node.value)
            seq.mark = mark
            return seq
        if tag not in _SCALAR_TAGS:
            self.fail(node, f"tag {shown!r} is not allowed; remove it and write plain text")
            return _scalar(str(node.value), "null", mark)
        scalar = _scalar(str(node.value), tag, mark)
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            self._place_block(scalar, node)
        return scalar

    def _place_block(self, scalar: Scalar, node: yaml.ScalarNode) -> None:
        if self._lines is None:
            self._lines = self.text.split("\n")
        first = node.start_mark.line + 1  # 0-based index of the line after the indicator
        while first < len(self._lines) and not self._lines[first].strip():
            first += 1
        leading_blank = len(str(node.value)) - len(str(node.value).lstrip("\n"))
        if first < len(self._lines):
            line = self._lines[first]
            scalar.indent = len(line) - len(line.lstrip(" "))
        scalar.first_line = first + 1 - leading_blank

    def _mapping(self, node: yaml.MappingNode, depth: int, mark: Mark) -> Mapping:
        out = Mapping()
        out.mark = mark
        out.keys_at = {}
        for key_node, value_node in node.value:
            key_mark = _mark(self.file, key_node)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _YAML + "merge":
                self.fail(key_node, "keys must be plain words (no merge keys `<<` or complex keys)")
                continue
            key = str(key_node.value)
            if key in out:
                self.fail(
                    key_node,
                    f"duplicate key {key!r} (first at line {out.keys_at[key].line}); keep one",
                )
                continue
            out.keys_at[key] = key_mark
            out[key] = self.walk(value_node, depth + 1)
        return out


def _scalar(text: str, kind: str, mark: Mark) -> Scalar:
    s = Scalar(text)
    s.kind = kind
    s.mark = mark
    return s
