"""Every KPI on the hand-built October 2025 (tests/kpi_dataset.py), answers worked out by hand."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import Customer, Interaction, KpiDailySnapshot, KpiPeriodFigure, KpiRunningFigure, KpiSnapshotDay, db
from services.kpi import kept, registry, report, snapshot
from services.kpi.board import Board
from services.kpi.measures import total
from services.kpi.periods import Period
from services.kpi.scope import Scope, every_scope, scope_of
from tests import kpi_dataset
from tests.factories import make_complaint, make_user
from tests.kpi_dataset import OCT, OCTOBER, at

START, END = OCT
LATER = datetime(2026, 1, 1, tzinfo=UTC)
MEASURES = list(registry.MEASURES.values())


@pytest.fixture
def world(app):
    return kpi_dataset.build()


def values(scope, period=OCTOBER, **kw):
    return Board(scope, **kw).values(period)


def test_each_user_reads_the_scope_of_their_dashboard(world):
    assert scope_of(world.head) == Scope.department()
    assert scope_of(world.lead_a) == Scope.team(world.team_a_id)
    assert scope_of(world.a1) == Scope.agent(world.a1.id)
    admin = make_user("admin")
    db.session.commit()
    assert scope_of(admin) is None
    # the refresh job's scopes: the department, both teams, the three agents (no lead, head or admin)
    assert every_scope() == [
        Scope.department(),
        Scope.team(world.team_a_id),
        Scope.team(world.team_b_id),
        *(Scope.agent(u.id) for u in sorted((world.a1, world.a2, world.b1), key=lambda u: u.id)),
    ]


def test_head_sees_the_whole_department(world):
    v = values(world.department)
    # NPS answers S1 10, S2 9, S3 7, S4 3, S6 10: promoters 3, detractors 1, n 5 -> (3 - 1) / 5 * 100 = 40.0
    assert v["nps"] == 40.0
    # CSAT S1 5, S2 4, S3 3, S4 1, S5 5: 18 / 5 = 3.6; 4-5 are S1, S2, S5 -> 3 / 5 = 60.0 %
    assert v["csat_avg"] == 3.6
    assert v["csat_share"] == 60.0
    # resolved in October: K1, K2, K3, K6 (K6 opened in September); FCR K1, K3 -> 2 / 4 = 50.0 %
    assert v["resolved"] == 4
    assert v["fcr"] == 50.0
    # opened in October: K1 K2 K3 K4 K5 K8 = 6; of them resolved by 1/11: K1 K2 K3 -> 3 / 6 = 50.0 %
    assert v["opened"] == 6
    assert v["resolved_share"] == 50.0
    # durations 4, 48, 10, 720 h: mean 782 / 4 = 195.5; nearest rank ceil(0.9 * 4) = 4th smallest = 720
    assert v["avg_hours"] == 195.5
    assert v["p90_hours"] == 720.0
    # open at 1/11 00:00: K4, K5, K7, K8 = 4; SLA: resolved late K2, K6 + open past due K4 = 3
    assert v["backlog"] == 4
    assert v["resolved_late"] == 2
    assert v["sla_breaches"] == 3
    # 6 requests / 4 orders (cA1 x3, cB1 x1) * 100 = 150.0
    assert v["complaint_rate"] == 150.0
    # active in September: cA1 (order), cA2 (interaction); in October: cA1, cB1 -> kept cA1: 1 / 2 = 50 %
    assert (v["retention"], v["churn"]) == (50.0, 50.0)
    # interactions in October: cA1, cB1 -> 2 of 3 customers = 66.7 %
    assert (v["engaged"], v["engagement"]) == (2, 66.7)


def test_backlog_age_buckets(world):
    # at 1/11 00:00: K5 4 h (<1 d), K8 2 d 12 h (1-3), K4 3 d 14 h (3-7), K7 16 d 14 h (>7); past due: K4 only
    backlog = Board(world.department).figures(OCTOBER).windows["backlog"]
    assert report.backlog_ages(backlog) == {
        "total": 4,
        "under_1d": 1,
        "1_3d": 1,
        "3_7d": 1,
        "over_7d": 1,
        "overdue": 1,
    }


def test_lead_sees_only_the_team(world):
    v = values(world.team_a)
    # team A complaints K1 K2 K3 K4 K7; opened in October K1-K4 = 4, resolved K1 K2 K3 = 3
    assert (v["opened"], v["resolved"]) == (4, 3)
    assert v["fcr"] == 66.7  # K1, K3 of 3 -> 66.67
    assert v["avg_hours"] == 20.7  # (4 + 48 + 10) / 3 = 20.67
    assert v["p90_hours"] == 48.0  # ceil(2.7) = 3rd smallest of 4, 10, 48
    assert v["backlog"] == 2  # K4, K7
    assert v["sla_breaches"] == 2  # K2 late + K4 past due
    assert v["nps"] == 75.0  # S1 10, S2 9, S3 7, S6 10: (3 - 0) / 4
    assert v["csat_avg"] == 4.0  # (5 + 4 + 3) / 3
    assert v["complaint_rate"] == 133.3  # 4 / 3 orders of cA1
    assert (v["retention"], v["churn"]) == (50.0, 50.0)  # Sept cA1, cA2; October only cA1
    assert (v["engaged"], v["engagement"]) == (1, 50.0)  # cA1 of cA1, cA2
    assert v["resolved_share"] == 75.0  # 3 of 4
    assert values(Scope.team(None))["opened"] == 0  # a lead without a team: no rows


def test_agent_sees_only_own_rows(world):
    v = values(world.agent(world.a1))
    # a1's complaints K1 K2 (K7 is from September): both resolved, K1 at first contact
    assert (v["opened"], v["resolved"], v["fcr"]) == (2, 2, 50.0)
    assert (v["avg_hours"], v["p90_hours"]) == (26.0, 48.0)  # (4 + 48) / 2; ceil(1.8) = 2nd
    assert (v["backlog"], v["sla_breaches"]) == (1, 1)  # K7 open (no due); K2 late
    assert (v["nps"], v["csat_avg"], v["csat_share"]) == (100.0, 4.5, 100.0)  # S1, S2 of cA1
    assert v["complaint_rate"] == 66.7  # 2 / 3 orders
    assert (v["retention"], v["engaged"], v["engagement"]) == (100.0, 1, 100.0)
    # the head's figures on the same data are different
    assert values(world.department)["opened"] == 6


def test_administrator_has_no_customer_figures(world):
    v = values(None)
    assert (v["opened"], v["resolved"], v["nps"], v["backlog"], v["engaged"]) == (0, 0, None, 0, 0)


def test_the_registry_refuses_a_kpi_reading_unknown_figures(world):
    with pytest.raises(LookupError, match="unknown figures"):
        registry.register(registry.Kpi("bad", "Bad", "—", registry.Total("no_such_measure")))
    # retention has no per-team value (its window is not kept per key): not a breakdown column
    with pytest.raises(ValueError, match="per-team"):
        registry.register(registry.Kpi("bad", "Bad", "—", registry.Total("activity.retained"), breakdown=True))
    assert "bad" not in registry.KPIS
    # each KPI's declared figures are known, and it has a label and a formula
    for kpi in registry.KPIS.values():
        assert kpi.label and kpi.formula and kpi.value.names


def test_previous_period_is_the_previous_calendar_month(world):
    table = report.comparison(Board(world.department), OCTOBER)
    assert (table["previous"].start, table["previous"].end) == (date(2025, 9, 1), START)
    rows = {r["kpi"].key: r for r in table["rows"]}
    # September: opened K6 (20/9) and K7 (15/9) = 2; now 6 -> +4, more is worse
    assert (rows["opened"]["value"], rows["opened"]["previous"], rows["opened"]["delta"]) == (6, 2, 4)
    assert rows["opened"]["good"] is False
    assert rows["nps"]["previous"] is None and rows["nps"]["delta"] is None
    # K6 (720 h, resolved 20/10) alone in October's average vs nothing in September: no change to show
    assert rows["avg_hours"]["previous"] is None and rows["avg_hours"]["delta"] is None
    assert all(r["kpi"].formula for r in table["rows"])
    # a custom range keeps the window of the same length: 10/10-19/10 against 30/9-9/10
    custom = Period.of(date(2025, 10, 10), date(2025, 10, 20))
    previous = report.comparison(Board(world.department), custom)["previous"]
    assert (previous.start, previous.end, previous.kind) == (date(2025, 9, 30), date(2025, 10, 10), "custom")


def test_per_team_and_per_agent_breakdowns(world):
    board = Board(world.department)
    teams = {r["id"]: r["values"] for r in report.breakdown(board, OCTOBER, "team")}
    a, b = teams[world.team_a_id], teams[world.team_b_id]
    # team A: opened 4, resolved 3, late 1 (K2), NPS 75, open K4 K7; team B: opened K5 K8, resolved K6 (late)
    assert (a["opened"], a["resolved"], a["resolved_late"], a["nps"], a["backlog"]) == (4, 3, 1, 75.0, 2)
    # team B NPS: S4 3 only -> (0 - 1) / 1 = -100; CSAT S4 1, S5 5 -> 3.0; 2 requests / 1 order = 200
    assert (b["opened"], b["resolved"], b["resolved_late"], b["nps"], b["csat_avg"], b["complaint_rate"]) == (
        2,
        1,
        1,
        -100.0,
        3.0,
        200.0,
    )
    assert b["backlog"] == 2  # K5, K8
    agents = {r["id"]: r["values"] for r in report.breakdown(Board(world.team_a), OCTOBER, "agent")}
    assert set(agents) == {world.a1.id, world.a2.id}  # the lead sees no team-B agent
    assert (agents[world.a1.id]["opened"], agents[world.a1.id]["fcr"], agents[world.a1.id]["backlog"]) == (2, 50.0, 1)
    assert (agents[world.a2.id]["opened"], agents[world.a2.id]["resolved"], agents[world.a2.id]["avg_hours"]) == (
        2,
        1,
        10.0,
    )


def test_breakdown_changes_against_the_previous_period(world):
    rows = {r["id"]: r for r in report.breakdown(Board(world.department), OCTOBER, "team", compare=True)}
    b = rows[world.team_b_id]
    # team B in September: opened K6 (20/9), nothing resolved; October: K5, K8 opened, K6 resolved
    assert (b["previous"]["opened"], b["change"]["opened"]) == (1, 1)
    assert (b["previous"]["resolved"], b["change"]["resolved"]) == (0, 1)
    # open at 1/10: K6 (team B) -> 1; at 1/11: K5, K8 -> 2
    assert (b["previous"]["backlog"], b["change"]["backlog"]) == (1, 1)
    assert b["change"]["nps"] is None  # no NPS answer in September


def test_charts_moods_categories_and_trend(world):
    cats = report.categories(world.department, OCTOBER)
    # K1 K2 K5 delivery = 3, then billing, product_quality, technical 1 each
    assert [(c["key"], c["count"]) for c in cats][:1] == [("delivery", 3)]
    assert sorted(c["count"] for c in cats) == [1, 1, 1, 3]
    assert [c["key"] for c in report.categories(world.agent(world.a1), OCTOBER)] == ["delivery"]
    moods = report.mood_distribution(Board(world.department), OCTOBER)["values"]
    assert moods == [0, 1, 0, 0, 0, 1]  # delighted happy neutral worried disappointed angry
    assert report.mood_distribution(Board(world.agent(world.a1)), OCTOBER)["values"] == [0, 1, 0, 0, 0, 0]
    assert report.mood_distribution(Board(world.team_a), OCTOBER)["values"] == [0, 1, 0, 0, 0, 0]  # cA1's
    # the same from the snapshots (the happy entry of 3/10 is stored for team A and its author a1)
    for day in _days(START, END):
        snapshot.take(day)
    stored = db.session.scalars(select(KpiDailySnapshot.moods).where(KpiDailySnapshot.day == date(2025, 10, 3)))
    assert stored.all() == ['{"happy": 1}']
    assert report.mood_distribution(Board(world.department, now=LATER), OCTOBER)["values"] == moods
    trend = report.monthly_trend(world.department, END, months=3)
    assert trend["labels"] == ["08/2025", "09/2025", "10/2025"]
    assert trend["opened"] == [0, 2, 6] and trend["resolved"] == [0, 0, 4] and trend["nps"] == [None, None, 40.0]


def test_budget_counts_only_approved_budgets_in_scope(world):
    usage = report.budget_usage(world.department, 2025, 4)
    # gifts 4M of 10M + campaigns 2.5M of 5M = 6.5M of 15M = 43.3 %; the draft 99M is not counted
    assert usage["gifts_campaigns"] == {"planned": 15_000_000, "spent": 6_500_000, "used": 43.3}
    assert usage["lines"]["staff"] == {"planned": 20_000_000, "spent": 20_000_000, "used": 100.0}
    assert report.budget_usage(world.team_a, 2025, 4)["lines"] == {}  # the team has no approved budget
    assert report.budget_usage(world.agent(world.a1), 2025, 4)["lines"] == {}  # agents see no budget


def _days(first: date, stop: date):
    day = first
    while day < stop:
        yield day
        day += timedelta(days=1)


def _as_dicts(rows):
    """Counts per key, with their sorted per-row values (the p90's input), leaving out empty keys."""
    return {k: {**c.sums, "durations": c.values("durations")} for k, c in rows.items() if not c.is_empty()}


def test_snapshot_path_equals_live_path(world):
    first = date(2025, 8, 31)
    for day in _days(first, END):
        snapshot.take(day)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(KpiSnapshotDay)) == 62
    for scope in (world.department, world.team_a, world.agent(world.b1)):
        stored = snapshot.counts(scope, first, END, MEASURES, now=date(2026, 1, 1))
        live = snapshot.counts(scope, first, END, MEASURES, snapshots=False)
        assert _as_dicts(stored) == _as_dicts(live)
        # part stored, part live ("today" = 20/10): the same numbers again
        assert _as_dicts(snapshot.counts(scope, first, END, MEASURES, now=date(2025, 10, 20))) == _as_dicts(live)
    # the 90th percentile from the stored durations: K1 4 h, K3 10 h, K2 48 h, K6 720 h (seconds, sorted)
    october = total(snapshot.counts(world.department, START, END, MEASURES, now=date(2026, 1, 1)))
    assert october["opened"] == 6
    assert october.values("durations") == [4 * 3600, 10 * 3600, 48 * 3600, 720 * 3600]
    assert values(world.department)["p90_hours"] == 720.0
    stored = db.session.scalars(select(KpiDailySnapshot.durations).where(KpiDailySnapshot.day == date(2025, 10, 7)))
    assert stored.all() == [str(48 * 3600)]  # K2, resolved on 7/10 after 48 h


