"""Scan speed: saltscan's pre-commit hook against salt-lint, cold and warm.

For each tree (default: ``fixtures/ehr-platform`` and the largest formula in
``../shared/corpus/repos``, by number of files, then bytes) this copies the tree into
a temporary directory and times, as whole processes the way pre-commit runs them:

- **cold**: the hook on every SLS file, empty render cache, no daemon
  running (the run starts one: that start is in the time);
- **same**: the hook on ``<file>`` again, nothing changed (pre-commit's re-run
  after another hook failed);
- **comment**: a comment appended to one SLS file, then at once the hook on it;
- **edit**: a new state appended to that file (its render changes), then at once
  the hook on it;
- **comment, later** and **edit, later**: the same edits, with the hook run
  ``--settle`` seconds after the edit, as a commit follows a save: the daemon renders
  an edit ahead as soon as it sees it. The default, 0.1 s, is less than pre-commit
  itself takes before it runs a hook (``pre-commit run`` with a no-op hook: ~0.12 s);
- the three warm runs with ``--no-daemon`` (a fresh process on the disk cache), for
  comparison;
- **salt-lint** on every SLS file, and on the changed file alone.

Each is repeated ``--repeat`` times (new copy, cache and daemon each time) and the
medians are printed with their ratios to salt-lint. Every warm report is checked
byte for byte against an uncached, in-process run of the same edited tree: a fast
wrong answer is a failure.

saltscan runs the way pre-commit runs it: the hook's ``entry`` in
``.pre-commit-hooks.yaml`` (``saltscan-hook``), installed by a regular (not editable)
install of this checkout, made in a temporary venv for the run and removed after it
(``pip install --no-deps``; the dependencies are reached through a ``.pth`` file
naming this interpreter's site-packages). A development install's editable-import
finder alone adds ~10 ms to every Python start; ``--dev`` measures through this
interpreter instead.

salt-lint is not a saltscan dependency. Install it in its own environment and pass
its path:

    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install salt-lint
    python benchmarks/scan_speed.py --salt-lint /tmp/bench-venv/bin/salt-lint
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WARM_RUNS = ("same", "comment", "edit")
LATER_RUNS = ("comment, later", "edit, later")


@dataclass
class TreeResult:
    name: str
    sls_files: int
    changed: str
    times: dict[str, list[float]] = field(default_factory=dict)

    def add(self, label: str, seconds: float) -> None:
        self.times.setdefault(label, []).append(seconds)

    def median(self, label: str) -> float:
        return statistics.median(self.times[label])


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


def pick_changed_file(files: list[str]) -> str:
    """A typical edit: a state file that is neither a top file nor pillar, nor an ``init.sls``."""
    candidates = [f for f in files if Path(f).name not in ("top.sls", "init.sls") and "pillar" not in Path(f).parts and "test" not in Path(f).parts]
    return (candidates or files)[len(candidates or files) // 2]


def edit(path: Path, kind: str, n: int) -> None:
    """Append a comment, or a state (which changes the file's render)."""
    text = {"comment": f"\n# reviewed {n}\n", "edit": f"\nsaltscan-bench-{n}:\n  file.directory:\n    - name: /srv/bench/{n}\n"}[kind]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


class Session:
    """One copy of a tree with its own render cache and daemon socket directory."""

    def __init__(self, source: Path, tmp: Path, saltscan: "Commands"):
        self.saltscan = saltscan
        self.tree = tmp / source.name
        shutil.copytree(source, self.tree, ignore=shutil.ignore_patterns(".git"))
        self.env = {k: v for k, v in os.environ.items() if k not in ("CI", "SALTSCAN_DAEMON")}
        self.env.update(
            NO_COLOR="1",
            SALTSCAN_CACHE_DIR=str(tmp / "cache"), SALTSCAN_RUNTIME_DIR=str(Path(tempfile.mkdtemp(prefix="ssb-", dir="/tmp")) / "d"),
        )

    def hook(self, *args: str) -> tuple[float, str]:
        start = time.perf_counter()
        proc = subprocess.run(self.saltscan.hook + ["--root", str(self.tree), *args], cwd=self.tree, env=self.env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise SystemExit(f"saltscan failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        return seconds, proc.stdout

    def stop(self) -> None:
        subprocess.run(self.saltscan.saltscan + ["daemon", "stop"], env=self.env, capture_output=True)
        shutil.rmtree(Path(self.env["SALTSCAN_RUNTIME_DIR"]).parent, ignore_errors=True)


def salt_lint(exe: str, files: list[str], tree: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([exe, *files], cwd=tree, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 2) and "Traceback" in proc.stderr:
        raise SystemExit(f"salt-lint failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return seconds


@dataclass(frozen=True)
class Commands:
    saltscan: list[str]  # the command line
    hook: list[str]  # what pre-commit runs: .pre-commit-hooks.yaml's entry


def hook_entry() -> str:
    """The ``entry`` of saltscan's hook in ``.pre-commit-hooks.yaml``."""
    import yaml

    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h["entry"] for h in hooks if h["id"] == "saltscan")


def dev_commands() -> Commands:
    """Through this interpreter, from this checkout (``--dev``)."""
    entry = hook_entry().split()
    script = [sys.executable, str(PROJECT / "bin" / entry[0])] if (PROJECT / "bin" / entry[0]).is_file() else None
    saltscan = [sys.executable, "-m", "saltscan.launcher"]
    return Commands(saltscan, (script or saltscan) + entry[1:])


def regular_install(directory: Path) -> Commands:
    """The commands of a regular install of this checkout in a new venv at
    ``directory`` (saltscan only; its dependencies are this interpreter's)."""
    import sysconfig
    import venv

    venv.create(directory, with_pip=True)
    python = directory / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(PROJECT)], check=True)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "zz-saltscan-bench-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    entry = hook_entry().split()
    return Commands([str(directory / "bin" / "saltscan")], [str(directory / "bin" / entry[0]), *entry[1:]])


def measure(source: Path, lint_exe: str, repeat: int, changed: str | None, settle: float, saltscan: Commands) -> TreeResult:
    files = sls_files(source)
    target = changed or pick_changed_file(files)
    result = TreeResult(source.name, len(files), target)
    for i in range(repeat):
        for daemon in (True, False):
            with tempfile.TemporaryDirectory(prefix="saltscan-bench-") as tmp:
                s = Session(source, Path(tmp), saltscan)
                try:
                    if daemon:
                        result.add("salt-lint", salt_lint(lint_exe, files, s.tree))
                        result.add("salt-lint 1 file", salt_lint(lint_exe, [target], s.tree))
                        result.add("cold", s.hook(*files)[0])
                    else:
                        s.hook("--no-daemon", *files)  # fills the disk cache
                    flag = () if daemon else ("--no-daemon",)
                    for label in WARM_RUNS + (LATER_RUNS if daemon else ()):
                        if label != "same":
                            edit(s.tree / target, label.split(",")[0], i + (100 if "later" in label else 0))
                        if "later" in label:
                            time.sleep(settle)
                        seconds, report = s.hook(*flag, target)
                        fresh = s.hook("--no-daemon", "--no-cache", target)[1]
                        if report != fresh:
                            raise SystemExit(f"{source.name}: the {label} report differs from an uncached scan of the same tree")
                        result.add(label if daemon else f"{label} (no daemon)", seconds)
                finally:
                    s.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--salt-lint", required=True, help="path to the salt-lint executable (its own venv)")
    parser.add_argument("--tree", action="append", type=Path, help="tree to measure (repeatable; default: the fixture and the largest corpus tree)")
    parser.add_argument("--corpus", type=Path, default=PROJECT.parent / "shared" / "corpus")
    parser.add_argument("--change", help="the file (relative to each tree) to edit for the warm runs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--settle", type=float, default=0.1, help="seconds between an edit and the 'later' runs")
    parser.add_argument("--dev", action="store_true", help="run saltscan through this interpreter (a development install)")
    args = parser.parse_args(argv)
    trees = args.tree or [p for p in (PROJECT / "fixtures" / "ehr-platform", largest_corpus_tree(args.corpus)) if p is not None]
    with tempfile.TemporaryDirectory(prefix="saltscan-bench-venv-") as venv_dir:
        if args.dev:
            saltscan = dev_commands()
            os.environ["PYTHONPATH"] = str(PROJECT) + os.pathsep + os.environ.get("PYTHONPATH", "")
        else:
            saltscan = regular_install(Path(venv_dir))
        results = [measure(t.resolve(), args.salt_lint, max(1, args.repeat), args.change, args.settle, saltscan)
                   for t in trees]
    print(f"median of {max(1, args.repeat)} runs; seconds of wall clock per process; ratios to salt-lint "
          "on every SLS file (/sl) and on the changed file alone (/sl1)\n")
    labels = ["cold", *WARM_RUNS, *LATER_RUNS, *(f"{w} (no daemon)" for w in WARM_RUNS)]
    for r in results:
        sl, sl1 = r.median("salt-lint"), r.median("salt-lint 1 file")
        print(f"{r.name}: {r.sls_files} SLS files, changed {r.changed}; salt-lint {sl:.3f} s, on the changed file {sl1:.3f} s")
        for label in labels:
            t = r.median(label)
            print(f"  {label:<22}{t:>7.3f} s  {t / sl:>6.2f} /sl  {t / sl1:>6.2f} /sl1")
    print(f"\n'later' runs: the hook {args.settle:g} s after the edit")
    print("saltscan: " + ("this interpreter (--dev)" if args.dev else f"{hook_entry()} (the hook's entry) of a regular install, as pre-commit runs it"))
    print("target: a warm one-file re-run no slower than salt-lint")
    return 0


if __name__ == "__main__":
    sys.exit(main())
