"""``flask outbox work``: N delivery worker processes for a large campaign (docs/channels.md)."""

import os
import subprocess
import sys

import click
from flask import Flask

from models import db


def register(app: Flask) -> None:
    @app.cli.group("outbox")
    def outbox():
        """The outbox's delivery workers."""

    @outbox.command("work")
    @click.option("--workers", default=4, show_default=True, help="Parallel worker processes (1 on SQLite).")
    @click.option("--until-empty", is_flag=True, help="Stop when no message is due.")
    def work(workers: int, until_empty: bool):
        """Deliver queued ZNS, SMS and email messages with N workers; Ctrl-C stops them."""
        if db.engine.dialect.name == "sqlite" and workers > 1:
            click.echo("SQLite: one worker (a single writer); use PostgreSQL or MariaDB for more.")
            workers = 1
        command = [sys.executable, "-m", "jobs.delivery_worker", "--share", f"{1 / workers:.4f}"]
        if until_empty:
            command.append("--until-empty")
        env = dict(os.environ)
        env.setdefault("DATABASE_URL", str(db.engine.url.render_as_string(hide_password=False)))
        processes = [subprocess.Popen(command, env=env) for _ in range(workers)]
        try:
            codes = [p.wait() for p in processes]
        except KeyboardInterrupt:
            for p in processes:
                p.terminate()
            codes = [p.wait() for p in processes]
        click.echo(f"{workers} workers stopped: exit codes {codes}")
