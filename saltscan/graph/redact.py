"""Keeping secret values off the graph.

The graph never stores a secret value. Two defences: the builders only copy chosen,
named facts onto nodes and edges (never state arguments or template text), and every
string that does go on the graph (ids, labels, names) passes through a
``GraphRedactor`` built from the minion's secret pillar values (the project's
``saltscan.secrets.Redactor``, which also finds escaped forms), so a secret that
leaked into a command line or a URL is masked before it is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping

from saltscan.model import PillarValue
from saltscan.secrets import MASK, Redactor, mask

if TYPE_CHECKING:
    from saltscan.graph.memo import GraphMemo

# Shorter values are too common to search for: they are not searched for flows (and
# the project's Redactor does not redact them either).
MIN_SECRET_LENGTH = 4


def secret_text(value: Any) -> str | None:
    """The text searched for a secret's flows, or None when it is too short to search."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        text = str(value)
        return text if len(text) >= MIN_SECRET_LENGTH else None
    return None


def masked_value(value: Any) -> str:
    """What a secret node shows for its value: ``saltscan.secrets.mask``, checked."""
    masked = str(mask(value))
    text = secret_text(value)
    return MASK if text is not None and text in masked else masked


class GraphRedactor:
    """Redacts the strings (and lists of strings) that go onto the graph."""

    def __init__(self, values: Iterable[PillarValue] = (), memo: "GraphMemo | None" = None) -> None:
        secrets = [pv.value for pv in values if pv.secret]
        self._redactor = memo.redactor(secrets) if memo is not None else Redactor(secrets)
        # A build stores the same ids and labels many times (every edge names two
        # nodes), and the builds sharing a memo store mostly the same ones: each
        # distinct string is redacted once per redactor, keyed on the whole string.
        self._done: dict[str, str] = memo.redacted(self._redactor) if memo is not None else {}

    @property
    def key(self) -> Redactor:
        """What the redaction depends on (equal secret sets share one ``Redactor``)."""
        return self._redactor

    def text(self, s: str) -> str:
        if type(s) is not str:
            return self._redactor.redact(s)  # not remembered: it equals a str of another type
        try:
            return self._done[s]
        except KeyError:
            done = self._done[s] = self._redactor.redact(s)
            return done

    def clean(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        """``attrs`` as the graph stores them: sorted by key, None left out, every
        value through ``value`` (inline for the usual str, int and bool: hot)."""
        done = self._done
        out = {}
        for key, v in sorted(attrs.items()):  # keys differ: values never compared
            cls = type(v)
            if cls is str:
                found = done.get(v)
                out[key] = found if found is not None else self.text(v)
            elif cls is int or cls is bool or cls is float:
                out[key] = v
            elif v is not None:
                out[key] = self.value(v)
        return out

    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, (list, tuple)):
            return [self.value(x) for x in v]
        return v
