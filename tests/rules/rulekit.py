"""Hand-built models for rule tests, without the renderer.

``tree(tmp_path, files)`` writes files; ``render_yaml`` turns plain-YAML SLS files
(no Jinja) into ``State`` objects with real lines, the way the model describes them
(requisites normalised forward, ``_in`` forms turned around), and pillar YAML into
``PillarValue`` leaves with their lines. Enough to test rules on exact lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from saltscan.engine.config import Config
from saltscan.engine.runner import run_rules
from saltscan.model import (
    Minion,
    MinionRender,
    Model,
    PillarValue,
    RenderedTemplate,
    RenderError,
    Requisite,
    RequisiteKind,
    SaltCall,
    SourceLocation,
    State,
    Tree,
)

REQ_KINDS = {k.value: k for k in RequisiteKind}
IN_KINDS = {f"{k.value}_in": k for k in RequisiteKind}


def write(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _plain(node: yaml.Node) -> Any:
    return yaml.safe_load(yaml.serialize(node))


def _loc(file: str, node: yaml.Node) -> SourceLocation:
    return SourceLocation(file, node.start_mark.line + 1, node.start_mark.column + 1)


def states_from_yaml(file: str, text: str, sls: str) -> list[State]:
    """Plain-YAML SLS text -> states (one per module function; ``names`` not expanded)."""
    root = yaml.compose(text)
    out: list[State] = []
    pending_in: list[tuple[str, str, RequisiteKind, str, str, SourceLocation]] = []
    for key_node, body in root.value if root else ():
        sid = key_node.value
        for mod_node, run in body.value:
            module, _, fun = mod_node.value.partition(".")
            args: dict[str, Any] = {}
            arg_locs: dict[str, SourceLocation] = {}
            reqs: list[Requisite] = []
            items = run.value if isinstance(run, yaml.SequenceNode) else []
            for item in items:
                if isinstance(item, yaml.ScalarNode):
                    fun = item.value
                    continue
                for k_node, v_node in item.value:
                    key = k_node.value
                    arg_locs[key] = _loc(file, k_node)
                    if key in REQ_KINDS or key in IN_KINDS:
                        for t in v_node.value:
                            if isinstance(t, yaml.ScalarNode):
                                ttype, target, where = "id", t.value, _loc(file, t)
                            else:
                                tk, tv = t.value[0]
                                ttype, target, where = tk.value, tv.value, _loc(file, tk)
                            if key in REQ_KINDS:
                                reqs.append(Requisite(REQ_KINDS[key], ttype, target, where))
                            else:
                                pending_in.append((sid, module, IN_KINDS[key], ttype, target, where))
                        continue
                    args[key] = _plain(v_node)
            name = str(args.pop("name", sid))
            args.pop("order", None)  # internal to Salt; its line stays in arg_locs
            out.append(State(
                id=sid, sls=sls, module=module, function=fun, name=name, args=args,
                requisites=tuple(reqs), location=_loc(file, key_node), arg_locations=arg_locs,
                order=float(len(out) + 10000),
            ))
    for sid, module, kind, ttype, target, where in pending_in:
        for i, st in enumerate(out):
            if (ttype in ("id", st.module)) and target in (st.id, st.name):
                out[i] = _add_req(st, Requisite(kind, module, sid, where, from_in=True))
    return out


def _add_req(st: State, req: Requisite) -> State:
    from dataclasses import replace

    return replace(st, requisites=st.requisites + (req,))


def pillar_from_yaml(file: str, text: str) -> tuple[dict, list[PillarValue]]:
    root = yaml.compose(text)
    values: list[PillarValue] = []

    def walk(node: yaml.Node, path: list[str], where: SourceLocation) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(v, path + [k.value], _loc(file, k))
        else:
            values.append(PillarValue(":".join(path), _plain(node), where))

    if root is not None:
        walk(root, [], SourceLocation(file, 1))
    return yaml.safe_load(text) or {}, values


def render(
    root: Path,
    sls_files: Mapping[str, str],
    *,
    pillar: tuple[str, str] | None = None,
    templates: Sequence[tuple[str, str, str, str]] = (),
    errors: Sequence[RenderError] = (),
    salt_calls: Sequence[SaltCall] = (),
    minion: str = "app01",
    grains: Mapping[str, Any] | None = None,
    extra_files: Mapping[str, str] | None = None,
    secret_keys: Iterable[str] = (),
) -> MinionRender:
    """Write the files under ``root`` and build one minion's render.

    ``sls_files``: relative path -> plain YAML; ``pillar``: (path, YAML);
    ``templates``: (state id, salt:// source, template path, rendered text)."""
    write(root, sls_files)
    write(root, extra_files or {})
    states: list[State] = []
    for rel, text in sls_files.items():
        sls = rel.removeprefix("salt/").removesuffix(".sls").replace("/", ".")
        states.extend(states_from_yaml(rel, text, sls))
    pillar_data, pillar_values = {}, []
    if pillar:
        write(root, {pillar[0]: pillar[1]})
        pillar_data, pillar_values = pillar_from_yaml(*pillar)
    secret_keys = tuple(secret_keys)
    if secret_keys:
        from dataclasses import replace

        pillar_values = [replace(pv, secret=True, secret_reason="key name")
                         if pv.key_path in secret_keys else pv for pv in pillar_values]
    tpls = []
    for state_id, source, path, text in templates:
        write(root, {path: text})
        tpls.append(RenderedTemplate(state_id, source, SourceLocation(path, 1), text,
                                     tuple(range(1, len(text.splitlines()) + 1))))
    return MinionRender(
        minion=Minion(minion, dict(grains or {"id": minion}), "builtin:test"),
        top={"base": tuple(sorted({st.sls for st in states}))},
        high={}, low=(), states=tuple(states), pillar=pillar_data,
        pillar_values=tuple(pillar_values), errors=tuple(errors), unknowns=(),
        salt_calls=tuple(salt_calls), templates=tuple(tpls), sls_files=tuple(sls_files),
    )


def model(root: Path, renders: Sequence[MinionRender], errors: Sequence[RenderError] = ()) -> Model:
    return Model(
        tree=Tree(root=root, state_roots={"base": (root / "salt",)},
                  pillar_roots={"base": (root / "pillar",)},
                  minions=tuple(r.minion for r in renders), sls_files=()),
        renders=tuple(renders), errors=tuple(errors),
    )


def run(rule: type, m: Model, config: Config | None = None):
    """Findings of ``rule`` alone on model ``m``, strict (a crash fails the test)."""
    return run_rules(m, None, config or Config(), rules=(rule,), strict=True)


def brief(findings) -> list[tuple]:
    """(file, line, state id or pillar key, message) per finding."""
    return [
        (f.location.file, f.location.line, f.state.id if f.state else f.pillar_key, f.message)
        for f in findings
    ]