def test_snapshot_rows_are_read_and_retaking_a_day_replaces_them(world):
    for day in _days(START, END):
        snapshot.take(day)
    db.session.commit()
    rows_before = db.session.scalar(select(func.count()).select_from(KpiDailySnapshot))
    # a request added to 5/10 after the snapshot: the stored path does not see it, live does
    ca1 = db.session.scalars(select(Customer).where(Customer.owner_id == world.a1.id)).one()
    make_complaint(ca1, assignee=world.a1, opened_at=at(10, 5, 15))
    db.session.commit()
    later = date(2026, 1, 1)
    assert total(snapshot.counts(world.department, START, END, MEASURES, now=later))["opened"] == 6
    assert total(snapshot.counts(world.department, START, END, MEASURES, snapshots=False))["opened"] == 7
    snapshot.take(date(2025, 10, 5))
    db.session.commit()
    # 5/10 had K2 opened by a1; the new one is a1's too: the same row, now with 2 opened
    assert db.session.scalar(select(func.count()).select_from(KpiDailySnapshot)) == rows_before
    assert total(snapshot.counts(world.department, START, END, MEASURES, now=later))["opened"] == 7


def test_agent_figures_read_their_snapshot_rows(world):
    for day in _days(START, END):
        snapshot.take(day)
    db.session.commit()
    # a1's rows in the snapshot: agent_key = a1 (requests assigned to a1, answers and orders of a1's customers)
    a1 = world.agent(world.a1)
    stored = snapshot.counts(a1, START, END, MEASURES, now=date(2026, 1, 1))
    assert total(stored)["opened"] == 2
    assert _as_dicts(stored) == _as_dicts(snapshot.counts(a1, START, END, MEASURES, snapshots=False))
    assert snapshot.covered_days(START, END, now=date(2026, 1, 1)) == set(_days(START, END))


