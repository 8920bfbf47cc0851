"""What a graph build derives from one state alone, kept with the state (``StatePieces``).

A re-render makes new ``State`` objects even for states that did not change, so a
piece is found by the state object first and then by content: a state *the same as*
one seen before gets that state's piece. "The same" is stricter than ``==``, which
takes ``1`` for ``True`` and ``1.0`` and ignores the order of a dict: both change
what the graph holds (a port, a label, the order of facts). ``same_data`` compares
what the graph reads of a value: its exact type and its items, in order.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any, Callable, Hashable, Iterable, Mapping, Sequence

from saltscan.graph.facts import StateFacts, state_facts
from saltscan.graph.pillar import StateTexts
from saltscan.graph.resources import Resource, resources_of
from saltscan.graph.textscan import TextScans
from saltscan.model import Requisite, SourceLocation, State

_ATOMS = frozenset({str, int, bool, type(None)})


def same_data(a: Any, b: Any) -> bool:
    """Whether the graph sees ``a`` and ``b`` alike: the same types all the way down,
    equal scalars (floats by their text: ``-0.0`` is not ``0.0``), mappings with the
    same items in the same order, frozen dataclasses with such fields. A value of any
    other type is the same only as itself."""
    if a is b:
        return True
    cls = type(a)
    if cls is not type(b):
        return False
    if cls in _ATOMS:
        return a == b
    if isinstance(a, dict):
        if len(a) != len(b):
            return False
        for (ka, va), (kb, vb) in zip(dict.items(a), dict.items(b)):
            # Inline for the usual str keys and leaves: this runs for every state a
            # re-render makes anew.
            if not (type(ka) is str and type(kb) is str and ka == kb or same_data(ka, kb)):
                return False
            if not (va is vb or type(va) is str and type(vb) is str and va == vb or same_data(va, vb)):
                return False
        return True
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if not (x is y or type(x) is str and type(y) is str and x == y or same_data(x, y)):
                return False
        return True
    if cls is SourceLocation:  # made by saltscan: a str and two ints
        return a == b
    if cls is float:
        return repr(a) == repr(b)
    if isinstance(a, str):  # a str subclass (an unknown token, Markup): its text is all it has
        return str.__eq__(a, b)
    if dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen:
        return all(same_data(getattr(a, f), getattr(b, f)) for f in cls.__dataclass_fields__)
    return False


# A location as a tuple, made in C: equal tuples, equal locations (a str and two
# ints, made by saltscan).
_PLACE = attrgetter("file", "line", "column")


def _same_str(a: Any, b: Any) -> bool:
    return a == b and (type(a) is str and type(b) is str or same_data(a, b))


def _same_requisite(a: Requisite, b: Requisite) -> bool:
    return (a.kind is b.kind and a.from_in is b.from_in and _PLACE(a.location) == _PLACE(b.location)
            and _same_str(a.target, b.target) and _same_str(a.target_type, b.target_type))


def same_requisites(a: State, b: State) -> bool:
    """``same_data(a.requisites, b.requisites)``."""
    reqs_a, reqs_b = a.requisites, b.requisites
    if len(reqs_a) != len(reqs_b):
        return False
    return all(x is y or _same_requisite(x, y) for x, y in zip(reqs_a, reqs_b))


def same_state(a: State, b: State) -> bool:
    """``same_data(a, b)`` for two states, field by field (the hot case of a lookup),
    but for the two fields no piece depends on: ``requisites`` (read from the state
    itself) and ``order`` (Salt numbers the states of a run in sequence, so adding one
    renumbers those after it; a fragment that holds it is keyed on it). Argument
    locations are only looked up by name: they are compared as such."""
    if a is b:
        return True
    return (_PLACE(a.location) == _PLACE(b.location) and _same_str(a.name, b.name) and _same_str(a.id, b.id)
            and _same_str(a.module, b.module) and _same_str(a.function, b.function)
            and _same_str(a.sls, b.sls) and _same_str(a.saltenv, b.saltenv)
            and a.arg_locations == b.arg_locations and same_data(a.args, b.args))


def order_key(order: Any) -> Hashable | None:
    """What a fragment holding ``order`` is keyed on (None: one that is not kept)."""
    cls = type(order)
    if cls is int or order is None:
        return (cls, order)
    if cls is float and order == order:  # a NaN equals nothing: not kept
        return (cls, order) if order else (cls, repr(order))  # -0.0 equals 0.0, reads otherwise
    return None


class StatePiece(StateTexts):
    """The parts of a build that depend on one state only, each made on first use
    (``texts`` and ``joined`` as ``StateTexts``). ``state`` is the first of the states
    that share it (all the same, ``same_state``): nothing here may read its
    requisites or order."""

    def __init__(self, state: State) -> None:
        super().__init__(state)
        self._facts: StateFacts | None = None
        self._resources: dict[bool, list[Resource]] = {}
        # Graph pieces already cleaned for one build context (see ``build``): keyed
        # on everything besides the state that they depend on.
        self.fragments: dict[Hashable, Any] = {}

    def facts(self, scans: TextScans) -> StateFacts:
        if self._facts is None:
            self._facts = state_facts(self.state, scans)
        return self._facts

    def resources(self, expanded: bool) -> list[Resource]:
        found = self._resources.get(expanded)
        if found is None:
            found = self._resources[expanded] = resources_of(self.state, expanded=expanded)
        return found

    def fragment(self, key: Hashable | None, make: Callable[[], Any]) -> Any:
        """``make()``, kept under ``key`` (None: made, not kept)."""
        if key is None:
            return make()
        found = self.fragments.get(key)
        if found is None:
            found = self.fragments[key] = make()
        return found


def _content_key(state: State) -> tuple:
    # The location as its fields: a tuple of them hashes in C, a SourceLocation does not.
    return (state.module, state.id, state.name, *_PLACE(state.location))


class StatePieces:
    """State -> its ``StatePiece``: by object, else by content (``same_state``).
    Holds at most ``limit`` states (then starts over)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # id(state) -> (the state, its piece): the state is held so that its id is not reused.
        self._by_object: dict[int, tuple[State, StatePiece]] = {}
        self._by_content: dict[tuple, list[StatePiece]] = {}
        # Minion -> content key -> the piece its last build had there: what a re-render
        # of that minion most likely made again (other minions may render the same
        # place with other arguments), so it is compared first.
        self._last: dict[str, dict[tuple, StatePiece]] = {}

    def __len__(self) -> int:
        return len(self._by_object)

    def get(self, state: State, hint: Mapping[tuple, StatePiece] | None = None,
            key: tuple | None = None) -> StatePiece:
        """The piece of ``state``; ``hint``: content key -> a piece to compare first;
        ``key``: ``state``'s content key, when the caller has it."""
        found = self._by_object.get(id(state))
        if found is not None and found[0] is state:
            return found[1]
        if len(self._by_object) >= self.limit:
            self._by_object.clear()
            self._by_content.clear()
            self._last.clear()
        key = key or _content_key(state)
        piece = hint.get(key) if hint else None
        if piece is None or not same_state(piece.state, state):
            same = self._by_content.setdefault(key, [])
            piece = next((p for p in same if same_state(p.state, state)), None)
            if piece is None:
                piece = StatePiece(state)
                same.append(piece)
        self._by_object[id(state)] = (state, piece)
        return piece

    def of_render(self, minion: str, states: Sequence[State]) -> list[StatePiece]:
        """The pieces of ``states``, one minion's, its last build's compared first."""
        last = self._last.get(minion)
        pieces, now = [], {}
        for st in states:
            key = _content_key(st)
            now[key] = piece = self.get(st, last, key)
            pieces.append(piece)
        self._last[minion] = now
        return pieces

    def keep_only(self, states: Iterable[State]) -> None:
        """Forget the states not in ``states``, and the pieces no kept state has."""
        alive = {id(st): st for st in states}
        self._by_object = {k: v for k, v in self._by_object.items() if alive.get(k) is v[0]}
        kept = {id(piece): piece for _, piece in self._by_object.values()}
        by_content: dict[tuple, list[StatePiece]] = {}
        for piece in kept.values():
            by_content.setdefault(_content_key(piece.state), []).append(piece)
        self._by_content = by_content
        self._last = {
            minion: {key: piece for key, piece in last.items() if id(piece) in kept}
            for minion, last in self._last.items()
        }
