"""Hand-built states and renders of one file, ``salt/ehr.sls``, for the engine's tests."""

from __future__ import annotations

from saltscan.model import Minion, MinionRender, SourceLocation, State

# salt/ehr.sls as the states below stand in it (state IDs on lines 1 and 4).
EHR_SLS = """\
ehr-logs:
  file.directory:
    - name: /var/log/ehr
ehr-data:
  file.directory:
    - name: /srv/ehr
"""


def ehr_state(sid: str, name: str, line: int, requisites=()) -> State:
    """A ``file.directory`` state at ``line`` of salt/ehr.sls, its name two lines below."""
    return State(id=sid, sls="ehr", module="file", function="directory", name=name, args={},
                 requisites=tuple(requisites), location=SourceLocation("salt/ehr.sls", line),
                 arg_locations={"name": SourceLocation("salt/ehr.sls", line + 2)})


def ehr_render(minion: str, states) -> MinionRender:
    """``minion``'s render holding ``states`` (nothing else rendered)."""
    return MinionRender(
        minion=Minion(minion, {"id": minion}, "grains/x.json"), top={}, high={}, low=(),
        states=tuple(states), pillar={}, pillar_values=(), errors=(), unknowns=(),
        salt_calls=(), templates=(), sls_files=("salt/ehr.sls",),
    )
