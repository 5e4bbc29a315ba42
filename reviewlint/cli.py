"""The command line: parse options, call the API, choose a reporter, set the exit code.

Exit codes (ruff's convention): 0 no findings, 1 findings, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Sequence

import click

from reviewlint import __version__
from reviewlint.report import FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"reviewlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _split(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def _parse_shard(value: str) -> tuple[int, int]:
    try:
        k, n = (int(part) for part in value.split("/"))
    except ValueError:
        raise click.BadParameter(f"expected K/N such as 1/4, got {value!r}", param_hint="'--shard'") from None
    if not (n >= 1 and 1 <= k <= n):
        raise click.BadParameter(f"K must be between 1 and N, got {value!r}", param_hint="'--shard'")
    return k, n


def _use_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence: one line, exit 2
            from reviewlint.config import ConfigError
            from reviewlint.plugins import PluginError

            if isinstance(exc, (ConfigError, PluginError)):
                _fail(str(exc))
            if ctx.obj and ctx.obj.get("verbose"):
                import traceback

                traceback.print_exc()
            _fail(f"internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="reviewlint", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """reviewlint: the code-review checklist, asked by machine on every commit."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


def _settings(config: str | None, overrides: dict[str, Any], isolated: bool = False) -> Any:
    from reviewlint.config import load_settings

    return load_settings(config, overrides, isolated=isolated)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, metavar="CODES", help="Rules to enable (codes, prefixes, names; comma-separated). Replaces the configured selection.")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Rules to enable in addition to the selection.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Rules to disable (added to the configured ones).")
@click.option("--output-format", type=click.Choice(list(FORMATS)), default=None, help="How to print findings [default: text].")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False), default=None, metavar="FILE", help="Write the report to FILE instead of standard output.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default=None, help="Lowest severity that makes the exit code 1 [default: info, i.e. any finding].")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None, metavar="FILE", help="Hide the findings recorded in this baseline file; report only new ones.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), default=None, metavar="FILE", help="Record the current findings in FILE (then use --baseline FILE) and exit 0.")
@click.option("--diff-base", default=None, metavar="REF", help="Report only findings on lines added or changed since `git merge-base REF HEAD`.")
@click.option("--add-ignore", is_flag=False, flag_value="", default=None, metavar="[=REASON]", help="Write `# reviewlint: ignore[CODE] -- REASON` comments for every reported finding (use --add-ignore=\"why\").")
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when there are findings.")
@click.option("--force-exclude/--no-force-exclude", default=None, help="Apply excludes to files named on the command line too.")
@click.option("--statistics", is_flag=True, help="Show the number of findings per rule.")
@click.option("--show-suppressed", is_flag=True, help="Also list findings hidden by suppression comments.")
@click.option("--config", "config_path", type=click.Path(), default=None, help="Use this config file (pyproject.toml or reviewlint.toml).")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--preview", is_flag=True, default=None, help="Enable preview rules covered by the selection.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, help="Worker processes (0: one per CPU) [default: 0].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the results cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Cache folder [default: .reviewlint_cache in the project root].")
@click.option("--file-timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Abandon a file whose checking takes more CPU time (E901; a file that waits is abandoned at 5 times it) [default: 20; 0: no limit].")
@click.option("--shard", type=str, default=None, metavar="K/N", help="Check only the K-th of N deterministic slices of the files (for CI matrices).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary (and errors).")
@click.option("-v", "--verbose", "check_verbose", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], select: tuple[str, ...], extend_select: tuple[str, ...],
          ignore: tuple[str, ...], output_format: str | None, exit_zero: bool, force_exclude: bool | None,
          statistics: bool, show_suppressed: bool, config_path: str | None, isolated: bool, preview: bool | None,
          quiet: bool, jobs: int, no_cache: bool, cache_dir: str | None, file_timeout: float | None,
          shard: str | None, check_verbose: bool,
          **integrations: Any) -> None:
    """Check PATHS (files and folders; default: the current folder)."""
    if check_verbose:
        ctx.obj["verbose"] = True
    from reviewlint.api import build_engine, check_paths
    from reviewlint.report import Report, get_renderer

    overrides: dict[str, Any] = {}
    if select:
        overrides["select"] = _split(select)
    if preview:
        overrides["preview"] = True
    if force_exclude is not None:
        overrides["force-exclude"] = force_exclude
    if cache_dir is not None:
        overrides["cache-dir"] = os.path.abspath(cache_dir)
    if file_timeout is not None:
        overrides["file-timeout"] = file_timeout
    shard_spec = _parse_shard(shard) if shard is not None else None
    settings = _settings(config_path, overrides, isolated)
    settings.extend("extend-select", _split(extend_select))
    settings.extend("ignore", _split(ignore))
    engine = build_engine(settings)
    from reviewlint import integrations as _integrations

    _integrations.prepare(integrations, paths, settings)
    paths = tuple(integrations["paths"])
    from reviewlint.engine.pool import progress_wanted

    result = check_paths(list(paths) or ["."], settings, engine=engine, jobs=jobs, cache=not no_cache,
                         shard=shard_spec, progress=progress_wanted() and not quiet)
    findings, notes = _integrations.filter_findings(result, integrations, paths, settings, engine)

    fmt = output_format or settings.get("output-format", "text")
    report = Report(
        findings=findings,
        files_checked=result.files_checked,
        rules=result.rules,
        suppressed=result.suppressed,
        show_suppressed=show_suppressed,
        color=_use_color() and fmt == "text",
        statistics=statistics,
        quiet=quiet,
        paths=[r.path for r in result.files],
    )
    if _integrations.act(report, integrations, settings, result):
        return
    _integrations.output(get_renderer(fmt)(report), integrations, report.color)
    for note in notes:
        click.echo(f"reviewlint: {note}", err=True)
    _integrations.step_summary(report, integrations)
    if ctx.obj.get("verbose"):
        for file_result in result.files:
            for tb in file_result.tracebacks:
                click.echo(tb, err=True)
    for warning in result.warnings:
        click.echo(f"reviewlint: warning: {warning}", err=True)
    for missing in result.missing:
        click.echo(f"reviewlint: error: {missing}: no such file or folder", err=True)
    if result.missing or result.internal_error:
        if result.internal_error and not ctx.obj.get("verbose"):
            codes = sorted({d.code for r in result.files for d in r.diagnostics if d.code in ("E900", "E901")})
            what = {"E900": "a rule crashed (E900)", "E901": "a file ran out of time (E901)"}
            click.echo(f"reviewlint: error: {' and '.join(what[c] for c in codes)}: the results are incomplete; "
                       "run with --verbose for the traceback", err=True)
        sys.exit(EXIT_ERROR)
    if exit_zero:
        sys.exit(EXIT_OK)
    sys.exit(EXIT_FINDINGS if _integrations.fails(report.findings, integrations, settings) else EXIT_OK)