def test_agent_figures_count_requests_assigned_to_them(world):
    # a request of a1's customer cA1, handled by a2: a1 may open it, but it is a2's work
    ca1 = db.session.scalars(select(Customer).where(Customer.owner_id == world.a1.id)).one()
    make_complaint(ca1, assignee=world.a2, opened_at=at(10, 20), status="in_progress")
    db.session.commit()
    a1, a2 = values(world.agent(world.a1)), values(world.agent(world.a2))
    assert (a1["opened"], a1["backlog"]) == (2, 1)  # K1, K2 opened; K7 open - as before
    assert (a2["opened"], a2["backlog"]) == (3, 2)  # K3, K4 and the new one; K4 and the new one open
    per_agent = {r["id"]: r["values"] for r in report.breakdown(Board(world.department), OCTOBER, "agent")}
    assert (per_agent[world.a1.id]["opened"], per_agent[world.a2.id]["opened"]) == (2, 3)


def _windows(scope, period, now, keep):
    found = Board(scope, now=now, keep=keep).windows(period)
    return {name: value for name, value in found.items() if not name.startswith("value:")}


def test_kept_figures_of_a_closed_period_equal_the_live_ones(world):
    for scope in (world.department, world.team_a):
        live = _windows(scope, OCTOBER, LATER, keep=False)
        assert _windows(scope, OCTOBER, LATER, keep=True) == live  # computed and kept
        assert _windows(scope, OCTOBER, LATER, keep=True) == live  # read back
    db.session.commit()
    found = db.session.scalars(select(KpiPeriodFigure.scope_key).order_by(KpiPeriodFigure.scope_key)).all()
    assert found == ["all", f"team:{world.team_a_id}"]
    a1 = world.agent(world.a1)
    for _ in range(2):  # an agent's figures are kept too, under their own key
        assert _windows(a1, OCTOBER, LATER, keep=True) == _windows(a1, OCTOBER, LATER, keep=False)
    assert db.session.scalar(select(func.count()).select_from(KpiPeriodFigure)) == 3
    # the head's kept October: retention 1 of 2, engaged 2 of 3 customers, 3 of 6 resolved, p90 720 h
    kept_row = json.loads(db.session.scalar(select(KpiPeriodFigure.figures).where(KpiPeriodFigure.scope_key == "all")))
    assert kept_row["activity"] == {"previous_active": 2, "retained": 1, "engaged": 2}
    assert (kept_row["customers"], kept_row["resolved_by_end"]) == ({"count": 3}, {"opened": 6, "resolved": 3})
    assert kept_row["value:p90_hours"] == 720.0
    assert values(world.department, now=LATER)["p90_hours"] == 720.0


