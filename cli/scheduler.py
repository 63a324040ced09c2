"""``flask scheduler run`` (the scheduler process) and ``flask scheduler run-once JOB [--date]``."""

from datetime import datetime, time

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
    def run_once(job_id: str, day: str | None):
        """Run JOB once, claimed like a scheduled run (a second call for the same date does nothing)."""
        from jobs.registry import JOBS, local_tz, run_job
        from jobs.scheduler import ensure_settings, run_now
        from models import utcnow

        load_jobs()
        if job_id not in JOBS:
            raise click.BadParameter(f"unknown job; choose one of {', '.join(sorted(JOBS))}", param_hint="JOB")
        ensure_settings()
        if day is None:
            runs = run_now(job_id, now=utcnow(), holder="cli")
        else:
            spec = JOBS[job_id]
            local_day = datetime.strptime(day, "%Y-%m-%d").date()
            fire = spec.trigger().get_next_fire_time(None, datetime.combine(local_day, time(0, 0), tzinfo=local_tz()))
            runs = [r for r in [run_job(job_id, fire, holder="cli")] if r is not None]
        if not runs:
            click.echo(f"{job_id}: already claimed for this date, nothing to do")
        for r in runs:
            click.echo(
                f"{r.job_id} {r.scheduled_for}: {r.status} processed={r.processed} created={r.created}"
                + (f" error={r.error}" if r.error else "")
            )

    app.cli.add_command(group)
