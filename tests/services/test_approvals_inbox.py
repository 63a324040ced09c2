"""The approvals inbox: each role sees exactly what it may decide, and deciding from it uses the services."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import AuditLog, Budget, BudgetLine, Campaign, Gift, Policy
from services import approvals, approvals_inbox
from services.errors import CSKHError, NotAllowed, ValidationError
from tests.approval_factories import make_budget, make_campaign, make_gift, make_policy
from tests.factories import make_customer, make_team, make_user

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def world(app, db):
    """Two teams (allowance 500.000 ₫), their leads and agents, two heads, an admin, and one row
    of every kind and status the inbox must tell apart."""
    team_a, team_b = make_team("Nhóm A", gift_allowance=500_000), make_team("Nhóm B", gift_allowance=500_000)
    w = {
        "lead_a": make_user("lead", team=team_a),
        "lead_b": make_user("lead", team=team_b),
        "agent_a": make_user("agent", team=team_a),
        "head1": make_user("head"),
        "head2": make_user("head"),
        "admin": make_user("admin"),
    }
    line = make_budget(team=team_a, status="approved", lines=(("gifts", 50_000_000, 0),), quarter_no=3).lines[0]
    customer = make_customer("Lê Văn Cường", owner=w["agent_a"])
    lead_a, agent_a, head1 = w["lead_a"], w["agent_a"], w["head1"]
    w["rows"] = {
        "budget_a": make_budget(team=team_a, created_by=lead_a, status="submitted", submitted_by_id=lead_a.id,
                                submitted_at=_at(5)),
        "budget_head1": make_budget(created_by=head1, status="submitted", submitted_by_id=head1.id,
                                    submitted_at=_at(1)),
        "budget_draft": make_budget(team=team_b, status="draft", quarter_no=2),
        "policy_lead": make_policy(lead_a, status="submitted", submitted_by_id=lead_a.id, submitted_at=_at(3)),
        "policy_head1": make_policy(head1, status="submitted", submitted_by_id=head1.id, submitted_at=_at(4)),
        "policy_nochan": make_policy(lead_a, status="submitted", submitted_by_id=lead_a.id, channels=None,
                                     submitted_at=_at(6)),
        "campaign_lead": make_campaign(lead_a, status="submitted", submitted_by_id=lead_a.id, submitted_at=_at(2),
                                       budget_line_id=line.id, gift_value=200_000),
        "gift_small": make_gift(customer, 300_000, line, submitted_by=agent_a, submitted_at=_at(7)),
        "gift_big": make_gift(customer, 600_000, line, submitted_by=agent_a, occasion="tet", submitted_at=_at(8)),
        "gift_by_lead": make_gift(customer, 100_000, line, submitted_by=lead_a, occasion="vip", submitted_at=_at(9)),
        "gift_done": make_gift(customer, 100_000, line, submitted_by=agent_a, occasion="apr30", status="approved"),
    }  # fmt: skip
    w["line"] = line
    db.session.commit()
    return w


EXPECTED = {
    "lead_a": {"gift_small"},
    "lead_b": set(),
    "agent_a": None,
    "admin": None,
    "head1": {"budget_a", "policy_lead", "policy_nochan", "campaign_lead", "gift_small", "gift_big", "gift_by_lead"},
    "head2": {"budget_a", "budget_head1", "policy_lead", "policy_head1", "policy_nochan", "campaign_lead",
              "gift_small", "gift_big", "gift_by_lead"},
}  # fmt: skip
KIND_OF = {Budget: "budget", Policy: "policy", Campaign: "campaign", Gift: "gift"}


def _offered(world, who) -> set[str]:
    names = {(KIND_OF[type(row)], row.id): name for name, row in world["rows"].items()}
    return {names[(item.kind, item.row.id)] for item in approvals_inbox.waiting(world[who])}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_exactly_what_it_may_decide(world, who):
    expected = EXPECTED[who]
    if expected is None:
        assert approvals_inbox.count_waiting(world[who]) is None
        assert approvals_inbox.waiting(world[who]) == []
        return
    assert _offered(world, who) == expected
    assert approvals_inbox.count_waiting(world[who]) == len(expected)


def _snapshot(db):
    db.session.expire_all()
    rows = [(m.__name__, r.id, r.status, r.decided_by_id) for m in (Budget, Policy, Campaign, Gift)
            for r in db.session.scalars(select(m).order_by(m.id))]  # fmt: skip
    spent = db.session.scalars(select(BudgetLine.spent).order_by(BudgetLine.id)).all()
    return rows, spent, db.session.scalar(select(func.count()).select_from(AuditLog))


@pytest.mark.parametrize("who", ["lead_a", "lead_b", "head1", "agent_a"])
def test_offered_means_the_service_accepts_and_the_rest_is_refused(world, db, who):
    """The inbox never offers what the services would refuse, and never hides what they would accept:
    every pending row is tried with the kind's own service, then rolled back."""
    user = world[who]
    offered = _offered(world, who)
    before = _snapshot(db)
    for name, row in world["rows"].items():
        if row.status not in ("submitted", "planned"):
            continue
        try:
            approvals_inbox.decide(KIND_OF[type(row)], row.id, user, approve=True, comment="thử")
            accepted = True
        except CSKHError:
            accepted = False
        db.session.rollback()
        assert accepted == (name in offered), name
    assert _snapshot(db) == before


