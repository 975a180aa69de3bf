"""Identity: GUIDs and deck ids derive from stable source ids, never from content."""

from __future__ import annotations

import hashlib

# Never change: every GUID in every user's collection is derived from it.
NAMESPACE = "prepdeck"


def note_guid(note_id: str, namespace: str = NAMESPACE) -> str:
    """The Anki GUID of a note; the same algorithm as genanki.guid_for, without importing it."""
    digest = hashlib.sha256(f"{namespace}__{note_id}".encode()).hexdigest()
    value = int(digest[:16], 16)
    alphabet = (
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        "!#$%&()*+,-./:;<=>?@[]^_`{|}~"
    )
    chars = []
    while value:
        value, rem = divmod(value, len(alphabet))
        chars.append(alphabet[rem])
    return "".join(reversed(chars))


def deck_id(name: str) -> int:
    """A stable id per deck name; Anki matches decks by name and ignores it on import."""
    return 1 << 30 | int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % (1 << 30)