@pytest.mark.parametrize("day", [1, 3, 12, 15, 16, 24, 31])
def test_running_period_is_kept_part_plus_todays_rows(world, day):
    # "now" = noon of ``day`` October: [1/10, day) is kept, the rows from ``day`` on are added live
    now = at(10, day, 12)
    for scope in (world.department, world.team_a):
        live = _windows(scope, OCTOBER, now, keep=False)
        assert _windows(scope, OCTOBER, now, keep=True) == live
    v = values(world.department, now=now)
    assert (v["retention"], v["engaged"], v["engagement"]) == (50.0, 2, 66.7)


def test_retaking_a_day_forgets_the_kept_periods_that_read_it(world):
    Board(world.department, now=LATER).windows(OCTOBER)  # reads [1/9, 1/11)
    Board(world.department, now=LATER).windows(Period.of(date(2025, 12, 1), date(2025, 12, 31)))  # [1/11, 31/12)
    db.session.commit()
    # an interaction of cA2 on 5/10 after the figures were kept: cA2 becomes retained and engaged
    ca2 = db.session.scalars(select(Customer).where(Customer.owner_id == world.a2.id)).one()
    db.session.add(
        Interaction(customer_id=ca2.id, agent_id=world.a2.id, channel="phone", summary="Gọi", occurred_at=at(10, 5))
    )
    db.session.commit()
    assert Board(world.department, now=LATER).windows(OCTOBER)["activity"]["retained"] == 1  # still the kept one
    snapshot.take(date(2025, 10, 5))
    db.session.commit()
    assert db.session.scalars(select(KpiPeriodFigure.start)).all() == [date(2025, 12, 1)]
    assert Board(world.department, now=LATER).windows(OCTOBER)["activity"] == {
        "previous_active": 2,
        "retained": 2,
        "engaged": 3,
    }


