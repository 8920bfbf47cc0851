"""Which minions form a role, and what OS each runs.

A role comes from a grain (``roles`` or ``role`` by default, see ``--role-grain``): a
minion with several roles forms the role named by all of them (``app+web``), so that
every minion sits in exactly one role and nothing is counted twice. A minion with no
role grain is grouped with the minions whose rendered states are the same; the group is
named after its top file assignment, by the SLS that not every minion gets. A tree
no top file reaches into (a formula) has one role, ``untargeted``: its SLS files
rendered standalone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from saltscan.graph import role_of
from saltscan.inventory.model import OsInfo
from saltscan.model import MinionRender

DEFAULT_ROLE_GRAINS = ("roles", "role")
UNTARGETED_ROLE = "untargeted"
MAX_NAME_PARTS = 3


@dataclass(frozen=True)
class RoleGroup:
    name: str
    source: str  # "grain:<grain>", "top", "minion" or "untargeted"
    renders: tuple[MinionRender, ...]

    @property
    def minions(self) -> tuple[str, ...]:
        return tuple(r.minion.id for r in self.renders)


def _states_fingerprint(render: MinionRender) -> tuple:
    return tuple(sorted((st.sls, st.module, st.id, st.name) for st in render.states))


def top_sls(render: MinionRender) -> tuple[str, ...]:
    return tuple(sorted({sls for names in render.top.values() for sls in names}))


def _top_name(render: MinionRender, common: set[str]) -> str:
    own = [sls for sls in top_sls(render) if sls not in common] or list(top_sls(render))
    if not own:
        return "base"
    if len(own) > MAX_NAME_PARTS:
        return "+".join(own[:MAX_NAME_PARTS]) + f"+{len(own) - MAX_NAME_PARTS}"
    return "+".join(own)


def _grain_source(render: MinionRender, role_grains: Sequence[str]) -> str:
    grain = next((g for g in role_grains if render.minion.grains.get(g)), role_grains[0])
    return f"grain:{grain}"


def group_roles(renders: Sequence[MinionRender], role_grains: Sequence[str] = DEFAULT_ROLE_GRAINS,
                *, by_minion: bool = False) -> tuple[RoleGroup, ...]:
    """The role groups of the targeted ``renders``, sorted by name."""
    targeted = sorted((r for r in renders if not r.untargeted), key=lambda r: r.minion.id)
    if not targeted:
        # No top file reaches anything (a formula repository): the SLS files rendered
        # standalone are all there is to inventory.
        untargeted = tuple(r for r in renders if r.untargeted)
        return (RoleGroup(UNTARGETED_ROLE, "untargeted", untargeted),) if untargeted else ()
    if by_minion:
        return tuple(RoleGroup(r.minion.id, "minion", (r,)) for r in targeted)
    by_grain: dict[str, list[MinionRender]] = defaultdict(list)
    sources: dict[str, str] = {}
    rest: list[MinionRender] = []
    for render in targeted:
        roles = role_of(render.minion, role_grains)
        if roles:
            name = "+".join(roles)
            by_grain[name].append(render)
            sources.setdefault(name, _grain_source(render, role_grains))
        else:
            rest.append(render)
    groups = [RoleGroup(name, sources[name], tuple(rs)) for name, rs in by_grain.items()]
    groups.extend(_top_groups(rest, targeted, taken=set(by_grain)))
    return tuple(sorted(groups, key=lambda g: g.name))


def _top_groups(rest: Sequence[MinionRender], targeted: Sequence[MinionRender], taken: set[str]) -> list[RoleGroup]:
    """Minions without a role grain: same rendered states, same role."""
    if not rest:
        return []
    tops = [set(top_sls(r)) for r in targeted]
    common = set.intersection(*tops) if len(tops) > 1 else set()
    same: dict[tuple, list[MinionRender]] = defaultdict(list)
    for render in rest:
        same[_states_fingerprint(render)].append(render)
    out: list[RoleGroup] = []
    names = set(taken)
    for members in sorted(same.values(), key=lambda rs: rs[0].minion.id):
        name = _top_name(members[0], common)
        if name in names:
            # Same top assignment, different states (grains differ): tell them apart.
            name = f"{name}@{members[0].minion.id}"
        names.add(name)
        out.append(RoleGroup(name, "top", tuple(members)))
    return out


# -- operating systems -------------------------------------------------------------

# os grain -> (image repository, release used in the tag: "major" or "release")
_IMAGES: Mapping[str, tuple[str, str]] = {
    "Ubuntu": ("ubuntu", "release"),
    "Debian": ("debian", "major"),
    "Rocky": ("rockylinux", "major"),
    "AlmaLinux": ("almalinux", "major"),
    "CentOS": ("centos", "major"),
    "CentOS Stream": ("quay.io/centos/centos", "stream"),
    "Fedora": ("fedora", "major"),
    "Amazon": ("amazonlinux", "major"),
    "OEL": ("oraclelinux", "major"),
    "Oracle Linux": ("oraclelinux", "major"),
    "RedHat": ("registry.access.redhat.com/ubi{major}/ubi", "image"),
    "openSUSE Leap": ("opensuse/leap", "release"),
    "SUSE": ("registry.suse.com/bci/bci-base", "release"),
    "Alpine": ("alpine", "release"),
    "Arch": ("archlinux", "latest"),
}
# os_family -> image when the os grain is not in the table
_FAMILY_IMAGES: Mapping[str, str] = {
    "Debian": "debian:12",
    "RedHat": "rockylinux:9",
    "Suse": "opensuse/leap:15",
    "Alpine": "alpine:3",
    "Arch": "archlinux:latest",
}
FALLBACK_IMAGE = "debian:12"


def _release(grains: Mapping[str, Any]) -> tuple[str, str]:
    release = str(grains.get("osrelease") or "")
    major = str(grains.get("osmajorrelease") or release.split(".", 1)[0])
    return release, major


def os_info(grains: Mapping[str, Any]) -> OsInfo:
    """The OS label and matching base image of one minion's grains."""
    os_name = str(grains.get("os") or "unknown")
    family = str(grains.get("os_family") or "unknown")
    release, major = _release(grains)
    repo, style = _IMAGES.get(os_name, ("", ""))
    if style == "release":
        shown = ".".join(release.split(".")[:2]) if release else major
        image = f"{repo}:{shown}" if shown else f"{repo}:latest"
    elif style == "major":
        shown = major
        image = f"{repo}:{major}" if major else f"{repo}:latest"
    elif style == "stream":
        shown = major
        image = f"{repo}:stream{major}"
    elif style == "image":
        shown = major
        image = repo.format(major=major) + ":latest"
    elif style == "latest":
        shown = release
        image = f"{repo}:latest"
    else:
        shown = major or release
        image = _FAMILY_IMAGES.get(family, FALLBACK_IMAGE)
    label = f"{os_name} {shown}".strip()
    return OsInfo(label, os_name, family, shown, image)


def role_os(renders: Sequence[MinionRender]) -> tuple[OsInfo, ...]:
    by_label: dict[str, tuple[OsInfo, list[str]]] = {}
    for render in renders:
        info = os_info(render.minion.grains)
        by_label.setdefault(info.label, (info, []))[1].append(render.minion.id)
    return tuple(sorted(
        OsInfo(i.label, i.os, i.os_family, i.release, i.base_image, tuple(sorted(ms)))
        for i, ms in by_label.values()
    ))
