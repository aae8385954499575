"""User text on screen: shown literally (never as markup) with control characters removed."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from medtrack.services.text import printable


def clean(text: str | None) -> str:
    """Control characters and bidirectional overrides removed (newlines and tabs kept)."""
    if not text:
        return ""

    return printable(text)


def plain(text: str | None, style: str = "") -> Content:
    """Text for a Static or Label: never parsed as markup, however it looks."""
    content = Content(clean(text))
    return content.stylize(style) if style else content


def cell(text: str | None, style: str = "") -> Text:
    """Text for a DataTable cell (a plain str there would be parsed as markup)."""
    return Text(clean(text), style=style, no_wrap=True, overflow="ellipsis")
