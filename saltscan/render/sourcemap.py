"""Source maps: which template line produced each rendered character.

Jinja is compiled with a code generator (``jinja_env``) that yields a ``LineMark``
before every top-level output node. A ``LineMark`` is an *empty* ``str``: wherever it
ends up inside a buffer (a ``{% set %}`` block, a macro, a filter block) joining
strings drops it, so it cannot change what a template renders. At the top level the
renderer sees it and records where the following output came from.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable

from saltscan.model import SourceLocation

_NEWLINE = re.compile("\n")


class LineMark(str):
    """An empty string saying: the next output comes from ``template`` at ``lineno``."""

    __slots__ = ("template", "lineno", "literal")

    def __new__(cls, template: str | None, lineno: int, literal: bool):
        obj = super().__new__(cls, "")
        obj.template = template
        obj.lineno = lineno
        obj.literal = literal  # template text: later lines inside it count on from lineno
        return obj


@dataclass(frozen=True)
class _Segment:
    start: int  # offset in the rendered text
    file: str
    lineno: int
    literal: bool


class SourceMap:
    """Maps offsets and lines of rendered text back to template files and lines."""

    def __init__(self, text: str, segments: list[_Segment], default_file: str):
        self._text = text
        self._segments = segments
        self._starts = [s.start for s in segments]
        self._default_file = default_file
        self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def key(self) -> tuple:
        """Everything its answers depend on: equal keys, equal locations."""
        return (self._text, tuple(self._segments), self._default_file)

    @classmethod
    def identity(cls, text: str, file: str) -> "SourceMap":
        return cls(text, [_Segment(0, file, 1, True)], file)

    def at_offset(self, offset: int) -> SourceLocation:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return SourceLocation(self._default_file, 1)
        seg = self._segments[i]
        line = seg.lineno
        if seg.literal:
            line += self._text.count("\n", seg.start, offset)
        return SourceLocation(seg.file, line)

    def at_line(self, rendered_line: int, column: int = 0) -> SourceLocation:
        """Rendered line (1-based) and column (0-based) -> original location."""
        idx = min(max(rendered_line - 1, 0), len(self._line_starts) - 1)
        start = self._line_starts[idx]
        end = self._line_starts[idx + 1] if idx + 1 < len(self._line_starts) else len(self._text)
        offset = start + column
        if column == 0:
            # Point at the first visible character: the start of a line is often the tail
            # of the previous tag's text.
            stripped = len(self._text[start:end]) - len(self._text[start:end].lstrip(" \t"))
            offset = start + stripped
        loc = self.at_offset(min(offset, max(end - 1, start)))
        return SourceLocation(loc.file, loc.line, column + 1 if column else 1)

    def line_numbers(self, file: str) -> tuple[int, ...]:
        """For each rendered line, its source line (where it comes from ``file``, else 1)."""
        out = []
        for n in range(1, len(self._line_starts) + 1):
            loc = self.at_line(n)
            out.append(loc.line if loc.file == file else 1)
        return tuple(out)


class SourceMapBuilder:
    """Collects rendered chunks and marks from a Jinja event stream."""

    def __init__(self, names_to_files: dict[str, str], default_file: str):
        self._names = names_to_files
        self._default = default_file
        self._parts: list[str] = []
        self._segments: list[_Segment] = []
        self._pos = 0
        self.size = 0

    def feed(self, events: Iterable[str], limit: int) -> None:
        for ev in events:
            if type(ev) is LineMark:
                file = self._names.get(ev.template or "", self._default)
                seg = _Segment(self._pos, file, ev.lineno, ev.literal)
                if self._segments and self._segments[-1].start == self._pos:
                    self._segments[-1] = seg
                else:
                    self._segments.append(seg)
                continue
            if ev:
                self._parts.append(ev)
                self._pos += len(ev)
                if self._pos > limit:
                    raise OutputTooLarge(self._pos)

    def build(self, trailing_newline: str = "") -> tuple[str, SourceMap]:
        text = "".join(self._parts) + trailing_newline
        return text, SourceMap(text, self._segments, self._default)


class OutputTooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(f"rendered output exceeds the limit ({size} characters so far)")
