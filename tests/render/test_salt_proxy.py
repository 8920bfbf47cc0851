"""The ``salt`` proxy, unknown values and the tracked pillar, rendered through a sandbox."""

from __future__ import annotations

import copy
import json
import pickle

import jinja2
import pytest
import yaml
from jinja2.sandbox import SandboxedEnvironment

from saltscan.model import SaltCall, SourceLocation, UnknownOrigin
from saltscan.render.recorder import Recorder
from saltscan.render.salt_proxy import SaltFunctionError, SaltProxy, TrackedPillar, render_call_args
from saltscan.render.unknown import UNKNOWN_RE, UnknownValue, contains_unknown, to_plain

LOC = SourceLocation("salt/ehr/init.sls", 7)
GRAINS = {"id": "web01", "os": "Debian", "os_family": "Debian", "ipv4": ["10.1.2.3"], "roles": ["web"]}
OPTS = {"id": "web01", "nodegroups": {"webs": "L@web01,web02"}, "pillar_merge_lists": False}
FILES = {
    "salt://ehr/defaults.yaml": "ehr:\n  port: 8080\n  workers: 4\n",
    "salt://ehr/motd.txt": "welcome\n",
    "salt://broken/defaults.yaml": "a: [\n",
}


def make_pillar():
    return {
        "ehr": {
            "db": {"password": "Sup3rS3cret!", "host": "db01", "port": 5432},
            "lookup": {"pkg": "ehr-server"},
            "features": ["audit"],
        },
        "role": "web",
        "master": {"smtp_host": "mail01"},
    }


class Harness:
    def __init__(self, pillar=None, opts=None):
        self.recorder = Recorder(locate=lambda: LOC, sls="ehr")
        self.pillar = TrackedPillar(make_pillar() if pillar is None else pillar, self.recorder)
        self.rendered_files: list[tuple[str, str, dict]] = []
        self.salt = SaltProxy(
            GRAINS, self.pillar, OPTS if opts is None else opts, self.recorder,
            lambda url, saltenv: FILES.get(url), self._render_file,
        )
        self.env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"])

    def _render_file(self, url, renderer, context):
        self.rendered_files.append((url, renderer, context))
        return {"from": url}

    def render(self, source: str) -> str:
        return self.env.from_string(source).render(salt=self.salt, pillar=self.pillar, grains=GRAINS)

    def calls(self) -> list[tuple[str, tuple[str, ...], bool]]:
        return [(c.function, c.args, c.evaluated) for c in self.recorder.calls]


@pytest.fixture
def h():
    return Harness()


