"""``saltscan scan``: the whole pipeline, then one or more reports."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from saltscan.cli.options import scan_options, tree_options
from saltscan.findings import Severity
from saltscan.report import FORMATS

SEVERITIES = [s.value for s in Severity]


def _use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _outputs(formats: tuple[str, ...], outputs: tuple[Path, ...], output_dir: Path | None) -> list[tuple[str, Path | None]]:
    """Pair each --format with its -o (in order); --output-dir names files by format."""
    formats = formats or ("text",)
    if output_dir is not None:
        ext = {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "codeclimate": "codeclimate.json"}
        return [(f, output_dir / f"saltscan.{ext[f]}") for f in formats]
    if len(outputs) > len(formats):
        raise click.UsageError("more -o/--output than --format")
    paired = list(zip(formats, list(outputs) + [None] * (len(formats) - len(outputs))))
    if sum(1 for _, o in paired if o is None) > 1:
        raise click.UsageError("only one --format may go to standard output; give the others -o FILE")
    return paired


@click.command("scan")
@tree_options
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS), help="Report format; repeat for several, each with its own -o.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="Write the matching --format here (default: standard output).")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path), help="Write one file per --format into this folder.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None, help="Exit 1 when an unsuppressed finding is at least this severe (default: low).")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Report only findings not in this baseline.")
@click.option("--create-baseline", type=click.Path(dir_okay=False, path_type=Path), help="Record the current findings as a baseline file.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=".saltscan.yml to use (default: found upward from PATH).")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Load extra rules from this folder (your own code: it runs).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--jobs", type=int, default=1, show_default=True, help="Render minions in parallel processes.")
@click.option("--only-files", "only_files", multiple=True, hidden=True, help="Report only findings in these files (the pre-commit hook).")
@click.option("-v", "--verbose", count=True, help="Say what was found and why (roots, minions).")
def scan_command(path, state_roots, pillar_roots, grains_files, minions, saltenv, host_facts, formats, outputs, output_dir,
                 fail_on, baseline, create_baseline, config_file, rules_dirs, color, jobs, only_files, verbose):
    """Scan a Salt tree and report what blocks containerization."""
    from saltscan.scan import ScanRequest, run_scan

    pairs = _outputs(tuple(formats), tuple(outputs), output_dir)
    request = ScanRequest(
        options=scan_options(path, state_roots, pillar_roots, grains_files, minions, saltenv, host_facts=host_facts, jobs=jobs),
        config_file=config_file,
        rules_dirs=tuple(rules_dirs),
        baseline=baseline,
        only_files=tuple(only_files),
    )
    from saltscan.progress import Progress

    progress = Progress.for_stream(sys.stderr)
    try:
        result = run_scan(request, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    if verbose:
        for line in result.describe():
            click.echo(line, err=True)
    if create_baseline is not None:
        result.write_baseline(create_baseline)
        click.echo(f"baseline of {len(result.findings)} findings written to {create_baseline}", err=True)
    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
    for fmt, target in pairs:
        stream = sys.stdout if target is None else None
        text = result.render(fmt, color=fmt == "text" and target is None and _use_color(color, stream))
        if target is None:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    sys.exit(result.exit_code(Severity(fail_on) if fail_on else None))
