"""Pieces of the inventory on hand-built input: roles, OS images, names, schedules, links."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from saltscan.inventory import ValueSource, build_inventory, group_roles, os_info
from saltscan.inventory.drafts import install_command
from saltscan.inventory.k8s_objects import cron_schedule
from saltscan.inventory.mdtext import Links, cell, code
from saltscan.inventory.model import OsInfo, Package
from saltscan.inventory.plan import k8s_name, secret_manager_key
from saltscan.model import Minion, MinionRender, Model, PillarValue, SourceLocation, State, Tree


def state(id: str, fun: str, name: str | None = None, sls: str = "app", line: int = 1, **args) -> State:
    module, function = fun.split(".", 1)
    return State(id, sls, module, function, name or id, args, (), SourceLocation(f"salt/{sls}.sls", line))


def render(minion: str, grains: dict, top: tuple[str, ...], states: tuple[State, ...],
           untargeted: bool = False) -> MinionRender:
    return MinionRender(
        minion=Minion(minion, {"id": minion, "os": "Ubuntu", "os_family": "Debian", "osrelease": "22.04", **grains},
                      f"grains/{minion}.json"),
        top={"base": top}, high={}, low=(), states=states, pillar={}, pillar_values=(), errors=(), unknowns=(),
        salt_calls=(), templates=(), sls_files=tuple(f"salt/{s}.sls" for s in top), untargeted=untargeted,
    )


def model(*renders: MinionRender, root: Path = Path(".")) -> Model:
    tree = Tree(root, {"base": (root / "salt",)}, {"base": (root / "pillar",)},
                tuple(r.minion for r in renders if not r.untargeted), ())
    return Model(tree, tuple(renders))


NGINX = (state("nginx", "pkg.installed", sls="web"), state("nginx-svc", "service.running", "nginx", sls="web"))
REDIS = (state("redis", "pkg.installed", "redis-server", sls="cache"),)


def test_without_a_role_grain_same_states_make_one_role_named_by_the_top_file():
    renders = [
        render("w1", {}, ("base", "web"), NGINX),
        render("w2", {}, ("base", "web"), NGINX),
        render("c1", {}, ("base", "cache"), REDIS),
        render("(untargeted)", {}, ("runbook",), (), untargeted=True),
    ]
    groups = group_roles(renders)
    assert [(g.name, g.source, g.minions) for g in groups] == [
        ("cache", "top", ("c1",)), ("web", "top", ("w1", "w2"))]


def test_same_top_but_different_states_stay_apart():
    groups = group_roles([render("w1", {}, ("base", "web"), NGINX), render("w2", {}, ("base", "web"), NGINX[:1])])
    # nothing tells them apart in the top file: named by all of it
    assert [(g.name, g.minions) for g in groups] == [("base+web", ("w1",)), ("base+web@w2", ("w2",))]


def test_role_grain_lists_and_custom_grains():
    renders = [render("a", {"roles": ["web", "app"]}, ("base",), NGINX), render("b", {"role": "web"}, ("base",), NGINX),
               render("c", {"tier": "db"}, ("base",), REDIS)]
    assert [(g.name, g.source, g.minions) for g in group_roles(renders)] == [
        ("app+web", "grain:roles", ("a",)), ("base", "top", ("c",)), ("web", "grain:role", ("b",))]
    assert [(g.name, g.source) for g in group_roles(renders, ("tier",))] == [("base", "top"), ("db", "grain:tier")]
    assert [g.name for g in group_roles(renders, by_minion=True)] == ["a", "b", "c"]


def test_build_inventory_on_a_hand_built_model(tmp_path):
    inv = build_inventory(model(render("w1", {"role": "web"}, ("web",), NGINX), root=tmp_path), None, ())
    web = inv.role("web")
    assert [(p.name, p.os) for p in web.packages] == [("nginx", ("Ubuntu 22.04",))]
    assert [(s.name, s.long_running, s.packages) for s in web.services] == [("nginx", True, ("nginx",))]
    assert web.env_vars == () and web.secrets == () and web.blockers == ()


APP_SLS = """\
region:
  environ.setenv:
    - name: REGION
    - value: eu-west-1
db-host:
  environ.setenv:
    - name: DB_HOST
    - value: {{ pillar['db']['host'] }}
db-pass:
  environ.setenv:
    - name: DB_PASS
    - value: {{ pillar['db']['password'] }}
api-url:
  environ.setenv:
    - name: API_URL
    - value: https://{{ salt['cmd.run']('hostname') }}/v1
