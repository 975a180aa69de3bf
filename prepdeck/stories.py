"""The user's own story bank: validated against the public source, built only privately.

Behavioral rounds are won with the candidate's own stories (card rule C12), so the template
`source/stories.example.yaml` is copied to a git-ignored `my-stories.yaml` (or passed with
``--stories``). Its notes live in their own GUID namespace and their own subdeck, and never
enter a public release.
"""

from __future__ import annotations

import re
from typing import Any

from . import model
from .errors import Mark, Problem
from .load import Value
from .notes import NoteSpec, anchor_url
from .render_markdown import page_of
from .text import (
    anki_block,
    anki_inline,
    anki_plain,
    cloze,
    deck_name,
    escape,
    outline,
    ref_block,
    ref_inline,
    sheet_inline,
)
from .validate import Checker, construct

NAMESPACE = "prepdeck-my-stories"  # never change: your story cards' GUIDs derive from it
PLACEHOLDER = re.compile(r"\bTODO\b")


def validate_stories(
    value: Value, file: str, src: model.Source
) -> tuple[model.Bank, list[Problem]]:
    """Stories and questions, and every problem: errors for broken references and ids that
    collide, warnings for placeholders."""
    c = Checker()
    data = c.check(value, model.STORIES_FILE, "") or {}
    known = {q.id: "question" for q in src.questions} | {s.id: "star" for s in src.stars}
    for ref, _spec, path in c.refs:
        if ref not in known:
            c.fail(
                ref.mark,
                path,
                f"no question or STAR example has id {str(ref)!r}; use an "
                "id from source/topics (see REFERENCE.md)",
            )
    public = {
        i.id for items in (src.questions, src.frameworks, src.stars, src.terms) for i in items
    }
    seen: set[str] = set()
    for key, what in (("stories", "story"), ("questions", "question")):
        for i, item in enumerate(data.get(key) or []):
            if not item or item.get("id") is None:
                continue
            mark = item["id"].mark
            if item["id"] in seen or (key == "questions" and item["id"] in public):
                where = "your file" if item["id"] in seen else "the public source"
                c.fail(
                    mark,
                    f"{key}[{i}].id",
                    f"id {str(item['id'])!r} is already used in "
                    f"{where}; pick another (it names your card and its anchor)",
                )
            seen.add(item["id"])
            if _placeholder(item):
                c.fail(
                    mark,
                    f"{key}[{i}]",
                    f"placeholder TODO text left in the {what}; write your own "
                    "(card rule C12, .github/CONTRIBUTING.md)",
                    warning=True,
                )
    bank: model.Bank = construct(model.STORIES_FILE, data) if data else model.Bank()
    if value is not None and not bank.stories and not bank.questions and not c.problems:
        c.fail(Mark(file, 1, 1), "file", "no stories and no questions; add at least one")
    count = len(bank.stories)
    if count and not 3 <= count <= 8 and not any(not p.warning for p in c.problems):
        c.fail(
            Mark(file, 1, 1),
            "stories",
            f"{count} stories; a bank of 3 to 8 strong ones covers most questions",
            warning=True,
        )
    return bank, c.problems


