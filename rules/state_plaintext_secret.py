"""SS302: secrets written in clear in a state's arguments."""

from __future__ import annotations

import re
from typing import Iterator, Union

from saltscan import api

from ._content import CONTENT_ARGS, commands, value_location, writes_scratch_file
from ._secretvalues import flag_values, literal_secret, what_secret

SKIPPED_ARGS = frozenset({"source", "source_hash", "template", "name"})


def _last_key(path: str) -> str:
    return re.split(r"[.\[]", path)[-1].rstrip("]") if path else ""


class StatePlaintextSecret(api.StateRule):
    """Secret written in clear in a state's arguments.

    A state argument holds a secret literally, in the SLS (or a map file it
    imports), instead of taking it from pillar backed by a secret store: a
    ``password:`` of ``postgres_user.present`` or ``mysql_user.present``, a key
    or token under a secret-sounding name, a ``--password=`` on a command line,
    or a value that is a secret by itself (a private key, an AWS access key).
    Values that come from pillar are reported on the pillar key (SS301), not here.

    Problematic::

        ehr-db-user:
          postgres_user.present:
            - name: ehr
            - password: Zq8-wX2-pLm4

    Correct::

        ehr-db-user:
          postgres_user.present:
            - name: ehr
            - password: {{ salt['pillar.get']('ehr:db:password') }}

    Correct pillar::

        ehr:
          db:
            password: sdb://vault/ehr/db/password
    """

    code = "SS302"
    name = "state-plaintext-secret"
    category = api.Category.PLAINTEXT_SECRET
    severity = api.Severity.HIGH
    tags = ("secrets",)
    hint = "move the secret to encrypted pillar or a secret store and reference it"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if writes_scratch_file(state, ctx):
            return  # a scratch file (a formula's _mapdata dump): its values are the map's
        reported: set[str] = set()
        memo = ctx.memo  # the same keys and values recur across states and minions
        for arg in sorted(state.args):
            if arg in SKIPPED_ARGS or arg in CONTENT_ARGS:
                continue
            strings: list[tuple[str, str, _Path]] = []
            _collect(state.args[arg], arg, memo[_last_key, arg], strings, memo)
            for key, text, where_in in strings:
                if text == key:
                    continue  # a dict key, yielded as text
                reason = memo[api.secret_key_reason, key] or \
                    _format_reason(memo[api.secret_value_reason, text])
                if not reason:
                    continue
                path = _render(where_in)
                if path not in reported and literal_secret(text, ctx):
                    reported.add(path)
                    where = value_location(state, ctx, arg, key if key != arg else "")
                    yield self.at(
                        where, f"{state.fun} argument {path} holds {what_secret(text)} in clear ({reason})",
                        state=state, subject=path,
                    )
        for arg, command in commands(state):
            for flag, value in memo[flag_values, command]:
                subject = f"{arg}:{flag}"
                if subject not in reported and literal_secret(value, ctx):
                    reported.add(subject)
                    yield self.at_state(
                        state, f"the command of {state.fun} {state.id} passes a secret in clear "
                        f"(option -{'-' if len(flag) > 1 else ''}{flag})",
                        arg=arg, subject=subject,
                    )


# Where a string is in an argument: the argument's name, or (parent, dict key or list
# index, is an index). Rendered as ``api.iter_strings`` writes paths, and only for the
# few strings that are secrets: most arguments hold thousands of strings.
_Path = Union[str, tuple]


def _collect(value: object, where: _Path, key: str, out: list, memo: api.ScanMemo) -> None:
    """``(last key, text, path)`` for every string ``api.iter_strings(value, path)``
    yields, in the same order; ``last key`` is ``_last_key`` of the path, which only
    depends on the last dict key or list index (memoised per key)."""
    if isinstance(value, str):
        out.append((key, value, where))
    elif isinstance(value, dict):
        for name, item in value.items():
            sub = (where, name, False)
            last = memo[_last_key, str(name)]
            if isinstance(name, str):
                out.append((last, name, sub))
            if isinstance(item, str):  # most leaves: no call for them
                out.append((last, item, sub))
            elif isinstance(item, (dict, list, tuple)):
                _collect(item, sub, last, out, memo)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if isinstance(item, str):
                out.append((str(i), item, (where, i, True)))
            elif isinstance(item, (dict, list, tuple)):
                _collect(item, (where, i, True), str(i), out, memo)


def _render(where: _Path) -> str:
    """The path ``api.iter_strings`` gives the string at ``where``."""
    if isinstance(where, str):
        return where
    parent, name, index = where
    path = _render(parent)
    if index:
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else str(name)


def _format_reason(reason: str | None) -> str | None:
    """``api.secret_value_reason`` of a value, when it is a secret by a known format.
    Randomness alone is not enough here: package names, checksums and ids in state
    arguments look random too."""
    return None if reason == "high-entropy string" else reason
