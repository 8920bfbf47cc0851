"""``UnknownValue``: a string standing in for a value saltscan refused or failed to compute.

A template that reads ``salt['cmd.run']('hostname -f')`` or a pillar key the scanned
tree lacks must keep rendering, so that the rest of the file is still analysed. The
unknown is a ``str`` holding its token (``__UNKNOWN_<10 hex>__``, see
``saltscan.render.recorder.unknown_token``) so it survives being written into YAML,
and it answers every "use" Jinja can make of it with itself or with a neutral value:

- indexing, slicing, ``.get()``, public attribute access and calling give back the
  same unknown (one token per origin: a derived value is just as unknown, and the
  ``Unknown`` record of the token already says where it came from);
- iteration yields nothing and ``items()/keys()/values()`` are empty, so a loop over
  ``salt['mine.get'](...).items()`` renders zero iterations;
- string methods that would change the token's spelling (``upper``, ``strip``,
  ``replace``, ``split`` ...) give back the unknown, so the token stays findable;
- arithmetic with numbers gives back the unknown; ``int()``/``float()`` (and hence
  ``|int``/``|float``) give ``0``, the neutral value Jinja's own filters fall back to;
- it is truthy, compares as its token, and hashes as its token.

Dunder and other underscore attributes are never synthesised: Python's own lookup
answers them (``__class__`` ...), which Jinja's sandbox refuses as usual.
"""

from __future__ import annotations

import re
from typing import Any

from saltscan.render.recorder import UNKNOWN_PREFIX, UNKNOWN_SUFFIX

UNKNOWN_RE = re.compile(re.escape(UNKNOWN_PREFIX) + r"[0-9a-f]{10}" + re.escape(UNKNOWN_SUFFIX))

# Attribute names that Jinja, markupsafe, the sandbox or Python protocols probe with
# getattr/hasattr; answering them with an unknown would change how the value is
# treated (e.g. ``unsafe_callable`` truthy makes the sandbox refuse to call it).
_PROBED_NAMES = frozenset(
    {
        "jinja_pass_arg", "jinja_async_variant", "unsafe_callable", "alters_data",
        "environmentfilter", "contextfilter", "evalcontextfilter", "contextfunction",
        "evalcontextfunction", "environmentfunction", "read", "write", "fileno",
        "tolist", "isoformat", "timetuple", "yaml_tag", "to_yaml", "from_yaml",
    }
)


class UnknownValue(str):
    """A ``str`` whose text is an unknown token; see the module docstring."""

    __slots__ = ()

    def __new__(cls, token: str) -> "UnknownValue":
        return super().__new__(cls, token)

    @property
    def token(self) -> str:
        return str.__str__(self)

    # --- container-like use -------------------------------------------------------
    def __getitem__(self, key: Any) -> "UnknownValue":  # type: ignore[override]
        return self

    def __iter__(self):  # type: ignore[override]
        return iter(())

    def __getattr__(self, name: str) -> "UnknownValue":
        if name.startswith("_") or name in _PROBED_NAMES:
            raise AttributeError(name)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> "UnknownValue":
        return self

    def get(self, key: Any = None, default: Any = None, *args: Any, **kwargs: Any) -> "UnknownValue":
        return self

    def items(self) -> list:
        return []

    def keys(self) -> list:
        return []

    def values(self) -> list:
        return []

    def __bool__(self) -> bool:
        return True

    # --- string methods that would respell the token --------------------------------
    def _same(self, *args: Any, **kwargs: Any) -> "UnknownValue":
        return self

    upper = lower = title = capitalize = swapcase = casefold = _same  # type: ignore[assignment]
    strip = lstrip = rstrip = replace = removeprefix = removesuffix = _same  # type: ignore[assignment]
    center = ljust = rjust = zfill = expandtabs = translate = _same  # type: ignore[assignment]

    def split(self, *args: Any, **kwargs: Any) -> list:  # type: ignore[override]
        return [self]

    rsplit = splitlines = split  # type: ignore[assignment]

    def partition(self, *args: Any) -> tuple:  # type: ignore[override]
        return (self, "", "")

    rpartition = partition  # type: ignore[assignment]

    # --- numeric use -------------------------------------------------------------------
    def __int__(self) -> int:
        return 0

    def __float__(self) -> float:
        return 0.0

    def _arith(self, other: Any) -> Any:
        return self

    def __add__(self, other: Any) -> Any:  # type: ignore[override]
        if isinstance(other, str):
            return str.__add__(self, other)
        return self

    def __radd__(self, other: Any) -> Any:
        if isinstance(other, str):
            return other + str.__str__(self)
        return self

    def __rmod__(self, other: Any) -> Any:
        # ``"x=%s" % unknown``: Python asks the str subclass first; format as text.
        if isinstance(other, str):
            return str.__mod__(other, str.__str__(self))
        return self

    __sub__ = __rsub__ = __truediv__ = __rtruediv__ = _arith
    __floordiv__ = __rfloordiv__ = __pow__ = __rpow__ = _arith
    __mul__ = __rmul__ = __mod__ = _arith  # type: ignore[assignment]

    def __neg__(self) -> "UnknownValue":
        return self

    __pos__ = __abs__ = __neg__

    # --- comparisons with non-strings are False, not TypeError -----------------------
    def _order(op: str):  # noqa: N805 - a class-body helper, not a method
        str_op = getattr(str, op)

        def compare(self: "UnknownValue", other: Any) -> bool:
            if isinstance(other, str):
                return str_op(self, other)
            return False

        return compare

    __lt__ = _order("__lt__")
    __le__ = _order("__le__")
    __gt__ = _order("__gt__")
    __ge__ = _order("__ge__")
    del _order

    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, other) is True

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    # --- copying and pickling keep the type -------------------------------------------
    def __reduce__(self):
        return (UnknownValue, (str.__str__(self),))

    def __copy__(self) -> "UnknownValue":
        return self

    def __deepcopy__(self, memo: Any) -> "UnknownValue":
        return self


