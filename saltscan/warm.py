"""What a long-running process keeps between scans of the same trees.

A scan is a pure function of the files it reads, so a process that scans again and
again (the hook daemon) may keep any intermediate result, as long as it is keyed on
everything it depends on and revalidated against the files each time. ``WarmState``
owns those results; ``run_scan`` takes it through ``ScanRequest.warm``. An ordinary
command-line run has none and computes everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from saltscan.render.context import CompiledTemplateCache


@dataclass
class WarmState:
    """Owned by one process; used by one scan at a time."""

    # One render cache per cache directory: entries in memory, disk writes after the reply.
    render_caches: dict[str, Any] = field(default_factory=dict)
    compiled_templates: CompiledTemplateCache = field(default_factory=CompiledTemplateCache)
    # The built-in rule registry (no --rules-dir: user code is never kept warm).
    registry: Any = None
    served: int = 0  # requests served, for `saltscan daemon status`

    def render_cache(self, directory: Path | None):
        """The in-memory render cache for ``directory`` (None: the default one)."""
        from saltscan.cache import RenderCache, default_cache_dir

        where = str(Path(directory) if directory is not None else default_cache_dir())
        if where not in self.render_caches:
            self.render_caches[where] = RenderCache(Path(where), in_memory=True)
        return self.render_caches[where]

    def builtin_registry(self):
        if self.registry is None:
            from saltscan.engine.registry import load_registry

            self.registry = load_registry(())
        return self.registry

    def flush(self) -> None:
        """Deferred work that must not delay a reply: disk writes of the render caches."""
        for cache in self.render_caches.values():
            cache.flush()
