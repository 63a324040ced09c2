"""`flask seed-demo` and `flask create-user`."""

from sqlalchemy import func, select

from models import Complaint, Customer, Interaction, Order, OrderLine, User
from services.validation import normalize_phone


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_twice_adds_and_stays_consistent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--customers", "120"])
    assert first.exit_code == 0, first.output
    assert "truongphong@cskh.vn" in first.output and "cskh-demo-2026" in first.output
    assert _count(db, Customer) == 120
    staff = _count(db, User)
    second = runner.invoke(args=["seed-demo", "--customers", "80"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    assert _count(db, Customer) == 200
    assert _count(db, User) == staff  # staff reused, not doubled
    phones = db.session.scalars(select(Customer.phone)).all()
    assert len(set(phones)) == 200 and all(normalize_phone(p) == p for p in phones)
    # every child row points at an existing parent; every status appears
    orphans = db.session.scalar(
        select(func.count()).select_from(Order).where(Order.customer_id.notin_(select(Customer.id)))
    )
    assert orphans == 0
    assert _count(db, Interaction) >= 3 * 200 and _count(db, OrderLine) >= _count(db, Order)
    statuses = set(db.session.scalars(select(Complaint.status).distinct()))
    assert statuses == {"new", "in_progress", "waiting", "resolved", "closed"}
    names = db.session.scalars(select(Customer.name).limit(50)).all()
    assert any(ch in "".join(names) for ch in "ễăđươ")
    months = set(db.session.scalars(select(Customer.birth_month).distinct()))
    assert len(months) == 12
    # new rows can still be inserted after explicit ids (PostgreSQL sequences moved on)
    db.session.add(Customer(name="Mới", phone="0399999999", search_text="moi"))
    db.session.commit()


def test_seed_if_empty_does_nothing_the_second_time(app, db):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo", "--customers", "30"])
    result = runner.invoke(args=["seed-demo", "--customers", "30", "--if-empty"])
    assert result.exit_code == 0 and "nothing added" in result.output
    assert _count(db, Customer) == 30


def test_create_user(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "lan@cskh.vn", "--role", "lead", "--team", "Nhóm A", "--password", "mat-khau-dai-9"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "lan@cskh.vn"))
    assert user.role == "lead" and user.team.name == "Nhóm A"
    bad = runner.invoke(args=["create-user", "not-an-email", "--role", "agent", "--password", "mat-khau-dai-9"])
    assert bad.exit_code == 1 and "email" in bad.output
    assert _count(db, User) == 1


def test_access_matrix_command_prints_every_resource(app):
    result = app.test_cli_runner().invoke(args=["access-matrix"])
    assert result.exit_code == 0
    assert "| customer |" in result.output and "| agent | lead | head | admin |" in result.output


def test_seeded_customers_are_found_by_mariadbs_search_keys(app, db, monkeypatch):
    """Demo rows are inserted in bulk (no ORM event): on MariaDB their search keys are built after them."""
    from services import search_index, search_keys
    from services.text import search_terms

    assert app.test_cli_runner().invoke(args=["seed-demo", "--customers", "40"]).exit_code == 0
    monkeypatch.setattr(search_keys, "SCAN_SHARE", 2.0)  # MariaDB: always the keys' plan
    search_keys.forget_sample(db.engine)
    for customer in db.session.scalars(select(Customer).order_by(Customer.id).limit(10)):
        terms = search_terms(f"{customer.name} {customer.phone}")
        condition = search_index.search_condition(Customer, terms, db.engine)
        assert customer.id in db.session.scalars(select(Customer.id).where(condition)).all(), customer.name
    assert search_keys.refresh_missing(db.engine) == 0
    search_keys.forget_sample(db.engine)
