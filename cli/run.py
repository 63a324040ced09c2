"""``flask up``: migrate, seed when empty, then run the web server and the scheduler together."""

import os
import signal
import subprocess
import sys

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import func, select

from models import Customer, db


def register(app: Flask) -> None:
    @app.cli.command("up")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option("--customers", default=2000, show_default=True, help="Demo customers on an empty database.")
    @click.option("--no-scheduler", is_flag=True, help="Run the web server only.")
    def up(host: str, port: int, customers: int, no_scheduler: bool):
        """Migrate the database, seed demo data if empty, start web server and scheduler (Ctrl-C stops both)."""
        from cli.data import print_logins
        from cli.kpi import take_snapshots
        from services import demo_data

        upgrade()
        if not db.session.scalar(select(func.count()).select_from(Customer)):
            click.echo(f"Empty database: adding {customers} demo customers…")
            with click.progressbar(length=customers, label="Khách hàng / customers") as bar:
                demo_data.seed(customers, progress=bar.update)
            click.echo("Taking the KPI snapshots of the demo's past days…")
            take_snapshots(days=400)
        db.session.remove()
        children = []
        if not no_scheduler:
            env = dict(os.environ)
            children.append(
                subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "scheduler", "run"], env=env)
            )
        url = f"http://{host}:{port}/admin/"
        click.echo("")
        click.echo(f"CSKH Admin is running at {url}")
        print_logins()
        click.echo("Press Ctrl-C to stop the web server and the scheduler.")
        try:
            if current_app.config.get("ENV_NAME") == "production":
                subprocess.call([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"{host}:{port}", "app:app"])
            else:
                from werkzeug.serving import run_simple

                run_simple(host, port, current_app._get_current_object(), use_reloader=False, threaded=True)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