def test_oldest_first_with_amounts_requester_and_what_is_left(world):
    items = approvals_inbox.waiting(world["head2"])
    assert [i.waiting_since for i in items] == sorted(i.waiting_since for i in items)
    first = items[0]
    assert (first.kind, first.row.id, first.amount) == ("budget", world["rows"]["budget_head1"].id, 10_000_000)
    by_row = {(i.kind, i.row.id): i for i in items}
    big = by_row[("gift", world["rows"]["gift_big"].id)]
    assert (big.amount, big.remaining, big.allowance, big.over_allowance) == (600_000, 50_000_000, 500_000, True)
    assert big.requester.id == world["agent_a"].id
    small = by_row[("gift", world["rows"]["gift_small"].id)]
    assert small.over_allowance is False
    campaign = by_row[("campaign", world["rows"]["campaign_lead"].id)]
    assert (campaign.amount, campaign.remaining, campaign.requester.id) == (200_000, 50_000_000, world["lead_a"].id)
    policies = {i.row.id: i.may_publish for i in items if i.kind == "policy"}
    assert policies[world["rows"]["policy_lead"].id] is True
    assert policies[world["rows"]["policy_nochan"].id] is False


def test_a_limit_keeps_the_oldest(world):
    items = approvals_inbox.waiting(world["head2"], limit=2)
    assert [(i.kind, i.row.id) for i in items] == [
        ("budget", world["rows"]["budget_head1"].id),
        ("campaign", world["rows"]["campaign_lead"].id),
    ]


def test_approve_and_publish_in_one_step_retires_the_previous_version(world, db):
    head = world["head1"]
    old = make_policy(head, status="published", code="PUB-1")
    new = make_policy(world["lead_a"], status="submitted", code="PUB-1", version=2, submitted_by_id=world["lead_a"].id)
    db.session.commit()
    approvals_inbox.decide("policy", new.id, head, approve=True, comment="Ban hành", publish=True)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Policy, new.id).status == "published"
    assert db.session.get(Policy, new.id).decision_comment == "Ban hành"
    assert db.session.get(Policy, old.id).status == "retired"


def test_approve_and_publish_without_channels_changes_nothing(world, db):
    policy = world["rows"]["policy_nochan"]
    before = _snapshot(db)
    with pytest.raises(ValidationError):
        approvals_inbox.decide("policy", policy.id, world["head1"], approve=True, publish=True)
    db.session.rollback()
    assert _snapshot(db) == before


def test_reject_keeps_the_comment_and_spends_nothing(world, db):
    gift = world["rows"]["gift_small"]
    approvals_inbox.decide("gift", gift.id, world["lead_a"], approve=False, comment="  Trùng quà  ")
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(Gift, gift.id)
    assert (row.status, row.decision_comment, row.decided_by_id) == ("rejected", "Trùng quà", world["lead_a"].id)
    assert db.session.get(BudgetLine, world["line"].id).spent == 0


def test_publish_is_only_for_policies_and_unknown_rows_are_refused(world, db):
    before = _snapshot(db)
    with pytest.raises(NotAllowed):
        approvals_inbox.decide("budget", world["rows"]["budget_a"].id, world["head1"], approve=True, publish=True)
    db.session.rollback()
    for kind, row_id in (("budget", 999_999), ("user", world["head1"].id), ("gift", "x"), ("gift", None)):
        with pytest.raises(NotAllowed):
            approvals_inbox.decide(kind, row_id, world["head1"], approve=True)
    db.session.rollback()
    assert _snapshot(db) == before


def test_author_columns_are_the_ones_four_eyes_reads():
    """The SQL filter and ``approvals.authored_by`` must bar the same people."""

    class Probe:
        def __init__(self):
            self.read = []

        def __getattr__(self, name):
            self.read.append(name)
            return None

    probe = Probe()
    approvals.authored_by(probe, type("U", (), {"id": 1})())
    assert tuple(probe.read) == approvals_inbox.AUTHOR_COLUMNS


def test_the_count_follows_every_change_and_every_user(world, db):
    """The count's statement is kept per user: the number is still read afresh on every page, and two
    leads of different teams never share one."""
    lead_a, lead_b, head1 = world["lead_a"], world["lead_b"], world["head1"]
    assert approvals_inbox.count_waiting(lead_a) == 1
    assert approvals_inbox.count_waiting(lead_b) == 0  # lead_a's statement is warm; lead_b gets their own
    before = approvals_inbox.count_waiting(head1)
    agent = world["agent_a"]
    customer = make_customer("Phạm Thị Dung", owner=agent)
    make_gift(customer, 200_000, world["line"], submitted_by=agent, submitted_at=_at(10))
    db.session.commit()
    assert approvals_inbox.count_waiting(lead_a) == 2
    assert approvals_inbox.count_waiting(head1) == before + 1
    assert approvals_inbox.count_waiting(lead_b) == 0