# --- pure functions ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "expression, expected",
    [
        ("salt['pillar.get']('ehr:db:host')", "db01"),
        ("salt['pillar.get']('ehr:nope')", ""),
        ("salt['pillar.get']('ehr:nope', 'dflt')", "dflt"),
        ("salt['pillar.get']('ehr|db|port', delimiter='|')", "5432"),
        ("salt['pillar.get']('ehr:db', {'pool': 5}, merge=True) | dictsort", "[('host', 'db01'), ('password', 'Sup3rS3cret!'), ('pool', 5), ('port', 5432)]"),
        ("salt['pillar.get']('ehr:features', ['base'], merge=True)", "['base', 'audit']"),
        ("salt['pillar.item']('role', 'nope')", "{'role': 'web', 'nope': ''}"),
        ("salt['pillar.keys']('ehr:db') | sort", "['host', 'password', 'port']"),
        ("salt['pillar.filter_by']({'web': 'W', 'default': 'D'}, 'role')", "W"),
        ("salt.pillar.get('role')", "web"),
        ("salt['grains.get']('os')", "Debian"),
        ("salt['grains.get']('nope', 'x')", "x"),
        ("salt['grains.has_value']('roles')", "True"),
        ("salt['grains.item']('os', 'id')", "{'os': 'Debian', 'id': 'web01'}"),
        ("salt['grains.equals']('os', 'Debian')", "True"),
        (
            "salt['grains.filter_by']({'Debian': {'pkg': 'a', 'svc': 's'}, 'RedHat': {'pkg': 'b'}},"
            " merge=salt['pillar.get']('ehr:lookup')) | dictsort",
            "[('pkg', 'ehr-server'), ('svc', 's')]",
        ),
        ("salt['grains.filter_by']({'RedHat': 1, 'default': 2})", "2"),
        ("salt['grains.filter_by']({'Deb*': 'glob'})", "glob"),
        ("salt['config.get']('id')", "web01"),
        ("salt['config.get']('os_family')", "Debian"),
        ("salt['config.get']('ehr:db:host')", "db01"),
        ("salt['config.get']('smtp_host')", "mail01"),
        ("salt['config.get']('redis.port')", "6379"),
        ("salt['config.get']('nope', 'd')", "d"),
        ("salt['config.option']('role')", "web"),
        ("salt['defaults.get']('ehr:ehr:port')", "8080"),
        ("salt['defaults.get']('nodefaults:x', 'd')", "d"),
        ("salt['defaults.merge']({'a': 1, 'b': {'c': 1}}, {'b': {'d': 2}}) | tojson", '{"a": 1, "b": {"c": 1, "d": 2}}'),
        ("salt['defaults.deepcopy']({'a': [1]})", "{'a': [1]}"),
        ("salt['slsutil.merge']({'a': {'x': 1}}, {'a': {'y': 2}}) | tojson", '{"a": {"x": 1, "y": 2}}'),
        ("salt['slsutil.merge_all']([{'a': 1}, {'a': 2}, {'b': 3}]) | tojson", '{"a": 2, "b": 3}'),
        ("salt['slsutil.update']({'a': 1}, {'b': 2}) | tojson", '{"a": 1, "b": 2}'),
        ("salt['slsutil.serialize']('json', {'b': 1, 'a': [pillar.role]})", '{"b": 1, "a": ["web"]}'),
        ("salt['slsutil.serialize']('yaml', {'a': pillar.ehr.lookup})", "a: {pkg: ehr-server}"),
        ("salt['slsutil.deserialize']('yaml', 'a: [1, 2]')", "{'a': [1, 2]}"),
        ("salt['slsutil.boolstr'](true, 'yes', 'no')", "yes"),
        ("salt['slsutil.file_exists']('ehr/motd.txt')", "True"),
        ("salt['file.join']('/opt', 'ehr', 'conf.d')", "/opt/ehr/conf.d"),
        ("salt['file.dirname']('/etc/ehr/app.conf')", "/etc/ehr"),
        ("salt['file.basename']('/etc/ehr/app.conf')", "app.conf"),
        ("salt['file.normpath']('/etc//ehr/../ehr/./x')", "/etc/ehr/x"),
        ("salt['network.calc_net']('10.1.2.3', '255.255.0.0')", "10.1.0.0/16"),
        ("salt['network.ip_in_subnet']('10.1.2.3', '10.0.0.0/8')", "True"),
        ("salt['test.ping']()", "True"),
        ("salt['test.false']()", "False"),
        ("salt['test.echo']('hi')", "hi"),
        ("salt['log.info']('note')", "None"),
        ("salt['saltutil.is_running']('state.highstate')", "[]"),
        ("salt['match.grain']('os:Debian')", "True"),
        ("salt['match.compound']('G@os:Debian and I@role:web')", "True"),
        ("salt['match.glob']('db*')", "False"),
        ("salt['match.glob']('db*', 'db01')", "True"),
        ("salt['match.filter_by']({'db*': 'db', 'web*': 'web'})", "web"),
        ("salt['match.ifelse']('db*', 'db', 'G@os:Debian', 'deb', 'other')", "deb"),
        ("salt['match.search_by']({'a': ['web*'], 'b': ['db*']})", "['a']"),
        ("salt['cp.get_file_str']('salt://ehr/motd.txt')", "welcome\n"),
        ("salt['cp.get_file_str']('salt://ehr/none.txt')", "False"),
        ("'cmd.run' in salt", "True"),
        ("'not a function' in salt", "False"),
    ],
)
def test_pure_functions_are_evaluated_like_salt(h, expression, expected):
    assert h.render("{{ " + expression + " }}") == expected
    assert all(evaluated for _, _, evaluated in h.calls())
    assert not h.recorder.unknowns


