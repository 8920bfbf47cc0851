"""Scan speed: saltscan cold, saltscan warm after a one-file change, and salt-lint.

For each tree (default: ``fixtures/ehr-platform`` and the largest formula in
``../shared/corpus/repos``, by number of files, then bytes) this copies the tree into a
temporary directory and measures, as the commands pre-commit would run:

- **cold**: ``saltscan hook`` on every SLS file with an empty render cache;
- **same**: ``saltscan hook <file>`` again with nothing changed (pre-commit re-run
  after another hook failed): the floor of a cached run;
- **warm**: one SLS file's content changed (a comment appended), then
  ``saltscan hook <that file>`` with the cache the cold run left;
- **salt-lint** on every SLS file, and on the changed file alone.

Each is run ``--repeat`` times (a new cache and a new edit each time); the medians and
their ratios to salt-lint are printed. The warm report is checked byte for byte
against an uncached run on the same edited tree: a fast wrong answer is a failure.

salt-lint is not a saltscan dependency. Install it in its own environment and pass
its path; this script installs nothing:

    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install salt-lint
    python benchmarks/scan_speed.py --salt-lint /tmp/bench-venv/bin/salt-lint

Timings are wall clock of whole processes (interpreter start and imports included),
as a developer waiting on ``git commit`` sees them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SALTSCAN = [sys.executable, "-c", "import sys; from saltscan.cli import main; sys.exit(main())"]
CACHE_LINE = re.compile(r"render cache .*: (\d+) reused, (\d+) rendered, (\d+) stored")


@dataclass(frozen=True)
class Timing:
    seconds: float
    reused: int = 0
    rendered: int = 0


@dataclass(frozen=True)
class TreeResult:
    name: str
    sls_files: int
    changed: str
    cold: Timing
    same: Timing
    warm: Timing
    lint_all: float
    lint_one: float


def largest_corpus_tree(corpus: Path) -> Path | None:
    repos = corpus / "repos"
    if not repos.is_dir():
        return None
    trees = [p for p in repos.iterdir() if p.is_dir()]
    def size(tree: Path) -> tuple[int, int, str]:
        files = [f for f in tree.rglob("*") if f.is_file()]
        return len(files), sum(f.stat().st_size for f in files), tree.name

    return max(trees, key=size, default=None)


def sls_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.sls") if ".git" not in p.parts)


def pick_changed_file(root: Path, files: list[str]) -> str:
    """A typical edit: a state file that is neither a top file nor pillar, nor an ``init.sls``."""
    candidates = [f for f in files if Path(f).name not in ("top.sls", "init.sls") and "pillar" not in Path(f).parts and "test" not in Path(f).parts]
    return (candidates or files)[len(candidates or files) // 2]


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def saltscan(args: list[str], tree: Path, cache: Path | None) -> tuple[Timing, str]:
    env = dict(os.environ, PYTHONPATH=str(PROJECT) + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")
    if cache is not None:
        env["SALTSCAN_CACHE_DIR"] = str(cache)  # entries and signing key: the user's cache is left alone
    cache_args = [] if cache is not None else ["--no-cache"]
    seconds, proc = run(SALTSCAN + ["hook", "--root", str(tree), "-v", *cache_args, *args], tree, env)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"saltscan failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    m = CACHE_LINE.search(proc.stderr)
    return Timing(seconds, int(m.group(1)) if m else 0, int(m.group(2)) if m else 0), proc.stdout


def salt_lint(exe: str, files: list[str], tree: Path) -> float:
    seconds, proc = run([exe, *files], tree, dict(os.environ))
    if proc.returncode not in (0, 2) and "Traceback" in proc.stderr:
        raise SystemExit(f"salt-lint failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return seconds


def measure(source: Path, lint_exe: str, repeat: int, changed: str | None) -> TreeResult:
    colds, sames, warms, lint_all, lint_one = [], [], [], [], []
    files = sls_files(source)
    target = changed or pick_changed_file(source, files)
    for i in range(repeat):
        with tempfile.TemporaryDirectory(prefix="saltscan-bench-") as tmp:
            tree, cache = Path(tmp) / source.name, Path(tmp) / "cache"
            shutil.copytree(source, tree, ignore=shutil.ignore_patterns(".git"))
            lint_all.append(salt_lint(lint_exe, files, tree))
            cold, _ = saltscan(files, tree, cache)
            same, _ = saltscan([target], tree, cache)
            with open(tree / target, "a", encoding="utf-8") as fh:
                fh.write(f"\n# benchmark edit {i}\n")
            warm, warm_report = saltscan([target], tree, cache)
            _, fresh_report = saltscan([target], tree, None)
            if warm_report != fresh_report:
                raise SystemExit(f"{source.name}: the warm report differs from an uncached scan of the same tree")
            lint_one.append(salt_lint(lint_exe, [target], tree))
            colds.append(cold)
            sames.append(same)
            warms.append(warm)
    med = statistics.median
    return TreeResult(
        name=source.name, sls_files=len(files), changed=target,
        cold=Timing(med(t.seconds for t in colds), colds[0].reused, colds[0].rendered),
        same=Timing(med(t.seconds for t in sames), sames[0].reused, sames[0].rendered),
        warm=Timing(med(t.seconds for t in warms), warms[0].reused, warms[0].rendered),
        lint_all=med(lint_all), lint_one=med(lint_one),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--salt-lint", required=True, help="path to the salt-lint executable (its own venv)")
    parser.add_argument("--tree", action="append", type=Path, help="tree to measure (repeatable; default: the fixture and the largest corpus tree)")
    parser.add_argument("--corpus", type=Path, default=PROJECT.parent / "shared" / "corpus")
    parser.add_argument("--change", help="the file (relative to each tree) to edit for the warm run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    trees = args.tree or [p for p in (PROJECT / "fixtures" / "ehr-platform", largest_corpus_tree(args.corpus)) if p is not None]
    results = [measure(t.resolve(), args.salt_lint, max(1, args.repeat), args.change) for t in trees]
    print(f"median of {max(1, args.repeat)} runs; seconds of wall clock per process\n")
    head = (f"{'tree':<22}{'sls':>5}  {'salt-lint':>9}  {'cold':>6}  {'same':>6}  {'warm':>6}  {'cold/sl':>7}  {'same/sl':>7}  "
            f"{'warm/sl':>7}  {'sl 1 file':>9}  {'warm/sl1':>8}  renders warm (reused/rendered)")
    print(head)
    for r in results:
        print(
            f"{r.name:<22}{r.sls_files:>5}  {r.lint_all:>9.2f}  {r.cold.seconds:>6.2f}  {r.same.seconds:>6.2f}  {r.warm.seconds:>6.2f}  "
            f"{r.cold.seconds / r.lint_all:>7.2f}  {r.same.seconds / r.lint_all:>7.2f}  {r.warm.seconds / r.lint_all:>7.2f}  "
            f"{r.lint_one:>9.2f}  {r.warm.seconds / r.lint_one:>8.2f}  {r.warm.reused}/{r.warm.rendered} (cold rendered {r.cold.rendered})"
        )
    print("\nchanged file per tree: " + ", ".join(f"{r.name}: {r.changed}" for r in results))
    print("target: warm/sl <= 1 (warm one-file re-run no slower than salt-lint on the tree's SLS files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
