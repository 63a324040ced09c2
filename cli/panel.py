"""``flask panel inspect URL`` (a starter configuration, like Django's inspectdb) and ``flask panel check``."""

import click
from flask import Flask
from flask.cli import AppGroup

from services import panel as panel_rules
from services.panel_drift import panel_drift
from services.panel_inspect import starter_config


def register(app: Flask) -> None:
    group = AppGroup("panel", help="Panels over existing databases (docs/panel.md).")

    @group.command("inspect")
    @click.argument("url")
    @click.option("--source", default=None, help="Name of the source (default: the prefix without _, or main).")
    @click.option("--schema", default=None, help="Database schema (PostgreSQL), if not the default one.")
    @click.option("--prefix", default="", help="Put before every entry name (chinook_ -> /admin/panel/chinook_album/).")
    @click.option("--include", multiple=True, help="Only tables matching this glob (repeatable).")
    @click.option("--exclude", multiple=True, help="Skip tables matching this glob (repeatable).")
    def inspect_command(url, source, schema, prefix, include, exclude) -> None:
        """Print a starter TOML configuration for every table and view of the database at URL."""
        click.echo(starter_config(url, source=source, schema=schema, prefix=prefix, include=include, exclude=exclude))

    @group.command("check")
    def check_command() -> None:
        """Load PANEL_CONFIG, connect and reflect, compare with the live schema; exit code 1 on any finding.

        Problems (ERR): what the file names that the database lacks, a row rule whose column type cannot
        hold its value. Drift (DRIFT): a column added, gone or retyped since the entry's ``types``.
        """
        panel = panel_rules.current_panel()
        drift = panel_drift(panel)
        failed = {p.entry.split(".")[1] for p in panel.problems if p.entry.startswith("tables.") and "." in p.entry}
        failed |= {d.table for d in drift}
        for key, table in panel.tables.items():
            if key in failed:
                continue
            note = f" ({table.read_only_reason})" if table.read_only_reason else ""
            click.echo(f"ok  {key}: {table.source.key}.{table.table.name}{note}")
        for problem in panel.problems:
            click.echo(f"ERR {problem}", err=True)
        for finding in drift:
            click.echo(f"DRIFT {finding}", err=True)
        if panel.problems or drift:
            raise SystemExit(1)

    app.cli.add_command(group)
