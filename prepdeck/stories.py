"""The user's own story bank: validated against the public source, built only privately.

Behavioral rounds are won with the candidate's own stories (card rule C12), so the template
`source/stories.example.yaml` is copied to a git-ignored `my-stories.yaml` (or passed with
``--stories``). Its notes live in their own GUID namespace and their own subdeck, and never
enter a public release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import model, schema
from .errors import Mark, Problem
from .load import Value
from .notes import NoteSpec, anchor_url
from .render_markdown import page_of
from .text import anki_inline, anki_plain, deck_name, escape, ref_inline, sheet_inline
from .validate import _Checker

NAMESPACE = "prepdeck-my-stories"  # never change: your story cards' GUIDs derive from it
PLACEHOLDER = re.compile(r"\bTODO\b")
_DIGIT = re.compile(r"\d")
PARTS = ("situation", "task", "action", "result", "reflection")


@dataclass(frozen=True)
class Story:
    id: str
    headline: str
    situation: str
    task: str
    action: str
    result: str
    reflection: str
    competencies: tuple[str, ...]
    answers: tuple[str, ...]


def validate_stories(value: Value, file: str, src: model.Source
                     ) -> tuple[tuple[Story, ...], list[Problem]]:
    """Stories, and every problem: errors for broken references, warnings for placeholders."""
    c = _Checker()
    data = c.check(value, schema.STORIES_FILE, "")
    known = {q.id: "question" for q in src.questions} | {s.id: "star" for s in src.stars}
    for ref, _spec, path in c.refs:
        if ref not in known:
            c.fail(ref.mark, path, f"no question or STAR example has id {str(ref)!r}; use an "
                   "id from source/topics (see REFERENCE.md)")
    stories: list[Story] = []
    seen: set[str] = set()
    for i, item in enumerate((data or {}).get("stories") or []):
        if not item or any(item.get(k) is None for k in schema.STORY.required):
            continue
        mark = item["id"].mark
        if item["id"] in seen:
            c.fail(mark, f"stories[{i}].id", f"duplicate story id {str(item['id'])!r}")
            continue
        seen.add(item["id"])
        texts = [item["headline"], *(item[p] for p in PARTS), *item["competencies"]]
        if any(t and PLACEHOLDER.search(t) for t in texts):
            c.fail(mark, f"stories[{i}]", "placeholder TODO text left in the story; write "
                   "your own (rule C12)", warning=True)
        if not PLACEHOLDER.search(item["result"]) and not _DIGIT.search(item["result"]):
            c.fail(mark, f"stories[{i}].result", "the result has no number; say what changed "
                   "and by how much (time, rate, count)")
        stories.append(Story(
            str(item["id"]), item["headline"], item["situation"], item["task"], item["action"],
            item["result"], item["reflection"], tuple(x for x in item["competencies"] if x),
            tuple(str(a) for a in item["answers"] if a)))
    if data and not 3 <= len(stories) <= 8 and not any(not p.warning for p in c.problems):
        c.fail(Mark(file, 1, 1), "stories", f"{len(stories)} stories; a bank of 3 to 8 strong "
               "ones covers most questions", warning=True)
    return tuple(stories), c.problems


def story_notes(stories: tuple[Story, ...], src: model.Source,
                reference_url: str) -> list[NoteSpec]:
    """Per story a note with six cards (headline + each STAR part), and one 'which story
    answers this question?' card per linked question."""
    deck = deck_name(src.deck, "My Stories")
    prompts = {q.id: q.prompt for q in src.questions} | {s.id: s.prompt for s in src.stars}
    notes: list[NoteSpec] = []
    pages = page_of(src)
    for story in stories:
        answers = "".join(f"<li>{anki_inline(prompts[a])}</li>" for a in story.answers)
        tags = ("kind::story", "topic::my-stories",
                *(f"competency::{re.sub(r'[^a-z0-9]+', '-', c.lower()).strip('-')}"
                  for c in story.competencies))
        fields = {"Headline": anki_inline(story.headline),
                  **{p.capitalize(): anki_inline(getattr(story, p)) for p in PARTS},
                  "Competencies": anki_plain(", ".join(story.competencies)),
                  "Answers": f"<ul>{answers}</ul>", "Context": "My Stories",
                  "Link": "", "Id": anki_plain(story.id), "Extra": ""}
        notes.append(_spec(story.id, "story", deck, fields, tags, len(notes)))
        for answer in story.answers:
            note_id = f"{story.id}/answers-{answer}"
            qa = {"Front": f"Which of your stories answers: {anki_inline(prompts[answer])}",
                  "Back": anki_inline(story.headline), "Context": "My Stories",
                  "Source": "", "Link": anchor_url(reference_url, answer, pages),
                  "Id": anki_plain(note_id), "Extra": ""}
            notes.append(_spec(note_id, "qa", deck, qa, ("kind::story", "topic::my-stories"),
                               len(notes)))
    return notes


def _spec(note_id: str, key: str, deck: str, fields: dict[str, str], tags: tuple[str, ...],
          due: int) -> NoteSpec:
    from .notetypes import BY_KEY

    values = tuple(fields[name] for name in BY_KEY[key].field_names)
    return NoteSpec(note_id, key, deck, values, tuple(sorted(set(tags))), due, NAMESPACE)


def competency_map(stories: tuple[Story, ...]) -> list[tuple[str, list[str]]]:
    """(competency, headlines of the stories that show it), by competency name."""
    found: dict[str, list[str]] = {}
    for story in stories:
        for comp in story.competencies:
            found.setdefault(comp.strip().lower(), []).append(story.headline)
    return sorted(found.items())


def map_markdown(stories: tuple[Story, ...], src: model.Source) -> str:
    prompts = {q.id: q.prompt for q in src.questions} | {s.id: s.prompt for s in src.stars}
    rows = "\n".join(f"| {_cell(c)} | {'<br>'.join(_cell(h) for h in hs)} |"
                     for c, hs in competency_map(stories))
    answers = "\n".join(f"- **{_cell(s.headline)}** answers: "
                        + "; ".join(f"[{_cell(prompts[a])}](#{a})" for a in s.answers)
                        for s in stories)
    return ("## My stories\n\n*Private: built from your story bank; never published.*\n\n"
            "### Competency map\n\n| Competency | Stories |\n| --- | --- |\n"
            f"{rows}\n\n### Which story answers which question\n\n{answers}\n")


def _cell(text: str) -> str:
    return ref_inline(text).replace("|", r"\|")


def map_html(stories: tuple[Story, ...]) -> str:
    rows = "".join(f"<tr><td>{escape(c)}</td><td>{'<br>'.join(sheet_inline(h) for h in hs)}</td>"
                   "</tr>" for c, hs in competency_map(stories))
    heads = "".join(f"<li>{sheet_inline(s.headline)}</li>" for s in stories)
    return ('<section style="--accent: #444"><h2 class="topic-head">My stories '
            '<span class="count">(private)</span></h2>'
            '<div class="item"><p class="q">Competency map</p><table><thead><tr>'
            f"<th>Competency</th><th>Stories</th></tr></thead><tbody>{rows}</tbody></table>"
            f'</div><div class="item"><p class="q">Headlines</p><ol>{heads}</ol></div>'
            "</section>")
