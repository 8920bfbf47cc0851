"""``.saltscan.yml``: which rules run, at what severity, with which options, where.

Found upward from the scanned path, stopping at the git root (the first directory
holding ``.git``); outside a git work tree only the scanned directory itself is
looked at, so a stray file in a parent directory never changes a scan. ``--config
FILE`` overrides the search. The file is validated against ``CONFIG_SCHEMA`` when
loaded; every error names the file and the key.

Selectors (in ``enable``, ``disable`` and ``rules``) name rules by code (``SS201``),
name (``environ-setenv-credential``), category (``env-credential``), tag, or ``all``.
When several match one rule, the most specific wins: code or name, then category,
then tag, then ``all``; on a tie between ``enable`` and ``disable``, ``disable`` wins.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from saltscan.engine.config_schema import CONFIG_SCHEMA, structural_errors
from saltscan.findings import Severity

CONFIG_NAMES = (".saltscan.yml", ".saltscan.yaml")


class ConfigError(ValueError):
    """A configuration problem, worded ``<file>: <key>: <what is wrong>``."""


@dataclass(frozen=True)
class Allowlist:
    """Things the user declared fine: host paths, hosts, environment variable names."""

    paths: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    env_vars: tuple[str, ...] = ()

    def allows_path(self, path: str) -> bool:
        """``/srv/shared`` allows itself and everything under it; globs match whole."""
        for pattern in self.paths:
            if _is_glob(pattern):
                if fnmatch.fnmatchcase(path, pattern):
                    return True
            elif path == pattern.rstrip("/") or path.startswith(pattern.rstrip("/") + "/"):
                return True
        return False

    def allows_host(self, host: str) -> bool:
        """Hostname globs (case-insensitive), IP addresses, CIDR networks."""
        if not self.hosts:
            return False  # the usual case: no parsing the host for nothing
        host = host.lower().strip("[]")
        address = _ip(host)
        for pattern in self.hosts:
            pattern = pattern.lower()
            if "/" in pattern and address is not None:
                try:
                    if address in ipaddress.ip_network(pattern, strict=False):
                        return True
                except ValueError:
                    continue
            elif fnmatch.fnmatchcase(host, pattern):
                return True
        return False

    def allows_env_var(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.env_vars)


@dataclass(frozen=True)
class RuleSettings:
    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the file it came from; None for the defaults
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    rules: tuple[tuple[str, RuleSettings], ...] = ()
    allowlist: Allowlist = Allowlist()

    # -- selection ---------------------------------------------------------------

    def is_enabled(self, rule: Any) -> bool:
        on = _best(self.enable, rule)
        off = _best(self.disable, rule)
        if on is None and off is None:
            return bool(getattr(rule, "default_enabled", True))
        if off is None:
            return True
        if on is None:
            return False
        return on > off

    def severity_for(self, rule: Any) -> Severity:
        """The severity findings of ``rule`` get: the config's, else the rule's."""
        return self.severity_override(rule) or rule.severity

    def severity_override(self, rule: Any) -> Severity | None:
        chosen, rank = None, -1
        for selector, settings in self.rules:
            spec = specificity(selector, rule)
            if spec is not None and settings.severity is not None and spec > rank:
                chosen, rank = settings.severity, spec
        return chosen

    def ignores(self, rule: Any, file: str) -> bool:
        patterns = list(self.ignore)
        for selector, settings in self.rules:
            if specificity(selector, rule) is not None:
                patterns.extend(settings.ignore)
        return any(_path_matches(file, p) for p in patterns)

    def options_for(self, rule: Any) -> Any:
        """The rule's ``Options`` with this config's values; ConfigError on a bad one."""
        fields = _option_fields(rule)
        values: dict[str, Any] = {}
        matching = sorted(
            ((specificity(sel, rule), i, sel, s) for i, (sel, s) in enumerate(self.rules)),
            key=lambda t: (-1 if t[0] is None else t[0], t[1]),
        )
        for spec, _, selector, settings in matching:
            if spec is None:
                continue
            for key, value in settings.options.items():
                if key not in fields:
                    if spec >= SPEC_CODE:
                        raise self._error(
                            f"rules.{selector}.options.{key}",
                            f"{rule.code} has no option {key!r}"
                            + (f" (options: {', '.join(sorted(fields))})" if fields else ""),
                        )
                    continue  # a category-wide option for the rules that have it
                values[key] = self._convert(
                    f"rules.{selector}.options.{key}", value, fields[key].default
                )
        return rule.Options(**values)

    def check_against(self, rules: Iterable[Any]) -> None:
        """ConfigError for a selector that matches no rule, or an option none declares."""
        rules = list(rules)
        for where, selectors in (("enable", self.enable), ("disable", self.disable)):
            for i, selector in enumerate(selectors):
                if not any(specificity(selector, r) is not None for r in rules):
                    raise self._error(f"{where}[{i}]", f"{selector!r} matches no rule")
        for selector, settings in self.rules:
            matched = [r for r in rules if specificity(selector, r) is not None]
            if not matched:
                raise self._error(f"rules.{selector}", f"{selector!r} matches no rule")
            for r in matched:
                self.options_for(r)  # a code or name selector: names the unknown option
            for key in settings.options:
                if not any(key in _option_fields(r) for r in matched):
                    raise self._error(
                        f"rules.{selector}.options.{key}",
                        f"no rule matching {selector!r} has an option {key!r}",
                    )

    def _convert(self, key: str, value: Any, default: Any) -> Any:
        if isinstance(default, (tuple, frozenset)):
            if not isinstance(value, list):
                raise self._error(key, "expected a list")
            return type(default)(value)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise self._error(key, "expected true or false")
            return value
        if isinstance(default, (int, float)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self._error(key, "expected a number")
            return type(default)(value)
        if isinstance(default, str) and not isinstance(value, str):
            raise self._error(key, "expected a string")
        return value

    def _error(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path or '<config>'}: {key}: {message}")


# -- selectors -------------------------------------------------------------------------

SPEC_CODE = 3
SPEC_CATEGORY = 2
SPEC_TAG = 1
SPEC_ALL = 0


def specificity(selector: str, rule: Any) -> int | None:
    """How specifically ``selector`` names ``rule``; None when it does not."""
    if selector.upper() == rule.code or selector == rule.name:
        return SPEC_CODE
    if selector == rule.category.value:
        return SPEC_CATEGORY
    if selector in rule.tags:
        return SPEC_TAG
    if selector == "all":
        return SPEC_ALL
    return None


def _best(selectors: Iterable[str], rule: Any) -> int | None:
    found = [s for s in (specificity(sel, rule) for sel in selectors) if s is not None]
    return max(found) if found else None


def _option_fields(rule: Any) -> dict[str, dataclasses.Field]:
    options = getattr(rule, "Options", None)
    if options is None or not dataclasses.is_dataclass(options):
        return {}
    return {f.name: f for f in dataclasses.fields(options)}


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def _path_matches(file: str, pattern: str) -> bool:
    """Globs on the posix path relative to the scanned root; ``*`` crosses ``/``;
    a pattern without glob characters is a file or a directory prefix."""
    if _is_glob(pattern):
        return fnmatch.fnmatchcase(file, pattern)
    pattern = pattern.rstrip("/")
    return file == pattern or file.startswith(pattern + "/")


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


# -- loading ---------------------------------------------------------------------------


def find_config(start: Path) -> Path | None:
    """The nearest ``.saltscan.yml`` from ``start`` up to the git root (see module doc)."""
    start = Path(start).resolve()
    if not start.is_dir():
        start = start.parent
    chain = [start, *start.parents]
    git_root = next((d for d in chain if (d / ".git").exists()), None)
    searched = chain[: chain.index(git_root) + 1] if git_root else [start]
    for directory in searched:
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None


def resolve_config(scan_path: Path, config_file: Path | None = None) -> Config:
    """The config for a scan: ``config_file`` if given, else the one found, else defaults."""
    path = Path(config_file) if config_file else find_config(Path(scan_path))
    return load_config(path) if path else Config()


def load_config(path: Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "YAML"
        raise ConfigError(f"{path}: {where}: invalid YAML") from None
    return parse_config(data if data is not None else {}, path)


def parse_config(data: Any, path: Path | None = None) -> Config:
    """A Config from already-loaded YAML data, validated against the schema."""
    problems = validation_errors(data)
    if problems:
        key, message = problems[0]
        raise ConfigError(f"{path or '<config>'}: {key or '(top level)'}: {message}")
    rules = tuple(
        (
            str(selector),
            RuleSettings(
                severity=Severity(s["severity"]) if "severity" in s else None,
                options=dict(s.get("options") or {}),
                ignore=tuple(s.get("ignore") or ()),
            ),
        )
        for selector, s in (data.get("rules") or {}).items()
    )
    allow = data.get("allowlist") or {}
    return Config(
        path=path,
        enable=tuple(data.get("enable") or ()),
        disable=tuple(data.get("disable") or ()),
        ignore=tuple(data.get("ignore") or ()),
        rules=rules,
        allowlist=Allowlist(
            paths=tuple(allow.get("paths") or ()),
            hosts=tuple(allow.get("hosts") or ()),
            env_vars=tuple(allow.get("env_vars") or ()),
        ),
    )


def validation_errors(data: Any) -> list[tuple[str, str]]:
    """``(dotted key, message)`` per schema violation: jsonschema when installed."""
    try:
        import jsonschema
    except ImportError:  # the structural check covers the same schema subset
        found = [(_dotted(p), m) for p, m in structural_errors(data, CONFIG_SCHEMA)]
    else:
        validator = jsonschema.Draft7Validator(CONFIG_SCHEMA)
        found = []
        for err in validator.iter_errors(data):
            path = tuple(err.absolute_path)
            if err.validator == "additionalProperties" and err.validator_value is False:
                extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
                found.extend((_dotted(path + (k,)), "unknown key") for k in extra)
            else:
                found.append((_dotted(path), err.message))
    return sorted(found)


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