def test_slsutil_renderer_goes_through_the_lead_callable(h):
    assert h.render("{{ salt['slsutil.renderer']('salt://ehr/map.jinja', default_renderer='jinja', x=1) }}") == (
        "{'from': 'salt://ehr/map.jinja'}"
    )
    assert h.rendered_files == [("salt://ehr/map.jinja", "jinja", {"x": 1})]


def test_in_place_merge_is_visible_to_the_template(h):
    out = h.render(
        "{% set cfg = {'a': 1} %}{% do salt['defaults.merge'](cfg, {'b': 2}) %}{{ cfg | tojson }}"
    )
    assert out == '{"a": 1, "b": 2}'


# --- functions that are never executed ------------------------------------------------------
@pytest.mark.parametrize(
    "expression, function, origin",
    [
        ("salt['cmd.run']('hostname -f')", "cmd.run", UnknownOrigin.EXECUTION_MODULE),
        ("salt.cmd.run('hostname -f')", "cmd.run", UnknownOrigin.EXECUTION_MODULE),
        ("salt['mine.get']('*', 'network.ip_addrs')", "mine.get", UnknownOrigin.CROSS_HOST),
        ("salt['publish.publish']('db*', 'grains.item', 'fqdn')", "publish.publish", UnknownOrigin.CROSS_HOST),
        ("salt['saltutil.runner']('manage.up')", "saltutil.runner", UnknownOrigin.CROSS_HOST),
        ("salt['file.file_exists']('/etc/ehr.conf')", "file.file_exists", UnknownOrigin.EXECUTION_MODULE),
        ("salt['environ.get']('HOME')", "environ.get", UnknownOrigin.EXECUTION_MODULE),
        ("salt['http.query']('https://partner.example.com')", "http.query", UnknownOrigin.EXECUTION_MODULE),
        ("salt['ehr_custom.lookup']()", "ehr_custom.lookup", UnknownOrigin.EXECUTION_MODULE),
        ("salt['test.random_hash']()", "test.random_hash", UnknownOrigin.EXECUTION_MODULE),
        ("salt['sdb.get']('sdb://vault/ehr')", "sdb.get", UnknownOrigin.EXECUTION_MODULE),
        ("salt['slsutil.renderer'](string='{{ 1 }}')", "slsutil.renderer", UnknownOrigin.EXECUTION_MODULE),
        ("salt['cp.get_file_str']('/etc/passwd')", "cp.get_file_str", UnknownOrigin.EXECUTION_MODULE),
    ],
)
def test_other_functions_return_a_recorded_unknown(h, expression, function, origin):
    out = h.render("{{ " + expression + " }}")
    assert UNKNOWN_RE.fullmatch(out)
    unknown = h.recorder.unknowns[out]
    assert unknown.origin is origin
    assert unknown.location == LOC
    assert unknown.description.startswith(f"salt['{function}'](")
    assert h.recorder.calls == [SaltCall(function, h.recorder.calls[0].args, LOC, False, "ehr")]


def test_unknown_call_description_and_args_are_masked(h):
    out = h.render("{{ salt['cmd.run']('mysql -uroot -p' ~ pillar.ehr.db.password ~ ' -e status') }}")
    call = h.recorder.calls[0]
    assert call.args == ("'mysql -uroot -p**** -e status'",)
    assert "Sup3r" not in h.recorder.unknowns[out].description
    h.render("{{ salt['cmd.run']('echo ' ~ pillar.ehr.db.password ~ ' | passwd --stdin ehr') }}")
    assert h.recorder.calls[1].args == ("'echo **** | passwd --stdin ehr'",)


def test_mine_results_loop_zero_times_and_keep_rendering(h):
    out = h.render(
        "{% for host, ips in salt['mine.get']('role:db', 'network.ip_addrs', tgt_type='grain').items() %}"
        "server {{ host }} {{ ips[0] }}{% endfor %}"
        "{% set m = salt['mine.get']('*', 'x') %}[{{ m | length > 0 }}][{{ m.get('db01', []) | join(',') }}]"
        "[{{ m.get('db01') }}]"
    )
    # Masterless, mine data is empty: Salt itself answers {} here (AbsentUnknownValue).
    assert out == "[False][][None]"
    assert [u.origin.value for u in h.recorder.unknowns.values()] == ["cross-host", "cross-host"]


