"""Environment variables: where they are set, and whether one carries a credential."""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass
from typing import Any

from saltscan import api

ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
EXPORT_RE = re.compile(rf"^\s*export\s+({ENV_NAME})=(.*)$")
BARE_RE = re.compile(rf"^\s*({ENV_NAME})\s*=\s*(.*)$")
SYSTEMD_RE = re.compile(r"^\s*Environment\s*=\s*(.+)$")
# Assignments at the head of a shell command, after ``env``, or after ``export``.
INLINE_RE = re.compile(
    rf"(?:^|[;&|(`]\s*|\benv\s+|\bexport\s+|\bsudo\s+(?:-\S+\s+)*)((?:{ENV_NAME}=\S*\s+)*{ENV_NAME}=\S*)"
)

ENV_FILE_DIRS = ("/etc/default/", "/etc/sysconfig/", "/etc/profile.d/", "/etc/conf.d/")
SHELL_PROFILES = (".bashrc", ".bash_profile", ".profile", ".zshrc", ".zprofile",
                  "bashrc", "profile", "zshenv")
UNIT_SUFFIXES = (".service", ".socket", ".timer", ".mount", ".target", ".path")


def is_env_file(path: str) -> bool:
    """A file whose ``NAME=value`` lines become environment variables."""
    base = posixpath.basename(path)
    return (
        path == "/etc/environment"
        or path.startswith(ENV_FILE_DIRS)
        or base == ".env" or base.endswith(".env") or base.endswith("environment")
        or base in SHELL_PROFILES
    )


def env_file_place(path: str) -> str:
    if path == "/etc/environment":
        return "/etc/environment (every process on the host)"
    if path.startswith("/etc/profile.d/") or posixpath.basename(path) in SHELL_PROFILES:
        return f"the shell profile {path}"
    return f"the environment file {path}"


def is_systemd_unit(path: str) -> bool:
    return path.endswith(UNIT_SUFFIXES) or (
        "/systemd/" in path and ".d/" in path and path.endswith(".conf")
    )


def assignments(line: str, *, env_file: bool) -> list[tuple[str, str, str]]:
    """``(form, name, value)`` for the env assignments on a line of file content.

    Forms: ``export`` (anywhere), ``Environment=`` (systemd), ``NAME=`` (env files)."""
    m = EXPORT_RE.match(line)
    if m:
        return [("export", m.group(1), _unquote(m.group(2)))]
    m = SYSTEMD_RE.match(line)
    if m:
        out = []
        for token in _split(m.group(1)):
            name, sep, value = token.partition("=")
            if sep and re.fullmatch(ENV_NAME, name):
                out.append(("Environment=", name, value))
        return out
    if env_file:
        m = BARE_RE.match(line)
        if m:
            return [("NAME=", m.group(1), _unquote(m.group(2)))]
    return []


def line_assignments(line: str, env_file: bool) -> tuple[tuple[str, str, str], ...]:
    """``assignments`` as a tuple (pure: the rules memoise it per scan)."""
    return tuple(assignments(line, env_file=env_file))


def env_assignments(lines, env_file: bool, ctx: api.RuleContext) -> tuple[tuple[Any, str, str, str], ...]:
    """``(location, form, name, value)`` for the env assignments of content lines
    (``_content.ContentLine``; comments left out), in order: for ``per_lines``."""
    return tuple(
        (line.location, form, name, value)
        for line in lines if not line.is_comment
        for form, name, value in ctx.memo[line_assignments, line.text, env_file]
    )


def inline_assignments(command: str) -> list[tuple[str, str]]:
    """``(name, value)`` set on a command line: ``PGPASSWORD=x psql``, ``export X=``."""
    out: list[tuple[str, str]] = []
    for line in command.splitlines():
        for m in INLINE_RE.finditer(line):
            for token in _split(m.group(1)):
                name, sep, value = token.partition("=")
                if sep and re.fullmatch(ENV_NAME, name):
                    out.append((name, value))
    return out


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False)
    except ValueError:
        return text.split()


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value.split(" #", 1)[0].strip()


@dataclass(frozen=True)
class Credential:
    """Why an env var carries a credential; never the value itself."""

    detail: str  # "carries a credential from pillar ehr:db:password"
    pillar_keys: tuple[str, ...] = ()


def credential(name: str, value: str, ctx: api.RuleContext) -> Credential | None:
    """Whether setting ``name`` to ``value`` passes a credential, and why."""
    if ctx.allowlist.allows_env_var(name):
        return None
    keys = tuple(sorted({pv.key_path for pv in ctx.secrets_in(value)}))
    if keys:
        return Credential(f"carries a credential from pillar {', '.join(keys)}", keys)
    if not value.strip():
        return None
    key_reason = ctx.memo[api.secret_key_reason, name]
    if key_reason and not api.is_neutral(value):
        return Credential(f"is a credential ({key_reason})")
    reason = ctx.memo[api.secret_value_reason, value]
    if reason:
        return Credential(f"carries a credential ({reason})")
    return None
