"""Top files: which SLS each minion gets, per saltenv (states and pillar alike).

Mirrors ``BaseHighState.top_matches``: the default matcher is ``compound``; a
``- match: grain`` entry in a target's list picks another; ``{saltenv: sls}`` items
name another environment; order of first appearance is kept and duplicates dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from saltscan.model import RenderError, RenderErrorKind, SourceLocation


@dataclass(frozen=True)
class TopMatch:
    sls: str
    saltenv: str
    location: SourceLocation  # the line of the SLS in the top file


def _match(target: str, tgt_type: str, minion_id: str, grains, pillar, nodegroups) -> tuple[bool, str | None]:
    from saltscan.render.matchers import match_target

    try:
        result = match_target(target, tgt_type, minion_id, grains, pillar, nodegroups)
    except Exception as exc:  # noqa: BLE001 - a bad target is reported, not fatal
        return False, f"cannot evaluate target {target!r} ({tgt_type}): {exc}"
    matched = getattr(result, "matched", result)
    error = getattr(result, "error", None)
    return bool(matched), error


def top_matches(
    top: Mapping[str, Any],
    top_locations: Mapping[str, Any],
    minion_id: str,
    grains: Mapping[str, Any],
    pillar: Mapping[str, Any],
    nodegroups: Mapping[str, Any],
    available_envs: set[str],
    top_file: str,
) -> tuple[dict[str, list[TopMatch]], list[RenderError]]:
    """``top`` is the rendered top data; ``top_locations`` its MarkedMap (for lines)."""
    matches: dict[str, list[TopMatch]] = {}
    errors: list[RenderError] = []
    if not isinstance(top, Mapping):
        errors.append(RenderError(RenderErrorKind.TOP_FILE, "top file does not render to a dictionary", SourceLocation(top_file, 1)))
        return matches, errors
    for saltenv, body in top.items():
        if not isinstance(body, Mapping):
            continue
        key_locs = getattr(body, "key_locs", {})
        for target, data in body.items():
            target_loc = key_locs.get(target, SourceLocation(top_file, 1))
            items = [data] if isinstance(data, str) else (data or [])
            if not isinstance(items, list):
                continue
            tgt_type = "compound"
            for item in items:
                if isinstance(item, Mapping) and "match" in item:
                    tgt_type = str(item["match"])
            ok, err = _match(str(target), tgt_type, minion_id, grains, pillar, nodegroups)
            if err:
                errors.append(RenderError(RenderErrorKind.TOP_FILE, err, target_loc))
            if not ok:
                continue
            item_locs = getattr(data, "item_locs", [])
            matches.setdefault(str(saltenv), [])
            for i, item in enumerate(items):
                loc = item_locs[i] if i < len(item_locs) else target_loc
                if isinstance(item, str):
                    matches[str(saltenv)].append(TopMatch(item, str(saltenv), loc))
                elif isinstance(item, Mapping) and "match" not in item and len(item) == 1:
                    env_key, inc = next(iter(item.items()))
                    if env_key in available_envs and isinstance(inc, str):
                        matches.setdefault(env_key, []).append(TopMatch(inc, env_key, loc))
    for env, lst in matches.items():
        seen: set[str] = set()
        matches[env] = [m for m in lst if not (m.sls in seen or seen.add(m.sls))]
    return matches, errors