def test_failing_function_raises_salt_function_error_with_masked_message(h):
    with pytest.raises(SaltFunctionError, match=r"^pillar.keys: Pillar key not found: ehr:nope$"):
        h.render("{{ salt['pillar.keys']('ehr:nope') }}")
    with pytest.raises(SaltFunctionError, match=r"^network.calc_net: ValueError: "):
        h.render("{{ salt['network.calc_net']('not-an-ip') }}")
    with pytest.raises(SaltFunctionError, match=r"^defaults.get: cannot parse salt://broken/defaults.yaml"):
        h.render("{{ salt['defaults.get']('broken:a') }}")
    assert [c[0] for c in h.calls()] == ["pillar.keys", "network.calc_net", "defaults.get"]


def test_pillar_raise_on_missing_is_honoured():
    h = Harness(opts={**OPTS, "pillar_raise_on_missing": True})
    with pytest.raises(SaltFunctionError, match="Pillar key not found: nope"):
        h.render("{{ salt['pillar.get']('nope') }}")
    assert h.render("{{ salt['pillar.get']('nope', 'd') }}") == "d"


def test_lookup_with_an_unknown_key_is_unknown(h):
    out = h.render("{{ salt['pillar.get']('apps:' ~ salt['cmd.run']('hostname')) }}")
    assert UNKNOWN_RE.fullmatch(out)
    assert h.recorder.unknowns[out].description == "salt['cmd.run']('hostname')"


def test_config_get_of_an_sdb_uri_is_unknown_not_fetched():
    h = Harness(pillar={"db_pass": "sdb://vault/ehr/db"})
    out = h.render("{{ salt['config.get']('db_pass') }}")
    assert h.recorder.unknowns[out].description == "sdb value of config key db_pass"


def test_calls_are_recorded_with_rendered_args(h):
    h.render("{{ salt['pillar.get']('ehr:db:host', default='x') }}{{ salt.file.join('/a', 'b') }}")
    assert h.calls() == [
        ("pillar.get", ("'ehr:db:host'", "default='x'"), True),
        ("file.join", ("'/a'", "'b'"), True),
    ]


def test_render_call_args_truncates_after_masking():
    args = render_call_args(("x" * 500, {"password": "hunter22", "k": list(range(3))}), {"b": 1, "a": None})
    assert args[0] == "'" + "x" * 116 + "..."
    assert args[1] == '{"k": [0, 1, 2], "password": "****"}'
    assert args[2:] == ("a=null", "b=1")


# --- sandbox ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        "{{ salt.__class__ }}", "{{ salt._ctx }}", "{{ salt['cmd.run']._proxy }}", "{{ salt.cmd._proxy }}",
        "{{ pillar._tracker }}", "{{ salt['cmd.run']('x').__class__.__mro__ }}",
        "{{ salt['pillar.get']('ehr').__class__ }}",
    ],
)
def test_templates_cannot_reach_internals(h, source):
    with pytest.raises(jinja2.exceptions.SecurityError):
        h.render(source)


# --- UnknownValue ---------------------------------------------------------------------------------
TOKEN = "__UNKNOWN_0123456789__"


