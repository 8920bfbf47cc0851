"""Markdown building blocks: source links, escaped table cells, tables."""

from __future__ import annotations

import posixpath
from typing import Iterable, Sequence

from saltscan.model import SourceLocation


class Links:
    """Source references: ``[file:line](<base>/file#Lline)`` when the document is written
    to a file (``base`` is the path from its folder to the scanned root), else ``file:line``."""

    def __init__(self, base: str | None) -> None:
        self.base = base

    def __call__(self, loc: SourceLocation | None) -> str:
        if loc is None or not loc.file:
            return ""
        text = f"{loc.file}:{loc.line}"
        if self.base is None or loc.file.startswith("/"):
            return f"`{text}`"
        target = posixpath.join(self.base, loc.file) if self.base not in ("", ".") else loc.file
        return f"[{text}]({target}#L{loc.line})"

    def many(self, locs: Iterable[SourceLocation], limit: int = 4) -> str:
        unique = sorted(set(locs))
        shown = ", ".join(self(loc) for loc in unique[:limit])
        return shown + (f" (+{len(unique) - limit} more)" if len(unique) > limit else "")


def cell(text: object) -> str:
    """Text safe inside a table cell: no newlines, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def code(text: object) -> str:
    """Inline code, safe in a table cell."""
    value = cell(text)
    if not value:
        return ""
    fence = "``" if "`" in value else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def codes(items: Iterable[object], limit: int = 6) -> str:
    values = list(items)
    shown = ", ".join(code(v) for v in values[:limit])
    return shown + (f" (+{len(values) - limit} more)" if len(values) > limit else "")


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    rows = list(rows)
    if not rows:
        return ["_None._", ""]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) if c != "" else " " for c in row) + " |" for row in rows]
    return lines + [""]


def minions_note(item_minions: Sequence[str], role_minions: Sequence[str]) -> str:
    """Empty when an item holds on every minion of the role, else the minions it holds on."""
    if set(item_minions) >= set(role_minions):
        return ""
    return " (" + ", ".join(item_minions) + ")"
