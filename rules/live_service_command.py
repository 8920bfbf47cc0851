"""SS503: deploy-time commands that need a live service (migrations, createdb...)."""

from __future__ import annotations

import re
from typing import Iterator

from saltscan import api

from ._content import commands, env_pairs
from ._envvars import inline_assignments

# (pattern, what the command does, the service it needs)
COMMAND_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\b(manage\.py|django-admin)\s+(migrate|syncdb)\b|\balembic\s+upgrade\b|"
                r"\bdb\s+upgrade\b|\bdb:migrate\b|\bflyway\b.*\bmigrate\b|\bliquibase\b.*\bupdate\b|"
                r"\bartisan\s+migrate\b|\bdoctrine:migrations:migrate\b|\bknex\s+migrate\b|"
                r"\bsequelize\s+db:migrate\b|\bmigrate\b"),
     "runs database migrations", "database"),
    (re.compile(r"\b(manage\.py|django-admin)\s+(loaddata|createsuperuser|createcachetable)\b"),
     "loads data into the database", "database"),
    (re.compile(r"(?<![\w-])(pg_isready)(?![\w-])"), "waits for the database ({tool})", "database"),
    (re.compile(r"(?<![\w-])(pg_basebackup)(?![\w-])"),
     "copies a database from another host ({tool})", "database"),
    (re.compile(r"(?<![\w-])(wait-for-it|wait-for|nc\s+-z)(?![\w-])"),
     "waits for another service ({tool})", "service"),
    (re.compile(r"(?<![\w-])(createdb|dropdb|createuser|dropuser|psql|pg_restore|mysql|mysqladmin|"
                r"mongo|mongosh|mongorestore|sqlplus|sqlcmd|cqlsh)(?![\w-])"),
     "runs {tool} against a database", "database"),
    (re.compile(r"(?<![\w-])(rabbitmqctl|rabbitmqadmin)(?![\w-])"),
     "configures the message broker with {tool}", "message broker"),
    (re.compile(r"(?<![\w-])(redis-cli)(?![\w-])"), "runs {tool} against a cache", "cache"),
    (re.compile(r"(?<![\w-])(curl|wget)\b.*(elasticsearch|:9200\b|/_reindex\b|/_bulk\b)"),
     "calls the search service", "search service"),
)
# State modules that talk to a running service when they run.
SERVICE_MODULES: dict[str, str] = {
    "postgres_database": "database", "postgres_user": "database", "postgres_group": "database",
    "postgres_schema": "database", "postgres_extension": "database",
    "postgres_privileges": "database", "postgres_language": "database",
    "postgres_tablespace": "database", "postgres_initdb": "database",
    "mysql_database": "database", "mysql_user": "database", "mysql_grants": "database",
    "mysql_query": "database", "mongodb_database": "database", "mongodb_user": "database",
    "influxdb_database": "database", "influxdb_user": "database",
    "rabbitmq_user": "message broker", "rabbitmq_vhost": "message broker",
    "rabbitmq_policy": "message broker", "rabbitmq_plugin": "message broker",
    "elasticsearch": "search service", "elasticsearch_index": "search service",
    "elasticsearch_index_template": "search service", "redismod": "cache",
}
DB_ENV_RE = re.compile(r"^(PG(PASSWORD|HOST|USER|DATABASE)|MYSQL_(PWD|HOST)|DATABASE_URL|DB_\w+)$")


class LiveServiceCommand(api.StateRule):
    """Deploy-time step that needs a live service: migrations, createdb, rabbitmqctl.

    The state runs against a service that must already be up: a database
    migration, ``createdb``/``psql``, ``rabbitmqctl add_user``, a
    ``postgres_user.present``, anything run with database credentials in its
    environment. Salt runs it in the middle of configuring a host; an image
    build has no database, and a container start should not migrate. It becomes
    a one-off job (an init container or a Kubernetes Job) run before the rollout.

    Problematic::

        ehr-migrate:
          cmd.run:
            - name: /opt/ehr/venv/bin/python /opt/ehr/manage.py migrate --noinput
            - runas: ehr

    Correct::

        ehr-collectstatic:
          cmd.run:
            - name: /opt/ehr/venv/bin/python /opt/ehr/manage.py collectstatic --noinput
            - runas: ehr
    """

    code = "SS503"
    name = "live-service-command"
    category = api.Category.ORDERING
    severity = api.Severity.MEDIUM
    tags = ("ordering", "deploy")
    hint = "run it as a one-off job (init container or Kubernetes Job) before the rollout"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if state.module in SERVICE_MODULES:
            service = SERVICE_MODULES[state.module]
            yield self.at_state(
                state, f"{state.fun} {state.id} needs a live {service} at deploy time",
                subject=state.fun,
            )
            return
        if state.module != "cmd":
            return
        for arg, command in commands(state):
            if arg != "name":
                continue
            for pattern, what, service in COMMAND_PATTERNS:
                m = pattern.search(command)
                if m:
                    tool = m.group(1) if pattern.groups else ""
                    yield self.at_state(
                        state,
                        f"{state.fun} {state.id} {what.format(tool=tool)} at deploy time: "
                        f"it needs a live {service}",
                        arg="name", subject=what.format(tool=tool),
                    )
                    return
        names = [n for n, _ in env_pairs(state.args.get("env"))]
        names += [n for n, _ in inline_assignments(state.name)]
        db_vars = sorted({n for n in names if DB_ENV_RE.match(n)})
        if db_vars:
            yield self.at_state(
                state, f"{state.fun} {state.id} runs with database settings ({', '.join(db_vars)}) "
                "at deploy time: it needs a live database",
                subject="database-env",
            )
