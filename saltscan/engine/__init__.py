"""The rule engine: registry, configuration, suppression, runner, dedupe.

``run_rules(model, graphs, config)`` is what the commands call; rules themselves
import only ``saltscan.api``.
"""

from saltscan.engine.config import Config, ConfigError, find_config, load_config, resolve_config
from saltscan.engine.registry import Registry, RegistryError, load_registry, rule_info
from saltscan.engine.runner import run_rules

__all__ = [
    "Config",
    "ConfigError",
    "Registry",
    "RegistryError",
    "find_config",
    "load_config",
    "load_registry",
    "resolve_config",
    "rule_info",
    "run_rules",
]
