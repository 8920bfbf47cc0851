"""Per-scan and per-render caches for the rules.

Many states, lines and argument strings repeat: the same SLS renders for every minion,
a template renders the same lines for most of them, a formula repeats a map's values.
Rules ask the same pure questions about them (is this key name a secret's, which
endpoints does this line name) over and over; ``ScanMemo`` answers each once per scan.

Nothing here is global: ``run_rules`` makes one ``ScanMemo`` per call and hands it to
every context, so what it holds (which may include secret values, as keys) lives no
longer than the scan and is never printed. A long-running process (the hook daemon)
may carry the pure results over to its next scan with ``next_scan()``: they depend on
their arguments only, so they cannot go stale. What ``once`` holds depends on the
scan's tree, configuration and original files: it goes along only as a candidate,
reused by a scan that declares the same tree and configuration (``carry_once``: the
digest ``KeptFindings`` keys on) once every original file it was computed from
looks as it did then (a file or not, the same text). ``carried`` goes along too:
what a process keeps from scan to scan that checks itself against the new scan's
inputs before any reuse (``saltscan.engine.finish_memo``, ``tree_memo``), and the
original files' texts (``source_texts``).
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

    __slots__ = ("_scan", "carried", "_looks", "_before", "_context", "_look")

    def __init__(self) -> None:
        super().__init__()
        self._scan: dict[Hashable, Any] = {}
        self.carried = Carried()
        # key -> ((relative path, its look), ...) of the files it was computed from,
        # kept once ``carry_once`` gave a way to look; ``_before``: the last scan's.
        self._looks: dict[Hashable, tuple[tuple[str, tuple[bool, str | None]], ...]] = {}
        self._before: tuple[str | None, dict[Hashable, tuple]] = (None, {})
        self._context: str | None = None
        self._look: Callable[[str], tuple[bool, str | None]] | None = None

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
        one's pure results; this one's ``once`` entries are only candidates there
        (``carry_once``). The caller bounds it: start from a new ``ScanMemo()`` when
        it has grown too large."""
        memo = ScanMemo()
        memo.update(self)
        memo.carried = self.carried
        # Only what this scan used goes along: entries a scan no longer asks for die.
        memo._before = (self._context, {
            key: (*self._scan[key], looks) for key, looks in self._looks.items()})
        return memo

    def carry_once(self, context: str, look: Callable[[str], tuple[bool, str | None]]) -> None:
        """Let ``once`` reuse the last scan's results. ``context`` is a digest of this
        scan's tree (its file names: whether a ``salt://`` target exists), errors and
        configuration; the last scan's entries count only when it declared the same.
        ``look`` looks at an original file of this scan (``SourceReader.look``).
        Call it before the rules that should reuse them; later calls change nothing."""
        if self._look is None:
            self._context, self._look = context, look
            if self._before[0] != context:
                self._before = (None, {})

    def once(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per scan: for what depends on the scan's tree, its
        configuration and original files (the same for every render of one run,
        never a render's own data) and on ``key``, which must name it and hold
        every other argument. The files it looks at through the ``SourceReader`` are
        recorded with it: a later scan reuses it while they look the same."""
        try:
            result, sources = self._scan[key]
        except KeyError:
            return self._once_missing(key, compute)
        note_sources(sources)  # whoever reuses it depends on what it was computed from
        return result

    def _once_missing(self, key: Hashable, compute: Callable[[], T]) -> T:
        look = self._look
        before = self._before[1].pop(key, None) if look is not None else None
        if before is not None:
            result, sources, looks = before
            # Looking notes each file as a source of whoever asks, as computing would.
            if all(look(path) == seen for path, seen in looks):
                self._scan[key] = (result, sources)
                self._looks[key] = looks
                note_sources(sources)
                return result
        with recording_sources() as recorded:
            result = compute()
        sources = frozenset(recorded)
        self._scan[key] = (result, sources)
        if look is not None:
            self._looks[key] = tuple((path, look(path)) for path in sorted(sources))
        return result
