"""What is a secret, what is not, and that hiding one never shows any of it."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import quote, quote_plus

import pytest
import yaml

from saltscan.model import SecretStorage
from saltscan.secrets import (
    MASK,
    Redactor,
    classify_key,
    classify_value,
    is_secret,
    looks_random,
    mask,
    mask_text,
    secret_values_of,
)

PLAIN = SecretStorage.PLAINTEXT
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
    "-----END RSA PRIVATE KEY-----\n"
)

# (key path, value, expected reason): realistic pillar leaves that ARE secrets.
POSITIVE = [
    ("ehr:db:password", "Sup3rS3cret!", "key name: password"),
    ("mysql:server:root_password", "changeme", "key name: password"),
    ("redis:requirepass", "r3d1s-pa55", "key name: password"),
    ("openldap:bindpw", "cn=admin", "key name: password"),
    ("postgres:PGPASSWORD", "pgpass", "key name: password"),
    ("postfix:sasl_passwd", "mailpass", "key name: password"),
    ("nexus:admin_pass", "admin123", "key name: password"),
    ("tomcat:keystore_password", 12345678, "key name: password"),
    ("rails:secret_key_base", "abc123def", "key name: secret"),
    ("django:DJANGO_SECRET_KEY", "django-insecure-abc", "key name: secret"),
    ("oauth:clientSecret", "cs-123", "key name: secret"),
    ("maps:api_key", "k-12345", "key name: API key"),
    ("partner:apiKey", "abcdef", "key name: API key"),
    ("vault:token", "s.abcdefghijklmnop", "key name: token"),
    ("ci:api_tokens:0", "tok-value-1", "key name: token"),
    ("wifi:psk", "wpa-passphrase", "key name: pre-shared key"),
    ("app:credentials:stripe", "opaque-value", "key name: under credentials"),
    ("app:secrets:sentry", "opaque", "key name: under secret"),
    ("users:bob:password", "$6$rounds=5000$saltsalt$abcdefghijklmnopqrstuv", "key name: password (password hash)"),
    ("aws:access_key_id", "AKIAIOSFODNN7EXAMPLE", "AWS access key ID"),
    ("billing:stripe", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe live secret key"),
    ("billing:restricted", "rk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe live secret key"),
    ("alerts:hook", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "Slack webhook URL"),
    ("alerts:bot", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "Slack token"),
    ("ci:github", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "GitHub token"),
    ("ci:github_fine", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "GitHub token"),
    ("ci:gitlab", "glpat-abcdefghij0123456789", "GitLab token"),
    ("maps:browser", "AIzaSyA-1234567890abcdefghijklmnopqrstu", "Google API key"),
    ("nginx:ssl:key", PEM, "private key"),
    ("auth:jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JWT"),
    ("ehr:db:url", "postgresql://ehr:hunter22@db01:5432/ehr", "URL with credentials"),
    ("celery:broker_url", "redis://:p4ssw0rd@redis01:6379/0", "URL with credentials"),
    ("app:session_seed", "x7Gk2LmQ9vR4tY8pZ3wN5bC1", "high-entropy string"),
    ("aws:credentials_file", "[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "AWS secret access key"),
]

# Realistic pillar leaves that are NOT plaintext secrets.
NEGATIVE = [
    ("pam:password_min_length", 8),
    ("sshd:password_auth", "no"),
    ("sshd:PasswordAuthentication", "no"),
    ("session:token_expiry", "3600"),
    ("vault:secret_path", "secret/ehr"),
    ("passenger:enabled", True),
    ("haproxy:pass_through", "yes"),
    ("ehr:db:password", ""),
    ("ehr:db:password", None),
    ("ehr:db:password", True),
    ("ehr:db:password", "****"),
    ("ehr:db:password", "<PASSWORD>"),
    ("ehr:db:password", "REPLACE_ME"),
    ("ehr:db:password", 1234),
    ("ehr:db:host", "db01.example.com"),
    ("ehr:db:user", "ehr"),
    ("ehr:artifact:source_hash", "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
    ("ehr:instance_uuid", "999ba26e-a8c3-443a-40df-6643b28f2823"),
    ("ehr:upload_dir", "/var/lib/ehr/uploads/patient_docs"),
    ("ehr:api_url", "https://api.example.com/v1/patients"),
    ("nginx:version", "2:1.18.0-6ubuntu14.4"),
    ("ehr:image", "registry.example.com/ehr/api:1.2.3"),
    ("pam:password_hash_algo", "sha512"),
    ("secrets:backend", "vault"),
    ("credentials:db:username", "ehr"),
    ("k8s:pod", "ehr-api-deployment-7d9f8c6b5"),
    ("java:main_class", "com.example.ehr.PatientService2"),
    ("ehr:app_name", "EhrBackend2023PatientPortal"),
    ("aws:ami", "ami-0abcdef1234567890"),
    ("api:token_header", "X-Auth-Token"),
    ("ui:show_password", True),
    ("users:bob:ssh_keys:0", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 bob@host"),
    ("ehr:db:password_hash", "$6$rounds=5000$saltsalt$abcdefghijklmnopqrstuv"),
    ("locale:lang", "en_US.UTF-8"),
]

# Secrets kept outside the tree: (key path, value, storage, reason).
EXTERNAL = [
    ("ehr:db:password", "-----BEGIN PGP MESSAGE-----\nhQEMA\n-----END PGP MESSAGE-----", SecretStorage.GPG, "PGP message"),
    ("ehr:db:password", "NACL[MRN3cc+fmdxyQbz6WMF+jq1hKdU5X5BBI7OjK+atvHo1ll+w1gZ7XyWtZVfq9gK9rQaMfkDxmidJKwE0Mw==]", SecretStorage.NACL, "NACL ciphertext"),
    ("ehr:api:token", "sdb://vault/ehr/api", SecretStorage.SDB, "sdb reference"),
    ("ehr:api:token", "vault:secret/data/ehr#token", SecretStorage.VAULT, "Vault reference"),
    ("ehr:db:password", "{{ salt['pillar.get']('vault:db') }}", SecretStorage.REFERENCE, "key name: password"),
    ("ehr:db:password", "${DB_PASSWORD}", SecretStorage.REFERENCE, "key name: password"),
    ("ehr:db:password", "%(db_password)s", SecretStorage.REFERENCE, "key name: password"),
    ("ehr:db:password", "__UNKNOWN_0123456789__", SecretStorage.REFERENCE, "key name: password"),
    ("ehr:db:password", "/run/secrets/ehr_db", SecretStorage.REFERENCE, "key name: password (path to a secret file)"),
]


@pytest.mark.parametrize("key_path, value, reason", POSITIVE)
def test_plaintext_secrets_are_found_with_their_reason(key_path, value, reason):
    assert is_secret(key_path, value) == (True, PLAIN, reason)


@pytest.mark.parametrize("key_path, value", NEGATIVE)
def test_non_secrets_are_not_flagged(key_path, value):
    assert is_secret(key_path, value) == (False, PLAIN, None)


@pytest.mark.parametrize("key_path, value, storage, reason", EXTERNAL)
def test_externalised_secrets_report_their_storage(key_path, value, storage, reason):
    assert is_secret(key_path, value) == (True, storage, reason)


def test_reference_under_a_neutral_key_is_not_a_secret():
    assert is_secret("ehr:db:host", "{{ grains['fqdn'] }}") == (False, SecretStorage.REFERENCE, None)


@pytest.mark.parametrize(
    "key_path, expected",
    [
        ("ehr:db:password", "key name: password"),
        ("AWS_SECRET_ACCESS_KEY", "key name: secret"),
        ("aws:access_key_id", "key name: access key"),
        ("APIKey", "key name: API key"),
        ("tls:private_key", "key name: private key"),
        ("jwt:signing_key", "key name: signing key"),
        ("api_keys:stripe", "key name: under API key"),
        ("password_min_length", None),
        ("ssh_password_auth", None),
        ("token_expiry", None),
        ("secret_path", None),
        ("passenger", None),
        ("pass_through", None),
        ("tls:private_key_path", None),
        ("k8s:secret_name", None),
        ("firewall:bypass", None),
        ("secretary:email", None),
        ("ssl:key", None),
        ("", None),
    ],
)
def test_classify_key(key_path, expected):
    assert classify_key(key_path) == expected


@pytest.mark.parametrize(
    "value",
    ["yes", "True", "8080", "", "  ", "/etc/ehr/app.conf", "salt://ehr/files/app.conf.j2",
     "https://example.com/a?b=c", "1.2.3", "ThisIsAVeryLongJavaClassName", "__UNKNOWN_0123456789__x"],
)
def test_classify_value_neutral(value):
    found = classify_value(value)
    assert found is None or found[0] is not PLAIN


def test_url_password_that_is_a_template_is_a_reference_not_a_credential():
    assert classify_value("postgresql://ehr:{{ pw }}@db01/ehr") == (SecretStorage.REFERENCE, "template expression")
    assert classify_value("postgresql://ehr:****@db01/ehr") is None


def test_random_tokens_of_several_alphabets_are_detected_and_words_are_not():
    assert looks_random("Zx8Kq2Lm9Vb4Nc7Xw1Rt5Yp3")
    assert looks_random("k3j9x0q2m8z7w1v4b6n5c2l9")
    assert looks_random("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert not looks_random("short1Aa")
    assert not looks_random("ehr_backend_worker_v2_queue1")
    assert not looks_random("kernel.shmmax=68719476736")


SECRET_SAMPLES = [v for _, v, _ in POSITIVE if isinstance(v, str)] + ["p@ss'w\"o/r\\d%20&<>"]


def _runs(value: str, n: int = 4) -> set[str]:
    return {value[i:i + n] for i in range(len(value) - n + 1)}


@pytest.mark.parametrize("value", SECRET_SAMPLES)
def test_mask_never_leaks_a_run_of_four_characters(value):
    for shown in (mask(value), mask(value, kind=None)):
        assert shown == MASK
        assert not any(run in shown for run in _runs(value))


def test_mask_is_fixed_shape_whatever_the_value():
    assert {mask("a" * 5), mask("b" * 500), mask(12345678)} == {MASK}
    assert mask("hunter22", kind="password") == "**** (password)"


def test_redactor_replaces_raw_and_escaped_forms():
    secret = "p@ss'w\"o/r\\d&<x>"
    red = Redactor([secret])
    forms = {
        "raw": secret,
        "json": json.dumps({"pw": secret}),
        "json-in-json": json.dumps({"doc": json.dumps({"pw": secret})}),
        "yaml-double": yaml.safe_dump({"pw": secret}, default_style='"'),
        "yaml-single": "pw: '" + secret.replace("'", "''") + "'",
        "json-in-yaml": yaml.safe_dump({"doc": json.dumps({"pw": secret})}, default_style='"'),
        "url": "https://x/?pw=" + quote(secret, safe=""),
        "url-plus": "pw=" + quote_plus(secret),
        "url-lower": "pw=" + re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(secret, safe="")),
        "html": "<v>" + secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#x27;") + "</v>",
        "shell": "echo '" + secret.replace("'", "'\\''") + "'",
    }
    for name, text in forms.items():
        out = red.redact(text)
        assert MASK in out, name
        assert "ss'w" not in out and "o/r" not in out and "ss%27" not in out.lower(), name


def test_redactor_finds_a_reindented_pem_key_line_by_line():
    red = Redactor([PEM])
    reindented = "ssl_key: |\n" + "".join("      " + line + "\n" for line in PEM.splitlines())
    out = red.redact(reindented)
    for body_line in PEM.splitlines()[1:-1]:
        assert body_line not in out
    assert out.count(MASK) == 2


def test_redactor_prefers_the_longest_secret_and_labels_what_it_found():
    red = Redactor({"hunter22": "a:pw", "hunter22-extended": "b:pw"})
    assert red.redact("x hunter22-extended y hunter22 z") == f"x {MASK} y {MASK} z"
    assert red.labels_in("only hunter22 here") == ("a:pw",)
    assert red.labels_in("hunter22-extended") == ("b:pw",)
    assert red.redact_data({"k": ["hunter22", ("hunter22",)], "hunter22": 1}) == {
        "k": [MASK, (MASK,)], MASK: 1
    }


def test_redactor_ignores_short_and_non_string_values():
    red = Redactor(["abc", None, True, 1234567])
    assert red.redact("abc 1234567") == f"abc {MASK}"
    assert not Redactor([])
    assert Redactor([]).redact("anything") == "anything"


def test_redactor_is_fast_on_megabytes():
    secrets = [f"S3cr3t-{i:04d}-Xq{i * 7919 % 10007}" for i in range(300)]
    red = Redactor(secrets)
    chunk = "lorem ipsum dolor sit amet, consectetur adipiscing elit " * 2000
    text = "".join(chunk + secrets[i * 37 % 300] for i in range(40))  # ~4.5 MB
    start = time.perf_counter()
    out = red.redact(text)
    elapsed = time.perf_counter() - start
    assert out.count(MASK) == 40
    assert not any(s in out for s in secrets)
    assert elapsed < 3.0, elapsed


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mysql -u root -pS3cretPass -e 'select 1'", "mysql -u root -p**** -e 'select 1'"),
        ("PGPASSWORD=hunter22 psql -h db", "PGPASSWORD=**** psql -h db"),
        ('curl -H "Authorization: Bearer abcdefghijklmnop123" https://x', 'curl -H "Authorization: Bearer ****" https://x'),
        ("postgres://ehr:Sup3rS3cret@db01:5432/ehr", "postgres://ehr:****@db01:5432/ehr"),
        ('export API_TOKEN="a b c"', 'export API_TOKEN="****"'),
        ("--password hunter22 --user bob", "--password **** --user bob"),
        ('{"password": "hunter2", "user": "bob"}', '{"password": "****", "user": "bob"}'),
        ("key AKIAIOSFODNN7EXAMPLE here", f"key {MASK} here"),
        ("password_min_length=8", "password_min_length=8"),
        ("ssh_password_auth: no", "ssh_password_auth: no"),
        ("token: {{ pillar.x }}", "token: {{ pillar.x }}"),
        ("mkdir -p /opt/ehr", "mkdir -p /opt/ehr"),
        ("hostname -f", "hostname -f"),
        ("value __UNKNOWN_0123456789__", "value __UNKNOWN_0123456789__"),
    ],
)
def test_mask_text(text, expected):
    assert mask_text(text) == expected


def test_mask_text_is_linear_on_a_long_run():
    start = time.perf_counter()
    mask_text("A" * 1_000_000)
    mask_text("password" * 100_000)
    assert time.perf_counter() - start < 3.0


def test_secret_values_of_a_pillar():
    pillar = {
        "ehr": {"db": {"password": "Sup3rS3cret!", "host": "db01", "port": 5432}},
        "users": [{"name": "bob", "password": "b0bpass"}],
        "gpg": {"password": "-----BEGIN PGP MESSAGE-----\nx\n-----END PGP MESSAGE-----"},
    }
    assert secret_values_of(pillar) == {"Sup3rS3cret!": "ehr:db:password", "b0bpass": "users:0:password"}


@pytest.mark.parametrize("key_path, value", [
    # Corpus review (apache-formula, salt-formula pillar.example): settings, not secrets.
    ("apache:security:ServerTokens", "Prod"),
    ("nginx:server_tokens", "off"),
    ("salt:cloud:gce_service_account_email_address",
     "867543072364-orl4h2tpp8jcn1tr9ipj@developer.gserviceaccount.com"),
    ("apache:mod_ssl:SSLCipherSuite",
     "EDH+CAMELLIA:EDH+aRSA:EECDH+aRSA+AESGCM:EECDH+aRSA+SHA384:EECDH:+CAMELLIA256:+AES256:"
     "+SSLv3:!aNULL:!eNULL:!LOW:!3DES:!MD5:!EXP:!PSK:!DSS:!RC4:CAMELLIA256-SHA:AES256-SHA"),
    ("nginx:ssl_ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:HIGH:!aNULL:@STRENGTH"),
])
def test_corpus_settings_that_read_like_secrets_are_not(key_path, value):
    assert is_secret(key_path, value) == (False, PLAIN, None)


def test_markup_media_types_and_mail_addresses_are_not_random_tokens():
    # tomcat-formula web.xml: a whole XML line has no spaces (corpus review #25)
    assert not looks_random("<mime-type>application/vnd.clonk.c4group</mime-type>")
    assert not looks_random("application/x-7z-compressed")
    assert not looks_random("867543072364-orl4h2tpp8jcn1tr9ipj@developer.gserviceaccount.com")
    # still random: key material, and a random token with colons in it
    assert looks_random("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert looks_random("Xk9:Pq2mZ7:Lw4RtY8v:Bn3Hs6Jd1Fg")


def test_server_tokens_is_a_setting_but_tokens_stay_secret():
    assert classify_key("apache:security:ServerTokens") is None
    assert classify_key("app:api_tokens") == "key name: token"
    assert classify_key("java:cacert_keystore_password") == "key name: password"
