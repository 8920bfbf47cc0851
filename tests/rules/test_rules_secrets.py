"""plaintext-secret rules: SS301 (pillar), SS302 (state arguments), SS303 (file contents)."""

from __future__ import annotations

from rulekit import brief, model, render, run

from saltscan.rules.file_plaintext_secret import FilePlaintextSecret
from saltscan.rules.pillar_plaintext_secret import PillarPlaintextSecret
from saltscan.rules.state_plaintext_secret import StatePlaintextSecret

PILLAR = """\
ehr:
  db:
    host: db01.ehr.internal
    password: Zq8-wX2-pLm4
    password_min_length: 12
  aws:
    access_key_id: AKIAIOSFODNN7EXAMPLF
  stripe:
    secret_key: '{{ salt["sdb.get"]("sdb://vault/stripe") }}'
  turn_secret: sdb://vault/ehr/turn
  gpg_secret: |
    -----BEGIN PGP MESSAGE-----
    hQEMA1234
    -----END PGP MESSAGE-----
  api_token: ''
"""


def test_ss301_pillar_leaves_in_clear(tmp_path):
    r = render(tmp_path, {"salt/a.sls": "x:\n  test.nop: []\n"}, pillar=("pillar/ehr.sls", PILLAR))
    found = run(PillarPlaintextSecret, model(tmp_path, [r]))
    assert [(f.location.file, f.location.line, f.pillar_key, f.state) for f in found] == [
        ("pillar/ehr.sls", 4, "ehr:db:password", None),
        ("pillar/ehr.sls", 7, "ehr:aws:access_key_id", None),
    ]
    assert found[0].message == "pillar key ehr:db:password holds a secret in clear (key name: password)"
    assert "Zq8" not in " ".join(f.message for f in found)


def test_ss301_trusts_the_renderers_classification(tmp_path):
    from dataclasses import replace

    from saltscan.model import SecretStorage

    r = render(tmp_path, {"salt/a.sls": "x:\n  test.nop: []\n"},
               pillar=("pillar/p.sls", "app:\n  blob: opaque-value-1\n  pw: Zq8-wX2-pLm4\n"))
    values = (replace(r.pillar_values[0], secret=True, secret_reason="configured secret key"),
              replace(r.pillar_values[1], secret=True, storage=SecretStorage.GPG))
    found = run(PillarPlaintextSecret, model(tmp_path, [replace(r, pillar_values=values)]))
    assert [(f.pillar_key, f.message) for f in found] == [
        ("app:blob", "pillar key app:blob holds a secret in clear (configured secret key)")]


SLS = """\
ehr-db-user:
  postgres_user.present:
    - name: ehr
    - password: Zq8-wX2-pLm4
from-pillar:
  postgres_user.present:
    - name: reporting
    - password: R3p0rt-Pw-77
datadog-config:
  file.managed:
    - name: /etc/datadog-agent/datadog.yaml
    - context:
        site: datadoghq.com
        api_key: 4b7e9c2d1f8a4e6b9d3c5a7f0e2b8d41
dump:
  cmd.run:
    - name: mysqldump -u root -pS3cr3tRoot ehr > /tmp/x && curl --token=$TOKEN http://x
host-key:
  ssh_known_hosts.present:
    - name: git.ehr.internal
    - key: AAAAC3NzaC1lZDI1NTE5AAAAIGitEhrInternalFakeHostKeyForFixtures000
"""


def test_ss302_literals_in_state_arguments(tmp_path):
    r = render(tmp_path, {"salt/ehr/db.sls": SLS},
               pillar=("pillar/p.sls", "reporting:\n  password: R3p0rt-Pw-77\n"))
    assert brief(run(StatePlaintextSecret, model(tmp_path, [r]))) == [
        ("salt/ehr/db.sls", 4, "ehr-db-user",
         "postgres_user.present argument password holds a secret in clear (key name: password)"),
        ("salt/ehr/db.sls", 14, "datadog-config",
         "file.managed argument context.api_key holds a secret in clear (key name: API key)"),
        ("salt/ehr/db.sls", 17, "dump",
         "the command of cmd.run dump passes a secret in clear (option -p)"),
    ]


def test_ss303_file_contents(tmp_path):
    sls = {"salt/ehr/init.sls": (
        "redis-conf:\n  file.managed:\n    - name: /etc/redis/redis.conf\n"
        "    - source: salt://redis/redis.conf.j2\n    - template: jinja\n"
        "ehr-key:\n  file.managed:\n    - name: /etc/ssl/private/ehr.key\n"
        "    - source: salt://ehr/files/ehr.key\n"
        "ehr-ini:\n  file.managed:\n    - name: /etc/ehr/app.ini\n    - contents: |\n"
        "        [db]\n        password_file = /run/secrets/db\n        secret_key = 'k3y-9fj2-Qx'\n")}
    original = "bind 0.0.0.0\nrequirepass {{ pillar['redis']['password'] }}\nrequirepass Hunter2-Master\n"
    rendered = original.replace("{{ pillar['redis']['password'] }}", "R3dis-Pw-991")
    r = render(tmp_path, sls, pillar=("pillar/p.sls", "redis:\n  password: R3dis-Pw-991\n"),
               templates=[("redis-conf", "salt://redis/redis.conf.j2", "salt/redis/redis.conf.j2", rendered)],
               extra_files={"salt/ehr/files/ehr.key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n"
                            "-----END RSA PRIVATE KEY-----\n"})
    (tmp_path / "salt/redis/redis.conf.j2").write_text(original)
    assert brief(run(FilePlaintextSecret, model(tmp_path, [r]))) == [
        ("salt/ehr/files/ehr.key", 1, "ehr-key",
         "the contents of /etc/ssl/private/ehr.key hold a private key in clear"),
        ("salt/ehr/init.sls", 16, "ehr-ini",
         "secret_key is written in clear in the contents of /etc/ehr/app.ini (key name: secret)"),
        ("salt/redis/redis.conf.j2", 3, "redis-conf",
         "requirepass is written in clear in the contents of /etc/redis/redis.conf (key name: password)"),
    ]
