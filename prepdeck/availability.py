"""Availability arithmetic: the downtime an SLO allows. Computed, never typed in by hand."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TARGETS = ("99", "99.5", "99.9", "99.95", "99.99", "99.999")
WINDOWS = (("30 days", 30 * 86_400), ("365 days", 365 * 86_400))
COLUMNS = ("Availability", *(f"Downtime / {name}" for name, _ in WINDOWS))


def allowed_downtime(target: str, window_seconds: int) -> Decimal:
    """Seconds of downtime that `target` percent availability allows over the window."""
    return (Decimal(100) - Decimal(target)) / Decimal(100) * window_seconds


def human(seconds: Decimal) -> str:
    """Three significant figures in the largest unit that keeps the number >= 1."""
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        if seconds >= size or unit == "s":
            return f"{_three_figures(seconds / size)} {unit}"
    raise AssertionError("unreachable")


def _three_figures(value: Decimal) -> str:
    if value == 0:
        return "0"
    step = Decimal(10) ** (value.adjusted() - 2)
    text = f"{value.quantize(min(step, Decimal(1)), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def table() -> list[tuple[str, ...]]:
    # No-break spaces: "99.999 %" and "4.32 min" never wrap inside a narrow table cell.
    return [
        (f"{t}\u00a0%", *(human(allowed_downtime(t, w)).replace(" ", "\u00a0") for _, w in WINDOWS))
        for t in TARGETS
    ]