@pytest.mark.parametrize(("day", "cut_hour"), [(3, 9), (3, 11), (15, 9), (15, 11), (16, 9), (16, 11), (31, 0)])
def test_refreshed_running_period_equals_the_live_one(world, day, cut_hour):
    # the kpi_refresh job kept [1/10, day) and today's rows up to the cut; the request adds the rest
    cut, now = at(10, day, cut_hour), at(10, day, 12)
    for scope in (world.department, world.team_a, world.agent(world.a1), world.agent(world.b1)):
        assert kept.refresh(scope, OCTOBER, now=cut)
        assert _windows(scope, OCTOBER, now, keep=True) == _windows(scope, OCTOBER, now, keep=False)
    db.session.commit()
    stored = db.session.scalars(select(KpiRunningFigure.scope_key).order_by(KpiRunningFigure.scope_key)).all()
    assert stored == sorted(["all", f"team:{world.team_a_id}", f"agent:{world.a1.id}", f"agent:{world.b1.id}"])


def test_rows_since_the_refresh_count_at_once_back_dated_ones_at_the_next_refresh(world):
    ca2 = db.session.scalars(select(Customer).where(Customer.owner_id == world.a2.id)).one()

    def call(when):  # cA2 was active on 12/9 (previous period) and not yet in October
        db.session.add(
            Interaction(customer_id=ca2.id, agent_id=world.a2.id, channel="phone", summary="Gọi", occurred_at=when)
        )
        db.session.commit()

    def retained(now):
        return Board(world.department, now=now).windows(OCTOBER)["activity"]["retained"]

    kept.refresh(world.department, OCTOBER, now=at(10, 20, 11))
    db.session.commit()
    assert retained(at(10, 20, 12)) == 1
    call(at(10, 20, 10))  # logged late, dated before the refresh: not in the kept part yet
    assert retained(at(10, 20, 12)) == 1
    assert _windows(world.department, OCTOBER, at(10, 20, 12), keep=False)["activity"]["retained"] == 2
    kept.refresh(world.department, OCTOBER, now=at(10, 20, 12))  # the next refresh reads it
    assert retained(at(10, 20, 12, 5)) == 2
    # a refresh is one row per scope and day, moved forward; older days' rows are dropped
    kept.refresh(world.department, OCTOBER, now=at(10, 21, 9))
    db.session.commit()
    rows = db.session.execute(select(KpiRunningFigure.day, KpiRunningFigure.figures)).all()
    assert [(day, json.loads(figures)["activity"]["retained"]) for day, figures in rows] == [(date(2025, 10, 21), 0)]


def test_refresh_keeps_nothing_for_closed_periods_or_a_scope_without_rows(world):
    assert not kept.refresh(world.department, OCTOBER, now=LATER)
    assert not kept.refresh(Scope.team(None), OCTOBER, now=at(10, 15, 9))
    assert db.session.scalar(select(func.count()).select_from(KpiRunningFigure)) == 0


def test_ratios_are_rounded_half_up(app, login_as):
    # 16 requests resolved in October, 1 at first contact: 1/16 = 6.25 % -> 6.3 % (a person's rounding)
    from tests.factories import make_customer

    head = make_user("head")
    customer = make_customer("Khách Mười Sáu")
    for i in range(16):
        make_complaint(
            customer, opened_at=at(10, 2, 8), resolved_at=at(10, 2, 9 + i % 8), first_contact_resolved=i == 0
        )
    db.session.commit()
    assert values(Scope.department())["fcr"] == 6.3
    html = login_as(head).get("/admin/?period=2025-10").get_data(as_text=True)
    assert '<td class="text-right kpi-value">6,3 %</td>' in html