@pytest.mark.parametrize(
    "source, expected",
    [
        ("{{ u }}", TOKEN),
        ("{{ u.upper() }}|{{ u | upper }}|{{ u.strip('_') }}|{{ u.replace('_', '-') }}", "|".join([TOKEN] * 4)),
        ("{{ u['a'].b.c() }}|{{ u.get('x', 1) }}|{{ u[0:3] }}", "|".join([TOKEN] * 3)),
        ("{{ u.split('.')[0] }}", TOKEN),
        ("{% for x in u %}X{% endfor %}{% for k, v in u.items() %}Y{% endfor %}|{{ u | list }}", "|[]"),
        ("{{ u.keys() | length }}{{ u.values() | length }}", "00"),
        ("{{ u | int }} {{ u | float }} {{ (u + 1) == u }} {{ u - 1 == u }}", "0 0.0 True True"),
        ("{{ 'x=%s' % u }}", "x=" + TOKEN),
        ("{{ u ~ '/etc' }}", TOKEN + "/etc"),
        ("{{ 'yes' if u else 'no' }}", "yes"),
        ("{{ u > 3 }} {{ u == 'web' }}", "False False"),
        ("{{ u | default('d') }}", TOKEN),
    ],
)
def test_unknown_value_keeps_rendering(source, expected):
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    assert env.from_string(source).render(u=UnknownValue(TOKEN)) == expected


def test_unknown_value_copies_pickles_and_serialises_as_its_token():
    u = UnknownValue(TOKEN)
    assert type(copy.deepcopy(u)) is UnknownValue and copy.deepcopy(u) == TOKEN
    assert type(pickle.loads(pickle.dumps(u))) is UnknownValue
    assert json.dumps({"a": u}) == '{"a": "%s"}' % TOKEN
    assert yaml.safe_dump(to_plain({"a": u})) == f"a: {TOKEN}\n"
    assert {u: 1}[TOKEN] == 1
    with pytest.raises(AttributeError):
        u.__html__  # noqa: B018 - markupsafe probes this; it must stay absent
    with pytest.raises(AttributeError):
        u.jinja_pass_arg  # noqa: B018


def test_contains_unknown_searches_nested_data():
    assert contains_unknown({"a": [1, {"b": ("x", "path/" + TOKEN)}]})
    assert contains_unknown({TOKEN: 1})
    assert not contains_unknown({"a": [1, {"b": "__UNKNOWN_xyz__"}], "c": None})


# --- TrackedPillar ------------------------------------------------------------------------------
def test_tracked_pillar_records_reads_as_colon_paths(h):
    h.render(
        "{{ pillar.ehr.db.host }}{{ pillar['role'] }}{{ pillar.get('nope', '') }}"
        "{% if 'master' in pillar %}{% endif %}{% for k, v in pillar.ehr.lookup.items() %}{% endfor %}"
        "{{ salt['pillar.get']('ehr:db').port }}"
    )
    assert {k: len(v) for k, v in h.recorder.pillar_reads.items()} == {
        "ehr": 2, "ehr:db": 2, "ehr:db:host": 1, "role": 1, "nope": 1, "master": 1,
        "ehr:lookup": 1, "ehr:lookup:pkg": 1, "ehr:db:port": 1,
    }
    assert h.recorder.pillar_reads["role"] == [LOC]


def test_tracked_pillar_behaves_like_a_dict():
    rec = Recorder(locate=lambda: LOC)
    data = make_pillar()
    p = TrackedPillar(data, rec)
    assert p.get("ehr").get("db") is p["ehr"]["db"]  # wrapped once, then stable
    assert p["ehr"]["db"]["host"] == "db01"
    assert sorted(rec.pillar_reads) == ["ehr", "ehr:db", "ehr:db:host"]
    assert p == data and isinstance(p, dict)
    assert json.loads(json.dumps(p)) == data
    assert yaml.safe_load(yaml.safe_dump(to_plain(p))) == data
    clone = copy.deepcopy(p)
    assert clone == data and isinstance(clone, TrackedPillar)
    clone["ehr"]["db"]["host"] = "other"
    assert p["ehr"]["db"]["host"] == "db01" and data["ehr"]["db"]["host"] == "db01"
    plain = pickle.loads(pickle.dumps(p))
    assert type(plain) is dict and type(plain["ehr"]) is dict and plain == data


def test_template_mutation_of_pillar_is_seen_later_but_does_not_touch_the_source():
    source = make_pillar()
    h = Harness(pillar=source)
    out = h.render("{% do pillar.ehr.lookup.update({'pkg': 'x'}) %}{{ salt['pillar.get']('ehr:lookup:pkg') }}")
    assert out == "x"
    assert source["ehr"]["lookup"]["pkg"] == "ehr-server"
