"""Hand-built model pieces for the graph tests (no renderer involved)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from saltscan.model import (
    Minion,
    MinionRender,
    Model,
    PillarValue,
    RenderedTemplate,
    Requisite,
    RequisiteKind,
    SecretStorage,
    SourceLocation,
    State,
    Tree,
)


def loc(file: str = "salt/app.sls", line: int = 1) -> SourceLocation:
    return SourceLocation(file, line)


def sls_path(sls: str) -> str:
    return "salt/" + sls.replace(".", "/") + ".sls"


def state(
    id: str,
    fun: str,
    *,
    name: str | None = None,
    sls: str = "app",
    args: Mapping[str, Any] | None = None,
    reqs: Sequence[Requisite] = (),
    line: int = 1,
    file: str | None = None,
    arg_lines: Mapping[str, int] | None = None,
) -> State:
    module, function = fun.split(".", 1)
    file = file or sls_path(sls)
    return State(
        id=id,
        sls=sls,
        module=module,
        function=function,
        name=name if name is not None else id,
        args=dict(args or {}),
        requisites=tuple(reqs),
        location=SourceLocation(file, line),
        arg_locations={k: SourceLocation(file, v) for k, v in (arg_lines or {}).items()},
    )


def req(kind: str, target_type: str, target: str, *, from_in: bool = False, line: int = 1,
        file: str = "salt/app.sls") -> Requisite:
    return Requisite(RequisiteKind(kind), target_type, target, SourceLocation(file, line), from_in)


def secret(key_path: str, value: Any, *, line: int = 1, file: str = "pillar/app.sls",
           storage: SecretStorage = SecretStorage.PLAINTEXT) -> PillarValue:
    return PillarValue(key_path, value, SourceLocation(file, line), True, storage, "key name")


def pillar(key_path: str, value: Any, *, line: int = 1, file: str = "pillar/app.sls") -> PillarValue:
    return PillarValue(key_path, value, SourceLocation(file, line))


def template(state_id: str, text: str, *, file: str = "salt/app/files/app.conf.j2",
             line_map: Sequence[int] = ()) -> RenderedTemplate:
    return RenderedTemplate(state_id, "salt://" + file.removeprefix("salt/"), SourceLocation(file, 1), text,
                            tuple(line_map))


def low_of(states: Sequence[State], included_from: Mapping[str, Sequence[str]] | None = None) -> tuple:
    included_from = included_from or {}
    chunks = []
    for st in states:
        chunk = {"__id__": st.id, "state": st.module, "fun": st.function, "name": st.name, "__sls__": st.sls}
        if st.sls in included_from:
            chunk["__sls_included_from__"] = list(included_from[st.sls])
        chunks.append(chunk)
    return tuple(chunks)


def render(
    states: Sequence[State],
    *,
    minion: str = "app01",
    grains: Mapping[str, Any] | None = None,
    pillar_values: Sequence[PillarValue] = (),
    templates: Sequence[RenderedTemplate] = (),
    pillar_reads: Mapping[str, Sequence[SourceLocation]] | None = None,
    included_from: Mapping[str, Sequence[str]] | None = None,
    top: Sequence[str] | None = None,
) -> MinionRender:
    sls_names = sorted({st.sls for st in states} | set(top or ()))
    return MinionRender(
        minion=Minion(minion, dict(grains or {}), f"grains/{minion}.yaml"),
        top={"base": tuple(top if top is not None else sls_names)},
        high={},
        low=low_of(states, included_from),
        states=tuple(states),
        pillar={},
        pillar_values=tuple(pillar_values),
        errors=(),
        unknowns=(),
        salt_calls=(),
        templates=tuple(templates),
        sls_files=tuple(sls_path(s) for s in sls_names),
        pillar_reads={k: tuple(v) for k, v in (pillar_reads or {}).items()},
    )


def model(*renders: MinionRender) -> Model:
    minions = tuple(r.minion for r in renders)
    tree = Tree(Path("/nonexistent"), {"base": (Path("salt"),)}, {"base": (Path("pillar"),)}, minions, ())
    return Model(tree, tuple(renders))


def edges(graph, kind: str | None = None) -> list[tuple[str, str, str]]:
    """(source, target, kind) of every edge (of one kind), sorted."""
    return sorted((u, v, k) for u, v, k in graph.edges(keys=True) if kind is None or k == kind)


def dump_graph(graph) -> str:
    """Everything the exports see, in insertion order (two graphs dump alike only if
    they are the same to every exporter)."""
    return json.dumps({
        "graph": list(graph.graph.items()),
        "nodes": [(n, list(d.items())) for n, d in graph.nodes(data=True)],
        "edges": [(u, v, k, list(d.items())) for u, v, k, d in graph.edges(keys=True, data=True)],
    }, default=repr)
