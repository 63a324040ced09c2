"""``flask scheduler run`` (the scheduler process) and ``flask scheduler run-once JOB [--date]``."""

from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from jobs import load_jobs


def register(app: Flask) -> None:
    group = AppGroup("scheduler", help="The job scheduler: run it, or run one job once.")

    @group.command("run")
    @click.option("--holder", default=None, help="Name of this scheduler in the lease (default host:pid).")
    def run(holder: str | None):
        """Run the scheduler in the foreground; only the lease holder among several fires jobs."""
        import logging

        from jobs.scheduler import SchedulerProcess

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        load_jobs()
        SchedulerProcess(current_app._get_current_object(), holder=holder).run()

    @group.command("run-once")
    @click.argument("job_id")
    @click.option("--date", "day", default=None, help="YYYY-MM-DD: run for this date's fire time (default: now).")
    @click.option("--force", is_flag=True, help="Allow a --date whose fire time is in the future (a manual run).")
    def run_once(job_id: str, day: str | None, force: bool):
        """Run JOB once, claimed like a scheduled run (a second call for the same date does nothing).

        A future --date is refused unless --force; a forced run is manual and never moves the schedule."""
        from jobs.registry import JOBS
        from jobs.scheduler import FutureRun, ensure_settings, run_for_date, run_now
        from models import utcnow

        load_jobs()
        if job_id not in JOBS:
            raise click.BadParameter(f"unknown job; choose one of {', '.join(sorted(JOBS))}", param_hint="JOB")
        local_day = None
        if day is not None:
            try:
                local_day = datetime.strptime(day, "%Y-%m-%d").date()
            except ValueError as exc:
                raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from exc
        ensure_settings()
        if local_day is None:
            runs = run_now(job_id, now=utcnow(), holder="cli")
        else:
            try:
                runs = [r for r in [run_for_date(job_id, local_day, force=force)] if r is not None]
            except FutureRun as exc:
                raise click.UsageError(str(exc)) from exc
        if not runs:
            click.echo(f"{job_id}: already claimed for this date, nothing to do")
        for r in runs:
            click.echo(
                f"{r.job_id} {r.scheduled_for}: {r.status} processed={r.processed} created={r.created}"
                + (f" error={r.error}" if r.error else "")
            )

    app.cli.add_command(group)
