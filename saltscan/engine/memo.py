"""Per-scan and per-render caches for the rules.

Many states, lines and argument strings repeat: the same SLS renders for every minion,
a template renders the same lines for most of them, a formula repeats a map's values.
Rules ask the same pure questions about them (is this key name a secret's, which
endpoints does this line name) over and over; ``ScanMemo`` answers each once per scan.

Nothing here is global: ``run_rules`` makes one ``ScanMemo`` per call and hands it to
every context, so what it holds (which may include secret values, as keys) lives no
longer than the scan and is never printed. A long-running process (the hook daemon)
may carry the pure results over to its next scan with ``next_scan()``: they depend on
their arguments only, so they cannot go stale; what ``once`` holds depends on the
scan's files and is left behind. ``carried`` goes along too: what a process keeps
from scan to scan that checks itself against the new scan's inputs before any reuse
(``saltscan.engine.finish_memo``, ``tree_memo``), and the original files' texts
(``source_texts``).
"""

from __future__ import annotations

from typing import Any, Callable, Hashable, TypeVar

from saltscan.engine.source_reads import note_sources, recording_sources

T = TypeVar("T")
_MISSING = object()


class Carried:
    """Results one scan leaves to the next of the same process, each validated
    against the new scan's inputs before it is reused."""

    __slots__ = ("finish", "texts", "tree")

    def __init__(self) -> None:
        from saltscan.engine.finish_memo import FinishMemo
        from saltscan.engine.source_texts import SourceTexts
        from saltscan.engine.tree_memo import TreeFindingsMemo

        self.finish = FinishMemo()
        self.texts = SourceTexts()
        self.tree = TreeFindingsMemo()


class ScanMemo(dict):
    """Results of pure functions, by function and arguments, for one scan.

    ``memo[fn, arg1, arg2]`` (or ``memo(fn, arg1, arg2)``) is ``fn(arg1, arg2)``,
    computed once per distinct ``(fn, args)``; a hit is a plain dict lookup, which
    is why rules use the subscript in their loops. Only for functions whose result
    depends on nothing but their hashable arguments and module constants, and is
    immutable (a tuple, a frozen dataclass, a string): every caller gets the same
    object, so a generator's items must be collected into a tuple by the function
    itself. Arguments are compared by equality, so ``1``, ``1.0`` and ``True`` are one
    key: pass strings, or one type per argument.
    """

    __slots__ = ("_scan", "carried")

    def __init__(self) -> None:
        super().__init__()
        self._scan: dict[Hashable, Any] = {}
        self.carried = Carried()

    def __repr__(self) -> str:
        # Never the entries: their keys and values may be secret values.
        return f"<ScanMemo: {len(self)} results, {len(self._scan)} scan entries>"

    def __missing__(self, key: tuple) -> Any:
        fn, *args = key
        result = self[key] = fn(*args)
        return result

    def __call__(self, fn: Callable[..., T], *args: Hashable) -> T:
        return self[(fn, *args)]

    def nested(self, fn: Callable[..., T], *args: Hashable) -> T:
        """``fn(self, *args)``, once per distinct ``(fn, args)``: for a pure function
        that memoises, through the memo it is given, what it calls in turn."""
        key = (ScanMemo.nested, fn, *args)  # not a key ``__missing__`` could compute
        found = self.get(key, _MISSING)
        if found is _MISSING:
            found = self[key] = fn(self, *args)
        return found

    def next_scan(self) -> "ScanMemo":
        """A memo for another scan (of the same saltscan code) that starts with this
        one's pure results and none of its ``once`` entries. The caller bounds it:
        start from a new ``ScanMemo()`` when it has grown too large."""
        memo = ScanMemo()
        memo.update(self)
        memo.carried = self.carried
        return memo

    def once(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per scan: for what depends on the scan's model and
        original files (the same for every render of one run) and on ``key``, which
        must name it and hold every other argument."""
        try:
            result, sources = self._scan[key]
        except KeyError:
            with recording_sources() as sources:
                result = compute()
            self._scan[key] = (result, frozenset(sources))
            return result
        note_sources(sources)  # whoever reuses it depends on what it was computed from
        return result
