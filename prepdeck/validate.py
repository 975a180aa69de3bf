"""Marked plain data -> the typed model, or every problem found.

Walks the specs in ``schema.py``; then checks what spans files (unique ids, references) and
builds the model. Problems carry the file, line and column of the offending value.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Callable
from typing import Any

from . import availability, glyphs, lint, model, schema
from .errors import Mark, Problem
from .load import Mapping, Scalar, Sequence, Value
from .text import control_chars, file_slug, markdown_issues, media_refs, words

_SLUG = re.compile(schema.SLUG)
_DECIMAL = re.compile(r"^[0-9]{1,9}$")
_NUMBER = re.compile(r"^-?[0-9]{1,12}(?:\.[0-9]{1,9})?$")  # not YAML 1.1's 0x7E4, 0o17 or 1:20:00
_KIND_NAMES = {
    "bool": "a true/false value",
    "int": "a number",
    "float": "a number",
    "null": "empty (null)",
    "timestamp": "a date",
}
RESERVED_LOCAL_IDS = {"steps"}
# Anchors the reference writes itself; an item id equal to one would hijack its links.
RESERVED_IDS = {"glossary", "retired", "contents"}
RESERVED_ID_PREFIX = "topic-"
# Output-name suffixes the build uses itself; a track with one of these ids would overwrite them.
RESERVED_TRACKS = {"my-stories"}


class Checked(dict[str, Any]):
    """A checked mapping: its valid keys, and where the mapping was written."""

    mark: Mark


class Checker:
    """Checks values against specs, collecting problems and the references to resolve.

    Public: the personal file (stories.py) is checked by the same machinery."""

    def __init__(self) -> None:
        self.media: list[tuple[str, Mark]] = []  # media-folder pictures the text shows
        self.problems: list[Problem] = []
        self.refs: list[tuple[Scalar, schema.Ref, str]] = []

    def fail(self, mark: Mark, path: str, message: str, *, warning: bool = False) -> None:
        self.problems.append(Problem(mark, f"{path}: {message}", warning))

    def check(self, value: Value, spec: schema.Spec, path: str) -> Any:
        if isinstance(spec, schema.Obj):
            return self._obj(value, spec, path)
        if isinstance(spec, schema.List):
            return self._list(value, spec, path)
        if not isinstance(value, Scalar):
            found = "a list" if isinstance(value, Sequence) else "a mapping"
            self.fail(value.mark, path, f"expected {_expected(spec)}, found {found}")
            return None
        if isinstance(spec, schema.Text):
            return self._text(value, spec, path)
        if isinstance(spec, schema.Markdown):
            return self._markdown(value, path)
        if isinstance(spec, (schema.Slug, schema.Ref)):
            if not _SLUG.match(value):
                self.fail(
                    value.mark,
                    path,
                    f"{value!r} is not a valid id; use lowercase "
                    "letters, digits and single hyphens, e.g. 'blue-green-deploys'",
                )
                return None
            if isinstance(spec, schema.Ref):
                self.refs.append((value, spec, path))
            return value  # a Scalar: keeps its mark for later cross-file checks
        if isinstance(spec, schema.Enum):
            if value not in spec.values:
                self.fail(
                    value.mark,
                    path,
                    f"{value!r} is not one of {', '.join(spec.values)}"
                    + _did_you_mean(value, spec.values),
                )
                return None
            return str(value)
        if isinstance(spec, schema.Number):
            if value.kind not in ("int", "float") or not _NUMBER.match(value):
                self.fail(value.mark, path, f"{value!r} must be a number such as 14.4")
                return None
            return float(value)
        if isinstance(spec, schema.Code):
            return self._code(value, path)
        if isinstance(spec, schema.Int):
            if not _DECIMAL.match(value) or not spec.minimum <= int(value) <= spec.maximum:
                self.fail(
                    value.mark,
                    path,
                    f"{value!r} must be a whole number from {spec.minimum} to {spec.maximum}",
                )
                return None
            return int(value)
        if value.kind != "bool" or value not in ("true", "false"):
            self.fail(value.mark, path, f"{value!r} must be true or false")
            return None
        return value == "true"

    def _code(self, value: Scalar, path: str) -> str | None:
        """Graphviz DOT: control characters refused, then its own allow-list check."""
        from .diagrams import check_dot

        text = self._string(value, path, schema.MAX_MARKDOWN_CHARS, block=True)
        if text is None:
            return None
        issues = check_dot(text)
        leading = self._leading_lines(value)
        for issue in issues:
            self.fail(value.at(issue.line + leading, issue.col), path, issue.message)
        if issues:
            return None
        out = Scalar(text)  # keeps where it was written, for errors found while drawing
        out.mark = value.at(1 + leading, 1)
        out.first_line = value.first_line + leading if value.first_line else 0
        out.indent = value.indent
        return out

    def _text(self, value: Scalar, spec: schema.Text, path: str) -> str | None:
        if spec.numbers_ok and value.kind in ("int", "float"):
            value = _as_text(value)
        text = self._string(value, path, schema.MAX_TEXT_CHARS)
        if text is None:
            return None
        for issue in markdown_issues(text, block=False):
            self.fail(value.at(issue.line, issue.col), path, issue.message)
        self.media += [(name, value.mark) for _, name in media_refs(text, block=False)]
        if spec.sheet:
            self._glyphs(value, text, path)
        if spec.deck_name and "::" in text:
            self.fail(
                value.mark,
                path,
                "contains '::', which Anki reads as a subdeck "
                "separator; use another separator such as ' - '",
            )
        if "\n" in text:
            self.fail(
                value.mark,
                path,
                "text contains a line break, but it must be one line; fold it into one line",
            )
            return None
        if spec.chars is not None and len(text) > spec.chars:
            self.fail(
                value.mark,
                path,
                f"{len(text)} characters, over the limit of "
                f"{spec.chars} that fits one line of the cheat sheet; shorten it",
            )
        count = words(text)
        if spec.limit is not None and count > spec.limit:
            self.fail(
                value.mark,
                path,
                f"{count} words, over the hard limit of {spec.limit}; "
                "shorten it and move detail to the model answer",
            )
        elif spec.warn is not None and count > spec.warn:
            self.fail(
                value.mark,
                path,
                f"{count} words, over the card limit of {spec.warn}; shorten it",
                warning=True,
            )
        if spec.pattern and not re.search(spec.pattern, text):
            self.fail(value.mark, path, spec.pattern_hint)
        if spec.question and text.count("?") != 1:
            self.fail(
                value.mark,
                path,
                "a card front asks exactly one question: use one '?'",
                warning=True,
            )
        return text

    def _markdown(self, value: Scalar, path: str) -> str | None:
        text = self._string(value, path, schema.MAX_MARKDOWN_CHARS, block=True)
        if text is None:
            return None
        issues = markdown_issues(text, block=True)
        lead = self._leading_lines(value)
        self.media += [
            (name, value.at(line + lead, 1)) for line, name in media_refs(text, block=True)
        ]
        for issue in issues:
            self.fail(
                value.at(issue.line + self._leading_lines(value), issue.col), path, issue.message
            )
        return None if issues else text

    @staticmethod
    def _leading_lines(value: str) -> int:
        """Blank lines the stored text dropped from the start of the scalar."""
        head = value[: len(value) - len(value.lstrip())]
        return head.count("\n")

    def _glyphs(self, value: Scalar, text: str, path: str) -> None:
        """Every character the sheet prints must exist in its fonts (else a blank box)."""
        offset = len(value) - len(value.lstrip())
        seen: set[str] = set()
        for i, char in enumerate(text):
            if char not in seen and not glyphs.drawable(char):
                seen.add(char)
                self.fail(value.at(1, offset + i + 1), path, glyphs.message(char))

    def _string(
        self, value: Scalar, path: str, max_chars: int, *, block: bool = False
    ) -> str | None:
        if value.kind != "str":
            what = _KIND_NAMES.get(value.kind, value.kind)
            if value.kind == "null":
                self.fail(value.mark, path, "is empty; write the text or remove the key")
            else:
                self.fail(
                    value.mark,
                    path,
                    f'{value!r} reads as {what} in YAML, not text; quote it: "{value}"',
                )
            return None
        bad = control_chars(value)
        for issue in bad:
            self.fail(value.at(issue.line, issue.col), path, issue.message)
        if bad:
            return None
        # A Markdown block keeps its first line's indent (it may open an indented code block).
        text = value.lstrip("\n").rstrip() if block else value.strip()
        if not text.strip():
            self.fail(value.mark, path, "is empty; write the text or remove the key")
            return None
        if len(text) > max_chars:
            self.fail(
                value.mark,
                path,
                f"{len(text):,} characters, over the limit of {max_chars:,}; shorten it",
            )
            return None
        return text

    def _list(self, value: Value, spec: schema.List, path: str) -> list[Any] | None:
        if not isinstance(value, Sequence):
            self.fail(
                value.mark,
                path,
                f"expected a list ({spec.doc.rstrip('.')}), "
                f"found {'a mapping' if isinstance(value, Mapping) else 'a single value'}",
            )
            return None
        n = len(value)
        if n < spec.min_items:
            self.fail(value.mark, path, f"{n} item(s), at least {spec.min_items} needed")
        if spec.max_items is not None and n > spec.max_items:
            self.fail(
                value.mark, path, f"{n} items, at most {spec.max_items} allowed (split or regroup)"
            )
        return [self.check(item, spec.item, f"{path}[{i}]") for i, item in enumerate(value)]

    def _obj(self, value: Value, spec: schema.Obj, path: str) -> Checked | None:
        if not isinstance(value, Mapping):
            self.fail(
                value.mark,
                path,
                f"expected a mapping with keys "
                f"{', '.join(spec.fields)}, found "
                f"{'a list' if isinstance(value, Sequence) else 'a single value'}",
            )
            return None
        out = Checked()
        out.mark = value.mark
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            if key not in spec.fields:
                self.fail(
                    value.keys_at[key],
                    sub,
                    f"unknown key {key!r}"
                    + _did_you_mean(key, spec.fields)
                    + f"; allowed: {', '.join(spec.fields)}",
                )
                continue
            out[key] = self.check(item, spec.fields[key], sub)
        for key in sorted(spec.required - value.keys()):
            self.fail(
                value.mark,
                path or "file",
                f"missing required key {key!r} ({spec.fields[key].doc.rstrip('.')})",
            )
        if spec.one_of and sum(key in value for key in spec.one_of) != 1:
            keys = " or ".join(f"`{key}`" for key in spec.one_of)
            self.fail(value.mark, path or "file", f"give exactly one of {keys}")
        for a, b in spec.together:
            if (a in value) != (b in value):
                given = a if a in value else b
                self.fail(
                    value.keys_at[given], path or "file", f"give both {a} and {b}, or neither"
                )
        return out


def _chart_spec(chart: dict[str, Any]) -> dict[str, Any]:
    """The checked chart as plain data: numeric x values become numbers."""
    x: list[Any] = list(chart["x"])
    if all(_NUMBER.match(v) for v in x):
        x = [float(v) for v in x]
    spec = {k: v for k, v in chart.items() if v is not None and k not in ("x", "series")}
    spec["x"] = x
    spec["series"] = [
        {"label": s["label"], "values": list(s["values"])} for s in chart["series"] if s
    ]
    spec["lines"] = [dict(line) for line in chart.get("lines") or [] if line]
    return spec


def _as_text(value: Scalar) -> Scalar:
    out = Scalar(str(value))
    out.mark = value.mark
    return out


def _expected(spec: schema.Spec) -> str:
    if isinstance(spec, (schema.Text, schema.Markdown)):
        return "text"
    return "an id" if isinstance(spec, (schema.Slug, schema.Ref)) else "a single value"


def _did_you_mean(word: str, options: Any) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


Converter = Callable[[Any, str], Any]  # a checked form -> its model value, or None


def construct(
    spec: schema.Obj,
    data: dict[str, Any],
    path: str = "",
    converters: dict[str, Converter] | None = None,
    **given: Any,
) -> Any:
    """The model value of a checked mapping, by field name: every key the spec declares, its
    records built in turn; `given` supplies what the build derives (a question's topic).
    None when a required value is missing (its problem is already reported)."""
    if spec.convert:  # a form drawn or computed whole: only when nothing in it was refused
        return (converters or {})[spec.convert](data, path) if complete(spec, data) else None
    if spec.model is None:
        return data
    if any(data.get(key) is None for key in spec.required - given.keys()):
        return None
    values = dict(spec.preset)
    for key, sub in spec.fields.items():
        if key not in given and data.get(key) is not None:
            values[key] = _value(sub, data[key], f"{path}.{key}" if path else key, converters)
    return spec.model(**values, **given)


def complete(spec: schema.Spec, value: Any) -> bool:
    """Whether a checked value has every required key and no refused value, at any depth
    (when it has not, the checker has already reported why)."""
    if value is None:
        return False
    if isinstance(spec, schema.List):
        return all(complete(spec.item, item) for item in value)
    if isinstance(spec, schema.Obj):
        return all(value.get(key) is not None for key in spec.required) and all(
            key in spec.fields and complete(spec.fields[key], item) for key, item in value.items()
        )
    return True


def _value(spec: schema.Spec, value: Any, path: str, converters: Any) -> Any:
    if isinstance(spec, schema.List):
        out = (
            _value(spec.item, item, f"{path}[{i}]", converters)
            for i, item in enumerate(value)
            if item is not None
        )
        return tuple(item for item in out if item is not None)
    if isinstance(spec, schema.Obj):
        return construct(spec, value, path, converters)
    if isinstance(spec, (schema.Slug, schema.Ref)):
        return str(value)  # the checked Scalar kept its mark for cross-file checks
    return value


MediaLoader = Callable[[str], "bytes | str"]  # file name -> its bytes, or why it cannot be used


def validate(
    deck: tuple[str, Value] | None,
    files: list[tuple[str, Value]],
    *,
    run_lint: bool = True,
    media: MediaLoader | None = None,
) -> tuple[model.Source | None, list[Problem]]:
    """Check the deck settings and every topic file; a model only when nothing is wrong.

    The card-design lint (warnings) runs only on a source without errors: on broken input it
    would only add noise to the real problems.
    """
    c = Checker()
    deck_data = c.check(deck[1], model.DECK_FILE, "") if deck else None
    checked = [(name, c.check(value, model.TOPIC_FILE, "")) for name, value in files]
    builder = _Builder(c, deck_data or {})
    if deck and deck_data:
        builder.check_deck(deck[1])
    for name, data in checked:
        if data:
            builder.add_file(name, data)
    builder.resolve()
    pictures: dict[str, bytes] = {}
    for name, mark in c.media:  # the media-folder pictures the text shows must exist
        if name in pictures:
            continue
        found = media(name) if media else "no media folder is available here"
        if isinstance(found, bytes):
            pictures[name] = found
        else:
            c.fail(mark, "media", f"media/{name}: {found}")
    errors = [p for p in c.problems if not p.warning]
    if errors or deck_data is None:
        return None, c.problems
    src = dataclasses.replace(builder.source(), media=tuple(sorted(pictures.items())))
    if not run_lint:
        return src, c.problems
    confusables = tuple(
        lint.Confusable(str(p["a"]), str(p["b"]), p["a"].mark)
        for p in deck_data.get("confusables") or []
        if p and p["a"] and p["b"]
    )
    return src, c.problems + lint.lint(src, builder.ids, confusables)


class _Builder:
    """Turns checked mappings into model objects and checks what spans items and files."""

    def __init__(self, c: Checker, deck: dict[str, Any]) -> None:
        self.c = c
        self.deck = deck
        self.ids: dict[str, Mark] = {}
        self.topics: list[model.Topic] = []
        self.items: dict[str, list[Any]] = {key: [] for key in model.ITEM_FORMS}
        self.prompts: dict[str, Mark] = {}  # normalised prompt -> where it was first asked
        tracks = [t for t in deck.get("tracks") or [] if t and t.get("id")]
        self.track_ids = {t["id"] for t in tracks}
        self.converters: dict[str, Converter] = {"diagram": self._diagram}
        # Checks one kind of item needs beyond its spec; each returns the fields it derives,
        # or None to leave the item out (its problem reported).
        self.checks: dict[type, Callable[[Checked, str], dict[str, Any] | None]] = {
            model.Question: self._question,
            model.Framework: self._local_ids,
            model.Table: self._table,
        }

    def check_deck(self, value: Value) -> None:
        """Names that Anki and file systems interpret: checked once, with their lines."""
        if not isinstance(value, Mapping):
            return  # reported by the shape check
        deck = value.get("deck")
        if isinstance(deck, Scalar) and self.deck.get("deck") and not file_slug(deck):
            self.c.fail(
                deck.mark,
                "deck",
                f"{str(deck)!r} gives no usable file name (the "
                "outputs are named after it); include some Latin letters or digits",
            )
        seen: dict[str, Mark] = {}
        tracks = value.get("tracks")
        for i, track in enumerate(tracks if isinstance(tracks, Sequence) else []):
            tid = track.get("id") if isinstance(track, Mapping) else None
            if not isinstance(tid, Scalar):
                continue
            if tid in seen:
                self.c.fail(
                    tid.mark,
                    f"tracks[{i}].id",
                    f"duplicate track id {str(tid)!r}, "
                    f"already used at {seen[tid]}; give each track its own id",
                )
            elif tid in RESERVED_TRACKS:
                self.c.fail(
                    tid.mark,
                    f"tracks[{i}].id",
                    f"track id {str(tid)!r} is reserved "
                    "(the private story outputs use that name); pick another",
                )
            seen.setdefault(str(tid), tid.mark)

    def claim(self, item_id: str | None, mark: Mark, path: str) -> bool:
        if item_id is None:
            return False
        if item_id in RESERVED_IDS or item_id.startswith(RESERVED_ID_PREFIX):
            self.c.fail(
                mark,
                path,
                f"id {item_id!r} is reserved: the reference uses it for "
                "its own anchors; pick another id",
            )
            return False
        if item_id in self.ids:
            first = self.ids[item_id]
            self.c.fail(
                mark,
                path,
                f"duplicate id {item_id!r}, already used at {first}; "
                "ids are unique across all files",
            )
            return False
        self.ids[item_id] = mark
        return True

    def add_file(self, name: str, data: dict[str, Any]) -> None:
        topic = data.get("topic")
        if not topic:
            return
        t = construct(model.TOPIC, topic, "topic", file=name)
        if t is None:
            return
        other = next((o for o in self.topics if o.id == t.id), None)
        if other is not None and (other.title, other.tracks) != (t.title, t.tracks):
            self.c.fail(
                topic["id"].mark,
                "topic.id",
                f"topic {t.id!r} continues {other.file} "
                "but with another title or tracks; a topic may span several files "
                "only if each file gives it the same title and tracks",
            )
            return
        if other is None:
            self.topics.append(t)
        else:
            t = other  # this file continues a topic begun in an earlier file
        for key, spec in model.ITEM_FORMS.items():
            for i, item in enumerate(data.get(key) or []):
                if item:
                    self._add(key, spec, item, t, f"{key}[{i}]")

    def _add(
        self, key: str, spec: schema.Obj, item: Checked, topic: model.Topic, path: str
    ) -> None:
        """One item of any kind: its id claimed, its own checks run, then built by name."""
        if any(item.get(k) is None for k in spec.required):
            return  # a required value is missing or was refused: already reported
        if not self.claim(item["id"], item["id"].mark, f"{path}.id"):
            return
        given: dict[str, Any] = {"topic": topic.id}
        if "tracks" in spec.fields:
            given["tracks"] = tuple(str(t) for t in (item.get("tracks") or topic.tracks) if t)
        check = self.checks.get(spec.model) if spec.model else None
        derived = check(item, path) if check else {}
        if derived is None:
            return
        built = construct(spec, item, path, self.converters, **given, **derived)
        if built is not None:
            self.items[key].append(built)

    def _local_ids(self, item: Checked, path: str) -> dict[str, Any]:
        """Follow-ups and cards share one id space inside their parent."""
        seen: set[str] = set()
        for key in ("followups", "cards"):
            for i, qa in enumerate(item.get(key) or []):
                if not qa or qa.get("id") is None:
                    continue
                if qa["id"] in seen or qa["id"] in RESERVED_LOCAL_IDS:
                    why = "is reserved" if qa["id"] in RESERVED_LOCAL_IDS else "is used twice"
                    self.c.fail(
                        qa["id"].mark,
                        f"{path}.{key}[{i}].id",
                        f"id {qa['id']!r} {why} in {item['id']}; pick another",
                    )
                seen.add(qa["id"])
        return {}

    def _question(self, q: Checked, path: str) -> dict[str, Any]:
        key = " ".join(re.sub(r"[^\w\s]", " ", q["prompt"].casefold()).split())
        first = self.prompts.setdefault(key, q["id"].mark)
        if first != q["id"].mark:
            self.c.fail(
                q["id"].mark,
                f"{path}.prompt",
                f"the same prompt as the question at "
                f"{first}; merge the two or make one of them ask something else",
                warning=True,
            )
        return self._local_ids(q, path)

    def _table(self, t: Checked, path: str) -> dict[str, Any] | None:
        """A table gives columns and rows, or names one the build computes."""
        if t.get("computed"):
            if t.get("columns") or t.get("rows") or t.get("source"):
                self.c.fail(
                    t["id"].mark,
                    path,
                    "a computed table takes no columns, rows or "
                    "source; remove them, or drop `computed`",
                )
            return {"columns": availability.COLUMNS, "rows": tuple(availability.table())}
        if not t.get("columns") or not t.get("rows"):
            self.c.fail(t["id"].mark, path, "a table needs columns and rows (or `computed`)")
            return None
        width = len(t["columns"])
        for i, row in enumerate(t["rows"]):
            if row is not None and len(row) != width:
                self.c.fail(
                    t["id"].mark,
                    f"{path}.rows[{i}]",
                    f"{len(row)} cells, but the "
                    f"table has {width} columns; make every row as wide as the header",
                )
        return {}

    def _diagram(self, d: Checked, path: str) -> model.Diagram | None:
        """The item's picture, drawn once here so a drawing that fails is a source problem
        with its line (the renderers reuse the cached drawing)."""
        from .diagrams import DiagramError, draw

        if not d.get("alt"):
            return None
        mark = d.mark
        dot: Any = d.get("dot")
        chart: Any = d.get("chart")
        if (dot is None) == (chart is None):
            return None  # none or both (the spec check reported it), or the one given was refused
        if dot is not None:
            kind, source = "graph", str(dot)
            mark = dot.mark
        else:
            lengths = {len(s["values"]) for s in chart["series"] if s}
            if lengths != {len(chart["x"])}:
                self.c.fail(
                    mark,
                    f"{path}.chart",
                    f"every series needs one value per x "
                    f"value ({len(chart['x'])}); found {sorted(lengths)}",
                )
                return None
            kind, source = "chart", json.dumps(_chart_spec(chart), sort_keys=True)
        try:
            draw(kind, source)
        except DiagramError as err:
            at = dot.at(err.line, 1) if dot is not None else mark
            self.c.fail(at, path, f"cannot draw it: {err}")
            return None
        return model.Diagram(kind=kind, alt=d["alt"], source=source)

    def resolve(self) -> None:
        pools = {
            "tracks": self.track_ids,
            **{key: {item.id for item in items} for key, items in self.items.items()},
        }
        known: dict[tuple[str, ...], set[str]] = {}
        for value, spec, path in self.c.refs:
            if spec.to not in known:  # one union per kind of reference, not one per reference
                known[spec.to] = set().union(*(pools[p] for p in spec.to))
            if value not in known[spec.to]:
                what = " or ".join(p.rstrip("s") for p in spec.to)
                self.c.fail(
                    value.mark,
                    path,
                    f"no {what} has id {str(value)!r}" + _did_you_mean(value, known[spec.to]),
                )

    def source(self) -> model.Source:
        deck: model.Deck = construct(model.DECK_FILE, self.deck)
        return model.Source(
            title=deck.title,
            deck=deck.deck,
            tracks=deck.tracks,
            topics=tuple(self.topics),
            **{key: tuple(items) for key, items in self.items.items()},
        )
