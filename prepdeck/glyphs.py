"""Which characters the cheat sheet's shipped fonts can draw.

The sheet embeds only the fonts in ``assets/fonts``; a character none of them has would print
as an empty box (and WeasyPrint would hunt the system for a fallback). The validator asks
``drawable`` for every character of text that reaches the sheet, before any PDF work.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

# Text faces: every sheet character must be in all three, since any text may be bold or
# italic there. Code spans use the mono face, which covers fewer symbols; Pango falls back to
# the sans face for a character the mono face lacks, so the sans faces decide.
FONTS = (
    "DejaVuSansCondensed.ttf",
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSansCondensed-Oblique.ttf",
)
_ALWAYS = frozenset("\n\t")


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    from .errors import EnvironmentProblem

    fonts = resources.files("prepdeck").joinpath("assets/fonts")
    sets = []
    for name in FONTS:
        try:
            with (
                resources.as_file(fonts.joinpath(name)) as path,
                TTFont(str(path), lazy=True) as font,
            ):
                cmap = font["cmap"].getBestCmap() or {}
        except Exception as err:  # a truncated or missing font file: the install is broken
            raise EnvironmentProblem(
                f"font {name} will not load ({err}); reinstall prepdeck (bash .ci/setup)"
            ) from None
        sets.append(set(cmap))
    return frozenset(set.intersection(*sets))


def drawable(char: str) -> bool:
    return char in _ALWAYS or ord(char) in _covered()


def message(char: str) -> str:
    name = unicodedata.name(char, "")
    shown = f"{char!r} (U+{ord(char):04X}{' ' + name if name else ''})"
    return (
        f"character {shown} cannot be printed on the cheat sheet: its fonts have no glyph "
        "for it; write it in Latin, Greek or Cyrillic script, or spell it out"
    )
