"""Renderer pipes (``#!jinja|yaml``): which are evaluated, which are refused.

Only text-to-data renderers that cannot run code are evaluated. Renderers that run
Python (``py``, ``pyobjects``, ``pydsl``) or other template engines that can
(``mako``, ``cheetah``, ``genshi``, ``wempy``) are refused: the file is reported as not
statically analysable and contributes no states.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# Salt's old single-word spellings (salt.template.OLD_STYLE_RENDERERS).
OLD_STYLE = {
    "jinja": "jinja|yaml",
    "mako": "mako|yaml",
    "genshi": "genshi|yaml",
    "cheetah": "cheetah|yaml",
    "wempy": "wempy|yaml",
}


class Step(str, enum.Enum):
    JINJA = "jinja"
    YAML = "yaml"
    YAMLEX = "yamlex"
    JSON = "json"
    GPG = "gpg"
    NACL = "nacl"
    RAW = "raw"  # "text", "cheetah"-less plain text


EVALUATED = {
    "jinja": Step.JINJA,
    "yaml": Step.YAML,
    "yamlex": Step.YAMLEX,
    "json": Step.JSON,
    "gpg": Step.GPG,
    "nacl": Step.NACL,
    "text": Step.RAW,
}
EXECUTING = frozenset({"py", "pyobjects", "pydsl", "mako", "cheetah", "genshi", "wempy", "dson", "hjson", "stateconf", "aws_kms"})


@dataclass(frozen=True)
class Pipe:
    steps: tuple[Step, ...]
    refused: str | None = None  # renderer name saltscan will not evaluate
    unknown: str | None = None  # renderer name saltscan does not know


def parse_pipe(pipe: str) -> Pipe:
    pipe = pipe.strip()
    if pipe in OLD_STYLE:
        pipe = OLD_STYLE[pipe]
    steps: list[Step] = []
    for part in (p.strip() for p in pipe.split("|")):
        name = part.split(" ", 1)[0]
        if name in EVALUATED:
            steps.append(EVALUATED[name])
        elif name in EXECUTING:
            return Pipe(tuple(steps), refused=name)
        else:
            return Pipe(tuple(steps), unknown=name or pipe)
    return Pipe(tuple(steps))
