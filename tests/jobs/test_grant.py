"""The grant loop (jobs.effects.grant): set-based per chunk, the whole cost checked first, a clash redone."""

from datetime import date

from sqlalchemy import event

from jobs import effects
from jobs.registry import run_job
from models import BudgetLine, Customer, Gift, OutboxMessage, db
from tests.factories import make_budget_line
from tests.jobs.helpers import birthday_customers, count, set_params

GIFT = {"lead_days": 3, "item": "Hộp quà", "value": 100_000}


def statements_of(fn):
    """``fn()`` and the SQL statements it sent (an executemany counts once)."""
    seen = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        return fn(), seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def spent(line_id: int) -> int:
    db.session.expire_all()
    return db.session.get(BudgetLine, line_id).spent


def test_a_day_that_fits_one_chunk_is_read_once_whatever_its_size(app, now):
    line = make_budget_line(planned=10_000_000)
    db.session.commit()
    birthday_customers(3, date(2026, 11, 26))
    birthday_customers(12, date(2026, 11, 27))
    set_params("birthday", **GIFT, budget_line_id=line.id)
    few, small = statements_of(lambda: run_job("birthday", "manual:2026-11-23T09:00:00", now=now))
    many, big = statements_of(lambda: run_job("birthday", "manual:2026-11-24T09:00:00", now=now))
    assert (few.created, many.created, many.total) == (6, 24, 12)
    assert len(big) == len(small), "no statement per customer"
    assert sum(s.startswith("INSERT INTO gifts") for s in big) == 1
    assert sum(s.startswith("INSERT INTO outbox_messages") for s in big) == 1
    assert not any("count(" in s for s in big), "the one chunk gives the total and the cost"
    assert spent(line.id) == 15 * 100_000


def test_chunked_run_checks_the_whole_cost_first_and_charges_what_it_inserts(app, now, monkeypatch):
    monkeypatch.setattr(effects, "GRANT_CHUNK", 2)
    ids = birthday_customers(5, date(2026, 11, 26))
    db.session.get(Customer, ids[3]).consent_contact = False
    db.session.add(Gift(customer_id=ids[0], occasion="birthday", year=2026, campaign_key=0, item="Hộp quà", value=0))
    line = make_budget_line(planned=399_999)
    db.session.commit()
    line_id = line.id
    set_params("birthday", **GIFT, budget_line_id=line_id)
    # Four gifts are missing: the first chunk alone would fit, the run does not.
    blocked = run_job("birthday", now, now=now)
    assert blocked.status == "blocked" and "400.000" in blocked.error
    assert (count(Gift), count(OutboxMessage), spent(line_id)) == (1, 0, 0)
    db.session.get(BudgetLine, line_id).planned = 400_000
    db.session.commit()
    run, sql = statements_of(lambda: run_job("birthday", "manual:2026-11-23T09:00:00", now=now))
    assert run.status == "success" and (run.total, run.processed, run.created) == (5, 5, 4 + 4)
    assert (count(Gift), count(OutboxMessage), spent(line_id)) == (5, 4, 400_000)
    assert sum(s.startswith("SELECT count(") for s in sql) == 1, "counted once, in one pass"
    assert sum(s.startswith("UPDATE job_runs SET processed") for s in sql) == 3, "a commit with progress per chunk"
    again = run_job("birthday", "manual:2026-11-23T10:00:00", now=now)
    assert (again.status, again.created, spent(line_id)) == ("success", 0, 400_000)


def test_a_clash_rolls_the_chunk_back_with_its_charge_and_redoes_it(app, now, monkeypatch):
    ids = birthday_customers(3, date(2026, 11, 26))
    line = make_budget_line(planned=1_000_000)
    db.session.add(
        OutboxMessage(
            customer_id=ids[0],
            channel="email",
            recipient="kh0.1126@example.vn",
            body="Chúc mừng sinh nhật",
            status="queued",
            attempts=0,
            dedupe_key=f"birthday:2026:{ids[0]}",
        )
    )
    db.session.commit()
    line_id = line.id
    set_params("birthday", **GIFT, budget_line_id=line_id)
    lookups = []

    def stale_once(model, column, keys):
        """The first lookup misses a greeting another writer has just committed."""
        lookups.append(len(keys))
        return set() if len(lookups) == 1 else real(model, column, keys)

    real = effects.existing_keys
    monkeypatch.setattr(effects, "existing_keys", stale_once)
    run = run_job("birthday", now, now=now)
    assert run.status == "success" and run.created == 3 + 2
    assert lookups == [3, 3]
    assert (count(Gift), count(OutboxMessage), spent(line_id)) == (3, 3, 300_000)


def test_a_gift_the_job_paid_for_is_not_offered_for_approval_nor_charged_again(app, now):
    """The job charges its gifts as it inserts them (from an approved line): they are approved already,
    so neither the approvals inbox nor approve_gift can take their value a second time."""
    import pytest

    from services import approvals_inbox, gifts
    from services.errors import InvalidTransition
    from tests.factories import make_user

    line = make_budget_line(planned=10_000_000)
    head = make_user("head")
    db.session.commit()
    birthday_customers(2, date(2026, 11, 26))
    set_params("birthday", **GIFT, budget_line_id=line.id)
    run_job("birthday", "manual:2026-11-23T09:00:00", now=now)
    made = db.session.scalars(db.select(Gift)).all()
    assert [g.status for g in made] == ["approved", "approved"] and spent(line.id) == 200_000
    assert not [i for i in approvals_inbox.waiting(head) if i.kind == "gift"]
    with pytest.raises(InvalidTransition):
        gifts.approve_gift(made[0], head)
    db.session.rollback()
    assert spent(line.id) == 200_000
