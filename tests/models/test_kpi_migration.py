"""Migration de0e59f1cc00 keeps the KPI history: wide snapshot rows become one row per measure and back."""

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from tests.models.test_migrations import empty_database  # noqa: F401 - the fixture

BEFORE, AFTER = "5c2d8e1f4a90", "de0e59f1cc00"
COUNTS = "opened, resolved, resolved_fcr, resolved_late, resolve_seconds, nps_answers, promoters, detractors, "
COUNTS += "csat_answers, csat_sum, csat_satisfied, orders"


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_snapshot_rows_are_carried_over_both_ways(empty_database):  # noqa: F811 - the fixture
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "TESTING": True, "SECRET_KEY": "x"})
    engine = create_engine(empty_database)
    try:
        with app.app_context():
            upgrade(revision=BEFORE)
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"INSERT INTO kpi_daily_snapshots (day, team_key, agent_key, {COUNTS}, durations, moods) VALUES "
                    "(:day, 3, 7, 2, 1, 1, 0, 14400, 0, 0, 0, 0, 0, 0, 4, '14400', '{\"happy\": 2}'),"
                    "(:day, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 5, 1, 0, NULL, NULL)"
                ),
                {"day": date(2025, 10, 3)},
            )
            conn.execute(text("INSERT INTO kpi_snapshot_days (day, taken_at) VALUES ('2025-10-03', '2025-10-04')"))
        with app.app_context():
            upgrade(revision=AFTER)
        found = _rows(engine, "SELECT team_key, agent_key, measure, value, detail FROM kpi_daily_counts")
        assert sorted(found) == [
            (0, 0, "csat_answers", 1, None),
            (0, 0, "csat_satisfied", 1, None),
            (0, 0, "csat_sum", 5, None),
            (0, 0, "nps_answers", 1, None),
            (0, 0, "promoters", 1, None),
            (3, 7, "moods:happy", 2, None),
            (3, 7, "opened", 2, None),
            (3, 7, "orders", 4, None),
            (3, 7, "resolve_durations", 1, "14400"),
            (3, 7, "resolve_seconds", 14400, None),
            (3, 7, "resolved", 1, None),
            (3, 7, "resolved_fcr", 1, None),
        ]
        assert _rows(engine, "SELECT COUNT(*) FROM kpi_snapshot_days") == [(1,)]  # the day stays taken
        with app.app_context():
            downgrade(revision=BEFORE)
        back = _rows(engine, f"SELECT team_key, agent_key, {COUNTS}, durations, moods FROM kpi_daily_snapshots")
        assert sorted(back) == [
            (0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 5, 1, 0, None, None),
            (3, 7, 2, 1, 1, 0, 14400, 0, 0, 0, 0, 0, 0, 4, "14400", '{"happy": 2}'),
        ]
        with app.app_context():
            downgrade(revision="base")
    finally:
        engine.dispose()
