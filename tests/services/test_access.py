"""The role matrix's row rules, with expectations written out by hand."""

from sqlalchemy import select

from models import Complaint, Customer, Order, Policy
from services import access
from tests.world import build_world


def _visible(db, user, model, resource, action="view"):
    pk = model.__mapper__.primary_key[0]
    return set(db.session.scalars(select(pk).where(access.scope_clause(user, resource, action))))


def test_agent_reads_team_customers_but_edits_only_own(app, db):
    w = build_world()
    agent = w["users"]["agent11"]
    mine = set(db.session.scalars(select(Customer.id).where(Customer.owner_id == agent.id)))
    team = set(db.session.scalars(select(Customer.id).where(Customer.team_id == agent.team_id)))
    assert len(mine) == 1 and len(team) == 2
    assert _visible(db, agent, Customer, "customer") == team
    assert _visible(db, agent, Customer, "customer", "edit") == mine
    assert _visible(db, agent, Customer, "customer", "delete") == set()


def test_lead_sees_team_head_sees_all_admin_sees_no_customers(app, db):
    w = build_world()
    everyone = set(db.session.scalars(select(Customer.id)))
    lead = w["users"]["lead1"]
    team = set(db.session.scalars(select(Customer.id).where(Customer.team_id == lead.team_id)))
    assert _visible(db, lead, Customer, "customer") == team and len(everyone) == 4
    assert _visible(db, w["users"]["head"], Customer, "customer") == everyone
    assert _visible(db, w["users"]["admin"], Customer, "customer") == set()
    assert not access.allowed(w["users"]["admin"], "customer", "view")


def test_complaints_and_orders_follow_the_customer(app, db):
    w = build_world()
    agent = w["users"]["agent11"]
    own_customers = set(db.session.scalars(select(Customer.id).where(Customer.owner_id == agent.id)))
    complaints = _visible(db, agent, Complaint, "complaint")
    assert complaints == set(db.session.scalars(select(Complaint.id).where(Complaint.customer_id.in_(own_customers))))
    orders = _visible(db, agent, Order, "order")
    assert orders == set(db.session.scalars(select(Order.id).where(Order.customer_id.in_(own_customers))))
    assert access.allowed(w["users"]["lead1"], "complaint", "escalate")
    assert not access.allowed(agent, "complaint", "escalate")


def test_policies_agents_read_published_only(app, db):
    w = build_world()
    published = set(db.session.scalars(select(Policy.id).where(Policy.status == "published")))
    assert _visible(db, w["users"]["agent11"], Policy, "policy") == published
    lead = w["users"]["lead1"]
    own = set(db.session.scalars(select(Policy.id).where(Policy.author_id == lead.id)))
    assert _visible(db, lead, Policy, "policy") == published | own
    assert not access.allowed(lead, "policy", "approve")
    assert access.allowed(w["users"]["head"], "policy", "approve")


def test_inactive_or_anonymous_users_may_do_nothing(app, db):
    w = build_world()
    head = w["users"]["head"]
    head.active = False
    assert not access.allowed(head, "customer", "view")
    assert access.scope_name(None, "customer", "view") is None


def test_can_checks_the_row_after_a_change(app, db):
    w = build_world()
    agent = w["users"]["agent11"]
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == agent.id))
    assert access.can(agent, "edit", "customer", customer)
    customer.owner_id = w["users"]["agent12"].id
    assert not access.can(agent, "edit", "customer", customer)
    db.session.rollback()
