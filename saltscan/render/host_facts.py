"""Host facts: what a user tells saltscan about their minions' machines.

Templates sometimes ask the machine Salt runs on (``file.file_exists``,
``cmd.has_exec``, ``user.info``). saltscan never asks the machine it runs on; without
facts those calls are unknowns that answer as a new host would (nothing there). A facts
file states what is known instead, e.g. what the AMI every minion boots from contains:

```yaml
files: [/etc/localtime]            # file.file_exists, file.exists
directories: [/srv/app]            # file.directory_exists, file.exists
executables: [git, curl]           # cmd.has_exec, cmd.which
users:                             # user.info
  ehr: {home: /home/ehr, uid: 1001, shell: /bin/bash}
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

_MISSING = object()


class HostFactsError(ValueError):
    """The host facts file cannot be used (the command line exits 2 with this message)."""


@dataclass(frozen=True)
class HostFacts:
    files: frozenset[str] = frozenset()
    directories: frozenset[str] = frozenset()
    executables: frozenset[str] = frozenset()
    users: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> "HostFacts":
        if path is None:
            return cls()
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise HostFactsError(f"{path}: cannot read host facts: {exc}") from None
        if not isinstance(data, dict):
            raise HostFactsError(f"{path}: host facts must be a mapping")

        def names(key: str) -> frozenset[str]:
            value = data.get(key) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise HostFactsError(f"{path}: '{key}' must be a list of strings")
            return frozenset(value)

        users = data.get("users") or {}
        if not isinstance(users, dict):
            raise HostFactsError(f"{path}: 'users' must be a mapping")
        return cls(names("files"), names("directories"), names("executables"), {str(k): dict(v or {}) for k, v in users.items()})

    def answer(self, function: str, args: tuple[Any, ...]) -> Any:
        """The answer these facts give to ``function(*args)``, or ``_MISSING``."""
        if not args or not isinstance(args[0], str):
            return _MISSING
        subject = args[0]
        if function == "file.file_exists" and subject in self.files:
            return True
        if function == "file.directory_exists" and subject in self.directories:
            return True
        if function == "file.exists" and (subject in self.files or subject in self.directories):
            return True
        if function == "cmd.has_exec" and subject in self.executables:
            return True
        if function == "cmd.which" and subject in self.executables:
            return f"/usr/bin/{subject}"
        if function == "user.info" and subject in self.users:
            return {"name": subject, **self.users[subject]}
        return _MISSING

    def knows(self, value: Any) -> bool:
        return value is not _MISSING