def _placeholder(item: dict[str, Any]) -> bool:
    """Whether any text of a story or question still holds the template's TODO."""

    def texts(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [t for v in value.values() for t in texts(v)]
        if isinstance(value, (list, tuple)):
            return [t for v in value for t in texts(v)]
        return [value] if isinstance(value, str) else []

    return any(PLACEHOLDER.search(t) for t in texts(item))


def story_notes(bank: model.Bank, src: model.Source, reference_url: str) -> list[NoteSpec]:
    """Per story a note with six cards (headline + each STAR part), and one 'which story
    answers this question?' card per linked question; then your own questions."""
    stories = bank.stories
    deck = deck_name(src.deck, "My Stories")
    prompts = {q.id: q.prompt for q in src.questions} | {s.id: s.prompt for s in src.stars}
    notes: list[NoteSpec] = []
    pages = page_of(src)
    for story in stories:
        answers = "".join(f"<li>{anki_inline(prompts[a])}</li>" for a in story.answers)
        tags = (
            "kind::story",
            "topic::my-stories",
            *(
                f"competency::{re.sub(r'[^a-z0-9]+', '-', c.lower()).strip('-')}"
                for c in story.competencies
            ),
        )
        fields = {
            "Headline": anki_inline(story.headline),
            **{p.capitalize(): anki_inline(getattr(story, p)) for p in model.STAR_PARTS},
            "Competencies": anki_plain(", ".join(story.competencies)),
            "Answers": f"<ul>{answers}</ul>",
            "Context": "My Stories",
            "Link": "",
            "Id": anki_plain(story.id),
            "Extra": "",
        }
        notes.append(_spec(story.id, "story", deck, fields, tags, len(notes)))
        for answer in story.answers:
            note_id = f"{story.id}/answers-{answer}"
            qa = {
                "Front": f"Which of your stories answers: {anki_inline(prompts[answer])}",
                "Back": anki_inline(story.headline),
                "Context": "My Stories",
                "Source": "",
                "Link": anchor_url(reference_url, answer, pages),
                "Id": anki_plain(note_id),
                "Extra": "",
            }
            notes.append(
                _spec(note_id, "qa", deck, qa, ("kind::story", "topic::my-stories"), len(notes))
            )
    return notes + question_notes(bank.questions, src, len(notes))


def question_notes(
    questions: tuple[model.MyQuestion, ...], src: model.Source, start: int = 0
) -> list[NoteSpec]:
    """Per question a card with your full answer (Markdown on the back); its key points as
    an outline and one cloze per point, when you gave them; a card per follow-up."""
    deck = deck_name(src.deck, "My Questions")
    tags = ("kind::my-question", "topic::my-questions")
    notes: list[NoteSpec] = []

    def add(note_id: str, key: str, fields: dict[str, str], extra: str = "") -> None:
        base = {
            "Context": "My Questions",
            "Link": "",
            "Id": anki_plain(note_id),
            "Extra": "",
            "Source": "",
            "Probing": "",
            "Glosses": "",
        }
        notes.append(
            _spec(
                note_id,
                key,
                deck,
                base | fields,
                (*tags, extra) if extra else tags,
                start + len(notes),
            )
        )

    for q in questions:
        prompt = anki_inline(q.prompt)
        add(q.id, "qa", {"Front": prompt, "Back": anki_block(q.answer)}, "kind::answer")
        if q.framework:
            add(
                f"{q.id}/outline",
                "outline",
                {
                    "Prompt": prompt,
                    "Outline": outline(p.point for p in q.framework),
                    "Probing": anki_inline(q.probing) if q.probing else "",
                },
                "kind::outline",
            )
            add(
                f"{q.id}/steps",
                "cloze",
                {
                    "Text": "".join(
                        f"<li>{cloze(i, p.point)}</li>" for i, p in enumerate(q.framework, 1)
                    ),
                    "Glosses": "".join(
                        f"<li><b>Step {i}.</b> {anki_inline(p.gloss)}</li>"
                        for i, p in enumerate(q.framework, 1)
                    ),
                    "Context": prompt,
                },
                "kind::step",
            )
        for f in q.followups:
            add(
                f"{q.id}/{f.id}",
                "qa",
                {
                    "Front": anki_inline(f.q),
                    "Back": anki_inline(f.a),
                    "Context": f"Follow-up · {prompt}",
                },
                "kind::followup",
            )
    return notes


def _spec(
    note_id: str, key: str, deck: str, fields: dict[str, str], tags: tuple[str, ...], due: int
) -> NoteSpec:
    from .notetypes import by_key

    values = tuple(fields[name] for name in by_key(key).field_names)
    points = fields["Text"].count("<li>") if key == "cloze" else None
    return NoteSpec(
        note_id, key, deck, values, tuple(sorted(set(tags))), due, NAMESPACE, points=points
    )


def competency_map(stories: tuple[model.Story, ...]) -> list[tuple[str, list[str]]]:
    """(competency, headlines of the stories that show it), by competency name."""
    found: dict[str, list[str]] = {}
    for story in stories:
        for comp in story.competencies:
            found.setdefault(comp.strip().lower(), []).append(story.headline)
    return sorted(found.items())


def map_markdown(bank: model.Bank, src: model.Source) -> str:
    """The private reference's own part: the story map and your questions in full."""
    parts = [_stories_markdown(bank.stories, src)] if bank.stories else []
    if bank.questions:
        parts.append(questions_markdown(bank.questions))
    return "\n".join(parts)


def questions_markdown(questions: tuple[model.MyQuestion, ...]) -> str:
    blocks = ["## My questions", "*Private: from your own file; never published.*"]
    for q in questions:
        blocks += [f'<a id="{q.id}"></a>', f"### {ref_inline(q.prompt)}"]
        if q.probing:
            blocks.append(f"**What they are probing:** {ref_inline(q.probing)}")
        if q.framework:
            blocks += [
                "**Key points**",
                "\n".join(
                    f"{i}. **{ref_inline(p.point)}**: {ref_inline(p.gloss)}"
                    for i, p in enumerate(q.framework, 1)
                ),
            ]
        blocks += ["**Answer**", ref_block(q.answer)]
        if q.followups:
            blocks += [
                "**Follow-ups**",
                "\n".join(f"- **{ref_inline(f.q)}** {ref_inline(f.a)}" for f in q.followups),
            ]
        if q.pitfalls:
            blocks += ["**Pitfalls**", "\n".join(f"- {ref_inline(p)}" for p in q.pitfalls)]
    return "\n\n".join(b.strip("\n") for b in blocks) + "\n"


def _stories_markdown(stories: tuple[model.Story, ...], src: model.Source) -> str:
    prompts = {q.id: q.prompt for q in src.questions} | {s.id: s.prompt for s in src.stars}
    rows = "\n".join(
        f"| {_cell(c)} | {'<br>'.join(_cell(h) for h in hs)} |" for c, hs in competency_map(stories)
    )
    answers = "\n".join(
        f"- **{_cell(s.headline)}** answers: "
        + "; ".join(f"[{_cell(prompts[a])}](#{a})" for a in s.answers)
        for s in stories
    )
    return (
        "## My stories\n\n*Private: built from your story bank; never published.*\n\n"
        "### Competency map\n\n| Competency | Stories |\n| --- | --- |\n"
        f"{rows}\n\n### Which story answers which question\n\n{answers}\n"
    )


def _cell(text: str) -> str:
    return ref_inline(text).replace("|", r"\|")


def map_html(bank: model.Bank) -> str:
    """The private sheet's own part: the competency map and your questions' outlines."""
    out = _stories_html(bank.stories) if bank.stories else ""
    if bank.questions:
        items = "".join(
            f'<div class="item"><p class="q">{sheet_inline(q.title or q.prompt)}</p>'
            + (
                f"<ol>{outline((p.point for p in q.framework), 'sheet')}</ol>"
                if q.framework
                else ""
            )
            + "</div>"
            for q in bank.questions
        )
        out += (
            '<section style="--accent: #444"><h2 class="topic-head">My questions '
            f'<span class="count">({len(bank.questions)}, private)</span></h2>{items}'
            "</section>"
        )
    return out


def _stories_html(stories: tuple[model.Story, ...]) -> str:
    rows = "".join(
        f"<tr><td>{escape(c)}</td><td>{'<br>'.join(sheet_inline(h) for h in hs)}</td></tr>"
        for c, hs in competency_map(stories)
    )
    heads = "".join(f"<li>{sheet_inline(s.headline)}</li>" for s in stories)
    return (
        '<section style="--accent: #444"><h2 class="topic-head">My stories '
        '<span class="count">(private)</span></h2>'
        '<div class="item"><p class="q">Competency map</p><table><thead><tr>'
        f"<th>Competency</th><th>Stories</th></tr></thead><tbody>{rows}</tbody></table>"
        f'</div><div class="item"><p class="q">Headlines</p><ol>{heads}</ol></div>'
        "</section>"
    )
