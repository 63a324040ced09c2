"""A small two-team world with one row of every model per customer, for permission tests."""

from datetime import UTC, date, datetime, timedelta

from models import (
    Appointment,
    AuditLog,
    Budget,
    BudgetLine,
    Campaign,
    CannedReply,
    EmotionEntry,
    Gift,
    Interaction,
    JobRun,
    OutboxMessage,
    Policy,
    SlaRule,
    SurveyAnswer,
    db,
)
from tests.factories import make_complaint, make_customer, make_order, make_product, make_team, make_user


def build_world() -> dict:
    now = datetime.now(UTC)
    world: dict = {"teams": [], "users": {}}
    product = make_product()
    head = make_user("head", email="head@w.vn")
    admin = make_user("admin", email="admin@w.vn")
    world["users"].update(head=head, admin=admin)
    db.session.add(SlaRule(priority="normal", hours=48))
    db.session.add(CannedReply(title="Xin lỗi", body="Chúng tôi xin lỗi", category="other"))
    for t in (1, 2):
        team = make_team(f"Team {t}", gift_allowance=500_000)
        lead = make_user("lead", team=team, email=f"lead{t}@w.vn")
        agents = [make_user("agent", team=team, email=f"agent{t}{a}@w.vn") for a in (1, 2)]
        world["teams"].append(team)
        world["users"][f"lead{t}"] = lead
        world["users"][f"agent{t}1"], world["users"][f"agent{t}2"] = agents
        budget = Budget(
            year=2026,
            quarter_no=4,
            quarter="2026-Q4",
            team_id=team.id,
            team_key=team.id,
            title=f"Budget {t}",
            status="draft",
            created_by_id=lead.id,
        )
        budget.lines = [BudgetLine(category="gifts", description="Quà", planned=10_000_000)]
        db.session.add(budget)
        db.session.add(
            Policy(
                code=f"P{t}",
                version=1,
                title=f"Draft {t}",
                kind="service",
                body="...",
                status="draft",
                author_id=lead.id,
            )
        )
        db.session.add(
            Campaign(
                name=f"Campaign {t}",
                message_template="Chào {name}",
                status="draft",
                created_by_id=lead.id,
                team_id=team.id,
            )
        )
        db.session.add(JobRun(job_id="birthday", scheduled_for=f"2026-11-2{t}", status="success", team_id=team.id))
        db.session.add(AuditLog(action="login", actor=lead.email, user_id=lead.id, team_id=team.id))
        for agent in agents:
            customer = make_customer(f"Khách {agent.email}", owner=agent)
            make_order(customer, [(product, 1)])
            make_complaint(customer, assignee=agent, due_at=now + timedelta(hours=4))
            db.session.add_all(
                [
                    Interaction(customer_id=customer.id, channel="phone", summary="Gọi", agent_id=agent.id),
                    EmotionEntry(customer_id=customer.id, mood="happy", author_id=agent.id),
                    Appointment(
                        customer_id=customer.id, agent_id=agent.id, purpose="Gọi lại", starts_at=now + timedelta(days=1)
                    ),
                    Gift(customer_id=customer.id, occasion="birthday", year=2026, item="Hoa", value=300_000),
                    SurveyAnswer(customer_id=customer.id, csat=4, nps=9),
                    OutboxMessage(
                        customer_id=customer.id,
                        channel="email",
                        recipient="x@y.vn",
                        body="Chào",
                        dedupe_key=f"w:{customer.id}",
                    ),
                ]
            )
    db.session.add(
        Policy(
            code="PUB",
            version=1,
            title="Published",
            kind="warranty",
            body="...",
            status="published",
            author_id=head.id,
            effective_from=date(2026, 1, 1),
        )
    )
    db.session.commit()
    return world
