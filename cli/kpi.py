"""KPI commands: take the daily snapshots of past days, refresh the running periods' figures."""

from datetime import timedelta

import click
from flask import Flask
from sqlalchemy import select

from models import KpiSnapshotDay, db
from services.kpi import kept, periods, snapshot
from services.kpi.scope import every_scope


def register(app: Flask) -> None:
    @app.cli.command("kpi-snapshot")
    @click.option("--days", default=400, show_default=True, help="How many past days to cover.")
    @click.option("--retake", is_flag=True, help="Take again the days already taken.")
    def kpi_snapshot(days: int, retake: bool):
        """Take the KPI snapshot of each past day (after an import or an upgrade), then refresh."""
        take_snapshots(days, retake)

    @app.cli.command("kpi-refresh")
    def kpi_refresh():
        """Keep the running month's and quarter's figures now (what the kpi_refresh job does)."""
        refresh_running()


def take_snapshots(days: int, retake: bool = False) -> None:
    """The snapshot of each of the last ``days`` days not taken yet (all with ``retake``), then a refresh."""
    today = periods.today()
    wanted = [today - timedelta(days=back) for back in range(days, 0, -1)]
    if not retake:
        have = set(db.session.scalars(select(KpiSnapshotDay.day).where(KpiSnapshotDay.day >= wanted[0])))
        wanted = [day for day in wanted if day not in have]
    keys = 0
    with click.progressbar(wanted, label="Ngày / days") as days_bar:
        for day in days_bar:
            keys += snapshot.take(day)
            db.session.commit()
    click.echo(f"{len(wanted)} days taken, {keys} team/agent rows.")
    refresh_running()


def refresh_running() -> int:
    """What the ``kpi_refresh`` job does: keep the running month's and quarter's figures of every scope."""
    count = 0
    for scope in every_scope():
        for period in periods.running(periods.today()):
            count += kept.refresh(scope, period)
    db.session.commit()
    click.echo(f"Running figures kept for {count} scope-periods.")
    return count
