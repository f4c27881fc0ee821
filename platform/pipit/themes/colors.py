"""Hex colors and WCAG 2 contrast, so editors' brand colors never make text unreadable."""

from __future__ import annotations

import re

HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
MIN_TEXT_CONTRAST = 4.5  # WCAG 2.1 AA for body text
WHITE, BLACK = "#ffffff", "#111111"


def normalize_hex(value: str) -> str:
    """``"#ABC"`` → ``"#aabbcc"``. Raises ``ValueError`` for anything that is not a hex color."""
    value = (value or "").strip()
    if not HEX_RE.match(value):
        raise ValueError(value)
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


def _rgb(value: str) -> tuple[int, int, int]:
    digits = normalize_hex(value)[1:]
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def relative_luminance(value: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(value))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colors, from 1.0 (same) to 21.0 (black on white)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(background: str) -> str:
    """White or near-black, whichever reads better on ``background``."""
    return (
        WHITE if contrast_ratio(WHITE, background) >= contrast_ratio(BLACK, background) else BLACK
    )


def mix(a: str, b: str, weight: float) -> str:
    """``weight`` of ``b`` mixed into ``a`` (0 → a, 1 → b)."""
    ra, rb = _rgb(a), _rgb(b)
    return _hex(tuple(x + (y - x) * weight for x, y in zip(ra, rb, strict=True)))


def readable_against(color: str, background: str = WHITE) -> str:
    """``color`` darkened (or lightened) just enough to reach 4.5:1 on ``background``.

    Used for links and headings in the brand color: a pale brand stays recognisable but readable.
    """
    if contrast_ratio(color, background) >= MIN_TEXT_CONTRAST:
        return normalize_hex(color)
    target = BLACK if relative_luminance(background) > 0.5 else WHITE
    for step in range(1, 21):
        candidate = mix(color, target, step / 20)
        if contrast_ratio(candidate, background) >= MIN_TEXT_CONTRAST:
            return candidate
    return target