@cli.command("rules")
@click.option("--all", "show_all", is_flag=True, help="Also list rules not enabled by the configuration.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
@click.option("--config", "config_path", type=click.Path(), default=None)
def rules_command(show_all: bool, output_format: str, config_path: str | None) -> None:
    """List the rules: code, name, viewpoint, severity, fixable."""
    import json

    from reviewlint.api import available_rules, enabled_rule_classes

    settings = _settings(config_path, {})
    classes = available_rules(settings)
    enabled = set(enabled_rule_classes(settings, classes))
    rows = []
    for cls in classes:
        rows.append(
            {
                "code": cls.code,
                "name": cls.name,
                "viewpoint": cls.viewpoint.value,
                "severity": cls.severity.value,
                "fixable": cls.fixable,
                "preview": cls.preview,
                "default": not cls.opt_in and not cls.preview,
                "enabled": cls in enabled,
                "summary": cls.summary(),
            }
        )
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    header = ("code", "name", "viewpoint", "severity", "fixable", "set", "enabled")
    table = [header] + [
        (r["code"], r["name"], r["viewpoint"], r["severity"], "yes" if r["fixable"] else "",
         "preview" if r["preview"] else "default" if r["default"] else "strict", "yes" if r["enabled"] else "no")
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show a rule's documentation, options and examples (RULE: code or name)."""
    from reviewlint.api import available_rules
    from reviewlint.docs import explain_rule

    classes = available_rules(_settings(None, {}))
    for cls in classes:
        if rule.upper() == cls.code or rule == cls.name:
            click.echo(explain_rule(cls))
            return
    _fail(f"unknown rule {rule!r}; `reviewlint rules` lists them")


@cli.command("config")
@click.option("--config", "config_path", type=click.Path(), default=None)
def config_command(config_path: str | None) -> None:
    """Print the effective configuration and where each value comes from."""
    import json

    from reviewlint.api import enabled_rule_classes

    settings = _settings(config_path, {})
    click.echo(f"# config file: {settings.config_file or '(none: defaults)'}")
    click.echo(f"# project root: {settings.root}")
    for key, value, source in settings.describe():
        click.echo(f"{key} = {json.dumps(value)}  # {source}")
    enabled = enabled_rule_classes(settings)
    click.echo(f"# {len(enabled)} rules enabled: {', '.join(c.code for c in enabled)}")


from reviewlint.github.command import review as _review  # noqa: E402 - light: heavy imports happen inside the command

cli.add_command(_review)


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="reviewlint")


if __name__ == "__main__":  # pragma: no cover
    main()
