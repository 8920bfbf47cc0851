"""Pillar per minion: top targeting, include, merge strategy, secrets marked by key path."""

from saltscan.model import SecretStorage


def _tree(tree):
    return tree.write({
        "master": "pillar_source_merging_strategy: smart\nnodegroups:\n  dbs: 'L@db01,db02'\n",
        "salt/top.sls": "base:\n  '*':\n    - a\n",
        "salt/a.sls": "a:\n  test.nop: []\n",
        "pillar/top.sls": """
            base:
              '*':
                - common
              dbs:
                - match: nodegroup
                - db
              'role:web':
                - match: grain
                - web
            """,
        "pillar/common.sls": """
            include:
              - shared
            ehr:
              log_level: info
              db:
                host: db.internal
            """,
        "pillar/shared.sls": "ehr:\n  log_level: debug\n  region: eu-west-1\n",
        "pillar/db.sls": "ehr:\n  db:\n    password: s3cr3t-Passw0rd\n",
        "pillar/web.sls": """
            #!jinja|yaml|gpg
            ehr:
              api_token: |
                -----BEGIN PGP MESSAGE-----
                hQEMA0lW1ZsZsnbVAQf/cipherCIPHERcipher
                -----END PGP MESSAGE-----
            """,
    }).grains("db01", role="db").grains("web01", role="web")


def test_pillar_targeting_include_and_merge(tree):
    _tree(tree)
    db = tree.render("db01")
    web = tree.render("web01")
    assert db.pillar["ehr"] == {"log_level": "info", "region": "eu-west-1", "db": {"host": "db.internal", "password": "s3cr3t-Passw0rd"}}
    assert "password" not in web.pillar["ehr"].get("db", {})
    assert web.pillar["ehr"]["log_level"] == "info"


def test_pillar_values_carry_locations_and_secret_marks(tree):
    _tree(tree)
    db = {v.key_path: v for v in tree.render("db01").pillar_values}
    pw = db["ehr:db:password"]
    assert (pw.location.file, pw.location.line) == ("pillar/db.sls", 3)
    assert pw.secret and pw.storage is SecretStorage.PLAINTEXT
    assert not db["ehr:log_level"].secret
    assert (db["ehr:log_level"].location.file, db["ehr:log_level"].location.line) == ("pillar/common.sls", 4)
    web = {v.key_path: v for v in tree.render("web01").pillar_values}
    token = web["ehr:api_token"]
    assert token.storage is SecretStorage.GPG
    assert (token.location.file, token.location.line) == ("pillar/web.sls", 3)


def test_pillar_get_in_states_reads_minion_pillar(tree):
    _tree(tree).write({
        "salt/a.sls": "a:\n  test.nop:\n    - name: {{ salt['pillar.get']('ehr:db:password', 'none') }}\n",
    })
    assert tree.render("db01").state("a").name == "s3cr3t-Passw0rd"
    assert tree.render("web01").state("a").name == "none"
    reads = tree.render("db01").pillar_reads
    assert [(l.file, l.line) for l in reads["ehr:db:password"]] == [("salt/a.sls", 3)]


def test_map_jinja_filter_by_and_import_yaml(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - ehr\n",
        "salt/ehr/defaults.yaml": "ehr:\n  user: ehr\n  pkg: python3\n",
        "salt/ehr/map.jinja": """
            {% import_yaml tpldir ~ "/defaults.yaml" as defaults %}
            {% set os_map = salt['grains.filter_by']({
                'Debian': {'pkg': 'python3-venv'},
                'RedHat': {'pkg': 'python39'},
            }, grain='os_family') %}
            {% set ehr = salt['slsutil.merge'](defaults.ehr, os_map) %}
            """,
        "salt/ehr/init.sls": """
            {% from tpldir ~ "/map.jinja" import ehr with context %}
            ehr-pkg:
              pkg.installed:
                - name: {{ ehr.pkg }}
            """,
    }).grains("deb", os_family="Debian").grains("rhel", os_family="RedHat")
    assert tree.render("deb").state("ehr-pkg").name == "python3-venv"
    assert tree.render("rhel").state("ehr-pkg").name == "python39"