class AbsentUnknownValue(UnknownValue):
    """An unknown that answers "nothing there" to truth tests.

    For host queries (``file.file_exists``, ``user.info``, ``cmd.has_exec`` ...) and
    cross-host data (``mine.get``, ``publish.publish``): saltscan models the host a
    highstate is first applied to, which is new, and a masterless render, where mine
    data is empty. That is also what real Salt answers in those situations, so the
    branch a template takes matches Salt's; the value itself stays a tracked unknown.
    """

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def get(self, key: Any = None, default: Any = None, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        # Like the empty answer Salt gets ({} from user.info, mine.get): the default.
        return default


def contains_unknown(value: Any) -> bool:
    """Whether ``value`` (nested dicts, lists, strings) holds an unknown token anywhere."""
    return next(iter_unknown_tokens(value), None) is not None


def iter_unknown_tokens(value: Any):
    """Every unknown token inside ``value``, depth first, keys before values."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            for m in UNKNOWN_RE.finditer(item):
                yield m.group(0)
            continue
        if isinstance(item, (dict, list, tuple, set, frozenset)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, dict):
                pairs = list(dict.items(item))
                stack.extend(v for _, v in reversed(pairs))
                stack.extend(k for k, _ in reversed(pairs))
            elif isinstance(item, (set, frozenset)):
                stack.extend(sorted(item, key=repr, reverse=True))
            else:
                stack.extend(reversed(item))


def first_unknown_token(value: Any) -> str | None:
    return next(iter_unknown_tokens(value), None)


# Types to_plain returns as they are (``str.__str__`` of an exact str is the str itself).
_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_plain(value: Any) -> Any:
    """A deep copy made of exact builtin types: dict/str/list subclasses (tracked pillar
    views, unknown values, ordered dicts) become ``dict``/``str``/``list``.

    For serialisers that dispatch on the exact type (PyYAML's representers, Salt's
    ``SafeOrderedDumper`` turns an unregistered ``str`` subclass into ``NULL``).
    Reads through tracked views are not recorded (``dict.items`` is used directly).
    """
    # Plain scalars are returned without a call: it copies whole high data, chunk by chunk.
    # Containers next (no class is both a dict or list and a str or number).
    if type(value) in _PLAIN_SCALARS:
        return value
    if isinstance(value, dict):
        return {
            k if type(k) in _PLAIN_SCALARS else to_plain(k): v if type(v) in _PLAIN_SCALARS else to_plain(v)
            for k, v in dict.items(value)
        }
    if isinstance(value, list):
        return [v if type(v) in _PLAIN_SCALARS else to_plain(v) for v in list.__iter__(value)]
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, tuple):
        return tuple(to_plain(v) for v in value)
    if isinstance(value, frozenset):
        return frozenset(to_plain(v) for v in value)
    if isinstance(value, set):
        return {to_plain(v) for v in value}
    return value
