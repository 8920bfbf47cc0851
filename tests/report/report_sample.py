"""The report tests' sample scan, built by hand: a small tree (written to disk by the
``source_root`` fixture), findings of several categories, one of them suppressed, a
pillar finding, a file-level finding and input error, and secret values planted in
messages, hints, errors and source lines."""

from __future__ import annotations

from saltscan.findings import Category, Finding, Severity, StateRef
from saltscan.model import RenderError, RenderErrorKind, SourceLocation
from saltscan.report import RuleInfo
from saltscan.report.common import rule_doc_uri

DB_PASSWORD = "S3cr3t-Db-Pa55"
REDIS_PASSWORD = 'r3d1s-"Pa55"<w0rd>'  # quotes and angle brackets: escaped in JSON/XML
SMTP_PASSWORD = "Mail-Pa55-Unknown"  # in the pillar file, NOT among secret_values
SECRET_VALUES = (DB_PASSWORD, REDIS_PASSWORD)

SOURCES = {
    "salt/ehr/worker.sls": (
        "{% set broker_pw = pillar['ehr']['redis']['password'] %}\n"
        "celery-env:\n"
        "  environ.setenv:\n"
        "    - name: CELERY_BROKER_URL\n"
        "    - value: redis://:{{ broker_pw }}@redis01.corp.example:6379/0\n"
        "\n"
        "/var/lib/ehr/uploads:\n"
        "  file.directory:\n"
        "    - user: ehr\n"
    ),
    "salt/ehr/db.sls": (
        "ehr-migrate:\n"
        "  cmd.run:\n"
        f"    - name: PGPASSWORD={DB_PASSWORD} psql -h db01 -f /srv/ehr/migrate.sql\n"
    ),
    "salt/ehr/broken.sls": "ehr-broken:\n  pkg.installed:\n    - name: ehr: x\n",
    "pillar/ehr/init.sls": (
        "ehr:\n"
        "  db:\n"
        "    host: db01.corp.example\n"
        f"    password: {DB_PASSWORD}\n"
        "  redis:\n"
        f"    password: '{REDIS_PASSWORD}'\n"
        "  mail:\n"
        f"    smtp_password: {SMTP_PASSWORD}\n"
    ),
}

WORKERS = tuple(f"worker{n:02d}" for n in range(1, 8))


def loc(file: str, line: int, column: int = 1) -> SourceLocation:
    return SourceLocation(file, line, column)


def rule(code, name, category, severity, summary) -> RuleInfo:
    return RuleInfo(
        code=code, name=name, category=category, severity=severity, summary=summary,
        description=f"{summary}. Longer explanation of {name}.",
        help_uri=rule_doc_uri(code), tags=("containerization",),
    )


RULES = (
    rule("SS001", "render-error", Category.CORRECTNESS, Severity.HIGH,
         "The file does not render"),
    rule("SS101", "hardcoded-data-path", Category.HARDCODED_PATH, Severity.MEDIUM,
         "A host data directory the application depends on"),
    rule("SS102", "hardcoded-endpoint", Category.HARDCODED_ENDPOINT, Severity.LOW,
         "A literal host name of another system"),
    rule("SS201", "environ-setenv-credential", Category.ENV_CREDENTIAL, Severity.HIGH,
         "A credential set through environ.setenv"),
    rule("SS202", "command-line-password", Category.ENV_CREDENTIAL, Severity.HIGH,
         "A password passed on a command line"),
    rule("SS301", "plaintext-pillar-secret", Category.PLAINTEXT_SECRET, Severity.CRITICAL,
         "A secret stored in clear in pillar"),
    rule("SS401", "explicit-order", Category.ORDERING, Severity.MEDIUM,
         "An order: argument"),
)

CELERY = StateRef("celery-env", "environ.setenv", "ehr.worker")
UPLOADS = StateRef("/var/lib/ehr/uploads", "file.directory", "ehr.worker")
MIGRATE = StateRef("ehr-migrate", "cmd.run", "ehr.db")

FINDINGS = (
    Finding(
        rule="SS201", name="environ-setenv-credential", category=Category.ENV_CREDENTIAL,
        severity=Severity.HIGH,
        message="CELERY_BROKER_URL carries a credential from pillar ehr:redis:password",
        location=loc("salt/ehr/worker.sls", 2), state=CELERY, minions=WORKERS,
        hint="inject CELERY_BROKER_URL at run time from a secret store",
    ),
    Finding(
        rule="SS101", name="hardcoded-data-path", category=Category.HARDCODED_PATH,
        severity=Severity.MEDIUM, message="/var/lib/ehr/uploads is host data the app writes",
        location=loc("salt/ehr/worker.sls", 7), state=UPLOADS, minions=("app01", "app02"),
        hint="mount a volume for uploads",
        extra=(("subject", "/var/lib/ehr/uploads"),),
    ),
    Finding(
        rule="SS102", name="hardcoded-endpoint", category=Category.HARDCODED_ENDPOINT,
        severity=Severity.LOW, message="redis01.corp.example is a literal host",
        location=loc("salt/ehr/worker.sls", 5, 39), state=CELERY, minions=WORKERS[:3],
        extra=(("subject", "redis01.corp.example"),),
    ),
    Finding(
        rule="SS202", name="command-line-password", category=Category.ENV_CREDENTIAL,
        severity=Severity.HIGH, message="PGPASSWORD is set on the command line",
        location=loc("salt/ehr/db.sls", 3, 13), state=MIGRATE, minions=("db01",),
        suppressed=True, suppression_reason=f"legacy job, password {DB_PASSWORD} rotates",
    ),
    Finding(
        # A careless rule put the value into its message: the reporters must mask it.
        rule="SS301", name="plaintext-pillar-secret", category=Category.PLAINTEXT_SECRET,
        severity=Severity.CRITICAL,
        message=f"ehr:db:password is stored in clear ({DB_PASSWORD})",
        location=loc("pillar/ehr/init.sls", 4, 5), pillar_key="ehr:db:password",
        minions=("app01", "app02", "db01"),
        hint=f"encrypt it with gpg, not {REDIS_PASSWORD}",
    ),
    Finding(
        rule="SS301", name="plaintext-pillar-secret", category=Category.PLAINTEXT_SECRET,
        severity=Severity.CRITICAL, message="ehr:mail:smtp_password is stored in clear",
        location=loc("pillar/ehr/init.sls", 8, 5), pillar_key="ehr:mail:smtp_password",
        minions=("app01",),
    ),
    Finding(
        rule="SS001", name="render-error", category=Category.CORRECTNESS,
        severity=Severity.HIGH, message="YAML: mapping values are not allowed here",
        location=loc("salt/ehr/broken.sls", 3, 16),
    ),
)

ERRORS = (
    RenderError(
        kind=RenderErrorKind.YAML,
        message=f"mapping values are not allowed here near '{REDIS_PASSWORD}'",
        location=loc("salt/ehr/broken.sls", 3, 16), sls="ehr.broken",
    ),
    RenderError(
        kind=RenderErrorKind.TOP_FILE, message="top.sls: no minion matches 'legacy*'",
        location=loc("salt/top.sls", 4),
    ),
)
