"""Which rules exist: the built-ins, entry-point plugins, and ``--rules-dir`` files.

- Built-ins are listed explicitly in ``saltscan.rules.BUILTIN_RULES`` (the top-level
  ``rules/`` folder, installed as ``saltscan.rules``).
- Plugins register under the ``saltscan.rules`` entry-point group; an entry point
  may load a rule class, a list of rule classes, or a module with a ``RULES`` list.
- ``--rules-dir DIR`` imports every ``*.py`` file of DIR by path, in name order, and
  takes its ``RULES`` list or else every rule class it defines. This runs the user's
  own Python code (like a pytest plugin would): it is never pointed at the scanned
  repository by saltscan, and nothing from the scanned tree is ever imported.

Every rule class is validated when registered (code, name, one category, severity,
options); ``SS`` codes are reserved for the built-ins.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.metadata
import importlib.util
import inspect
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable

from saltscan.engine.rule import (
    CATEGORY_BY_HUNDRED,
    CODE_RE,
    NAME_RE,
    PLUGIN_CODE_RE,
    GraphRule,
    Rule,
    SourceRule,
    StateRule,
)
from saltscan.findings import Category, Severity
from saltscan.report.inputs import RuleInfo

ENTRY_POINT_GROUP = "saltscan.rules"
DOCS_BASE = "https://github.com/saltscan/saltscan/blob/main/docs/rules/"


class RegistryError(ValueError):
    """A rule that cannot be registered, worded with where it came from."""


@dataclass(frozen=True)
class Registry:
    rules: tuple[type[Rule], ...]  # sorted by code

    def get(self, code_or_name: str) -> type[Rule] | None:
        by_code = self._index.get(("code", code_or_name.upper()))
        by_name = self._index.get(("name", code_or_name))
        if by_code is None or by_name is None:
            found = by_code if by_name is None else by_name
        else:
            found = min(by_code, by_name)  # both: the first in order, as a scan would find
        return None if found is None else self.rules[found]

    def infos(self) -> tuple[RuleInfo, ...]:
        return self._infos

    # Made once per registry (the hook daemon keeps one): the docstrings are parsed
    # for the summaries, and the scan asks for every rule by code.
    @cached_property
    def _infos(self) -> tuple[RuleInfo, ...]:
        return tuple(rule_info(r) for r in self.rules)

    @cached_property
    def _index(self) -> dict[tuple[str, str], int]:
        """("code", code) and ("name", name) -> the rule's position (the first one's)."""
        index: dict[tuple[str, str], int] = {}
        for i, r in enumerate(self.rules):
            index.setdefault(("code", r.code), i)
            index.setdefault(("name", r.name), i)
        return index


def rule_info(rule: type[Rule]) -> RuleInfo:
    return RuleInfo(
        code=rule.code,
        name=rule.name,
        category=rule.category,
        severity=rule.severity,
        summary=rule.summary(),
        description=rule.description(),
        help_uri=help_uri(rule.code),
        tags=tuple(rule.tags),
    )


def help_uri(code: str) -> str:
    return f"{DOCS_BASE}{code}.md"


def load_registry(
    rules_dirs: Iterable[Path] = (), *, entry_points: bool = True
) -> Registry:
    """Built-ins, then entry-point plugins, then ``rules_dirs``; codes must be unique."""
    found: list[tuple[type[Rule], str]] = [(r, "built-in") for r in builtin_rules()]
    if entry_points:
        found.extend(entry_point_rules())
    for directory in rules_dirs:
        found.extend(rules_dir_rules(Path(directory)))
    by_code: dict[str, tuple[type[Rule], str]] = {}
    by_name: dict[str, str] = {}
    for rule, origin in found:
        validate_rule(rule, builtin=origin == "built-in", origin=origin)
        if rule.code in by_code and by_code[rule.code][0] is not rule:
            raise RegistryError(
                f"{origin}: rule code {rule.code} is already used by "
                f"{by_code[rule.code][1]} ({by_code[rule.code][0].__qualname__})"
            )
        if by_name.get(rule.name, rule.code) != rule.code:
            raise RegistryError(f"{origin}: rule name {rule.name} is already used")
        by_code[rule.code] = (rule, origin)
        by_name[rule.name] = rule.code
    return Registry(tuple(by_code[c][0] for c in sorted(by_code)))


def builtin_rules() -> tuple[type[Rule], ...]:
    return tuple(import_builtin_package().BUILTIN_RULES)


def import_builtin_package() -> ModuleType:
    """``saltscan.rules``; in a source checkout that is not installed, map the
    top-level ``rules/`` folder to it the way setup.cfg's ``package_dir`` does."""
    try:
        return importlib.import_module("saltscan.rules")
    except ModuleNotFoundError as exc:
        if exc.name != "saltscan.rules":
            raise
    import saltscan

    rules_dir = Path(saltscan.__file__).resolve().parent.parent / "rules"
    spec = importlib.util.spec_from_file_location(
        "saltscan.rules", rules_dir / "__init__.py", submodule_search_locations=[str(rules_dir)]
    )
    if spec is None or spec.loader is None:
        raise RegistryError(f"cannot find the built-in rules in {rules_dir}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["saltscan.rules"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["saltscan.rules"]
        raise
    return module


def entry_point_rules() -> list[tuple[type[Rule], str]]:
    found: list[tuple[type[Rule], str]] = []
    eps = sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
    for ep in eps:
        origin = f"entry point {ep.name} ({ep.value})"
        try:
            loaded = ep.load()
        except Exception as exc:  # a broken plugin is named, not a traceback
            raise RegistryError(f"{origin}: cannot load: {type(exc).__name__}: {exc}") from exc
        found.extend((r, origin) for r in _rules_from(loaded, origin))
    return found


def rules_dir_rules(directory: Path) -> list[tuple[type[Rule], str]]:
    if not directory.is_dir():
        raise RegistryError(f"{directory}: not a directory")
    found: list[tuple[type[Rule], str]] = []
    tag = hashlib.sha1(str(directory.resolve()).encode()).hexdigest()[:8]
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module_name = f"saltscan_rules_dir_{tag}_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise RegistryError(f"{path}: cannot import")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module  # dataclasses look their module up here
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[module_name]
            raise RegistryError(f"{path}: cannot import: {type(exc).__name__}: {exc}") from exc
        found.extend((r, str(path)) for r in _rules_from(module, str(path)))
    return found


def _rules_from(obj: Any, origin: str) -> list[type[Rule]]:
    if isinstance(obj, ModuleType):
        if hasattr(obj, "RULES"):
            return _rules_from(list(obj.RULES), origin)
        return sorted(
            (c for _, c in inspect.getmembers(obj, inspect.isclass)
             if _is_concrete_rule(c) and c.__module__ == obj.__name__),
            key=lambda c: c.code,
        )
    if inspect.isclass(obj):
        if not _is_concrete_rule(obj):
            raise RegistryError(f"{origin}: {obj.__qualname__} is not a rule class")
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [r for item in obj for r in _rules_from(item, origin)]
    raise RegistryError(f"{origin}: expected a rule class, a list of them or a module")


def _is_concrete_rule(cls: type) -> bool:
    return (
        issubclass(cls, Rule)
        and cls not in (Rule, SourceRule, StateRule, GraphRule)
        and "code" in _class_attrs(cls)
    )


def _class_attrs(cls: type) -> set[str]:
    return {k for klass in cls.__mro__ if klass is not object for k in vars(klass)}


def validate_rule(rule: type[Rule], *, builtin: bool, origin: str = "") -> None:
    where = f"{origin}: {rule.__qualname__}" if origin else rule.__qualname__

    def fail(message: str) -> None:
        raise RegistryError(f"{where}: {message}")

    if not issubclass(rule, (SourceRule, StateRule, GraphRule)):
        fail("must subclass SourceRule, StateRule or GraphRule")
    for attr in ("code", "name", "category", "severity"):
        if not hasattr(rule, attr):
            fail(f"has no {attr}")
    if not isinstance(rule.category, Category):
        fail("category must be one saltscan.api.Category")
    if not isinstance(rule.severity, Severity):
        fail("severity must be a saltscan.api.Severity")
    if builtin:
        if not CODE_RE.match(rule.code):
            fail(f"code {rule.code!r} is not SS followed by 3 digits")
        expected = CATEGORY_BY_HUNDRED[int(rule.code[2])]
        if rule.category is not expected:
            fail(f"code {rule.code} is in the {expected.value} hundreds, "
                 f"but the category is {rule.category.value}")
    else:
        if not PLUGIN_CODE_RE.match(rule.code) or rule.code.startswith("SS"):
            fail(f"code {rule.code!r}: plugins use their own prefix and 3 digits "
                 f"(SS codes are the built-ins')")
    if not NAME_RE.match(rule.name):
        fail(f"name {rule.name!r} is not kebab-case")
    if not isinstance(rule.tags, tuple) or not all(isinstance(t, str) for t in rule.tags):
        fail("tags must be a tuple of strings")
    if not rule.summary():
        fail("has no docstring summary")
    options = rule.Options
    if not (dataclasses.is_dataclass(options) and options.__dataclass_params__.frozen):
        fail("Options must be a frozen dataclass")
    for f in dataclasses.fields(options):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            fail(f"option {f.name} has no default")
    if builtin:
        from saltscan.engine.examples import parse_examples

        kinds = {e.kind for e in parse_examples(rule)}
        if kinds != {"problematic", "correct"}:
            fail("docstring needs a Problematic:: and a Correct:: example")
        if not rule.hint:
            fail("has no hint")