"""


def test_env_var_value_sources(tmp_path):
    (tmp_path / "salt").mkdir()
    (tmp_path / "salt" / "app.sls").write_text(APP_SLS)
    pillar = (PillarValue("db:host", "db.internal.example", SourceLocation("pillar/db.sls", 2)),
              PillarValue("db:password", "s3cr3t-Pa55word", SourceLocation("pillar/db.sls", 3), True))
    states = (
        state("region", "environ.setenv", "REGION", line=1, value="eu-west-1"),
        state("db-host", "environ.setenv", "DB_HOST", line=5, value="db.internal.example"),
        state("db-pass", "environ.setenv", "DB_PASS", line=9, value="s3cr3t-Pa55word"),
        state("api-url", "environ.setenv", "API_URL", line=13, value="https://__UNKNOWN_0123456789__/v1"),
    )
    one = replace(render("a1", {"role": "app"}, ("app",), states), pillar_values=pillar)
    app = build_inventory(model(one, root=tmp_path), None, ()).role("app")
    got = {e.name: (e.source, e.secret, e.pillar_keys, e.whole_secret, e.value) for e in app.env_vars}
    assert got == {
        "API_URL": (ValueSource.UNKNOWN, False, (), None, None),
        "DB_HOST": (ValueSource.PILLAR, False, ("db:host",), None, "db.internal.example"),
        "DB_PASS": (ValueSource.PILLAR, True, ("db:password",), "db:password", None),
        "REGION": (ValueSource.LITERAL, False, (), None, "eu-west-1"),
    }
    assert [(s.key_path, [(f.kind, f.target) for f in s.flows]) for s in app.secrets] == [
        ("db:password", [("env_var", "DB_PASS"), ("state", "db-pass")])]


@pytest.mark.parametrize("grains, label, image", [
    ({"os": "Ubuntu", "os_family": "Debian", "osrelease": "22.04", "osmajorrelease": 22}, "Ubuntu 22.04", "ubuntu:22.04"),
    ({"os": "Debian", "os_family": "Debian", "osrelease": "12.5", "osmajorrelease": 12}, "Debian 12", "debian:12"),
    ({"os": "Rocky", "os_family": "RedHat", "osrelease": "9.4", "osmajorrelease": 9}, "Rocky 9", "rockylinux:9"),
    ({"os": "CentOS", "os_family": "RedHat", "osrelease": "7.9.2009"}, "CentOS 7", "centos:7"),
    ({"os": "Amazon", "os_family": "RedHat", "osrelease": "2023", "osmajorrelease": 2023}, "Amazon 2023",
     "amazonlinux:2023"),
    ({"os": "RedHat", "os_family": "RedHat", "osrelease": "8.8"}, "RedHat 8", "registry.access.redhat.com/ubi8/ubi:latest"),
    ({"os": "Gentoo", "os_family": "Gentoo", "osrelease": "2.14"}, "Gentoo 2", "debian:12"),
    ({}, "unknown", "debian:12"),
])
def test_base_image_from_grains(grains, label, image):
    info = os_info(grains)
    assert (info.label, info.base_image) == (label, image)


def test_install_command_by_os_family():
    pkgs = [Package("curl", (), "s", SourceLocation("x", 1)), Package("es", (), "s", SourceLocation("x", 1), "7.17")]
    debian = OsInfo("Ubuntu 22.04", "Ubuntu", "Debian", "22.04", "ubuntu:22.04")
    rocky = OsInfo("Rocky 9", "Rocky", "RedHat", "9", "rockylinux:9")
    centos7 = OsInfo("CentOS 7", "CentOS", "RedHat", "7", "centos:7")
    assert install_command(debian, pkgs) == [
        "RUN apt-get update \\", " && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\",
        "      curl \\", "      es=7.17 \\", " && rm -rf /var/lib/apt/lists/*"]
    assert install_command(rocky, pkgs) == ["RUN dnf install -y \\", "      curl \\", "      es-7.17 \\",
                                            " && dnf clean all"]
    assert install_command(centos7, pkgs)[0] == "RUN yum install -y \\"


def test_names_schedules_and_keys():
    assert k8s_name("app", "ehr:db:password") == "app-ehr-db-password"
    assert k8s_name("App_1", "/var/lib/x/") == "app-1-var-lib-x"
    assert len(k8s_name("x" * 100)) == 63 and k8s_name("***") == "unnamed"
    assert cron_schedule("*/15 * * * *") == ("*/15 * * * *", False)
    assert cron_schedule("@daily") == ("@daily", False)
    assert cron_schedule("random 3 * * *") == ("0 3 * * *", True)
    assert secret_manager_key("ehr:db:password") == "ehr/db/password"


def test_links_and_cells():
    loc = SourceLocation("salt/ehr/app.sls", 12)
    assert Links(None)(loc) == "`salt/ehr/app.sls:12`"
    assert Links("..")(loc) == "[salt/ehr/app.sls:12](../salt/ehr/app.sls#L12)"
    assert Links(".")(loc) == "[salt/ehr/app.sls:12](salt/ehr/app.sls#L12)"
    assert cell("a | b\nc") == "a \\| b c"
    assert code("x `y`") == "`` x `y` ``"
