"""A small hand-built month (October 2025) whose every KPI is worked out by hand in the tests.

Two teams: A (agents a1, a2, lead) and B (agent b1); customers cA1 (a1), cA2 (a2), cB1 (b1).
Times are local (Asia/Ho_Chi_Minh). The previous period of October [1/10, 1/11) is September [1/9, 1/10).

Complaints (opened → resolved, hours, FCR, due):
  K1 cA1/a1  2/10 10:00 → 2/10 14:00   4h  FCR  due 3/10 (on time)   delivery
  K2 cA1/a1  5/10 10:00 → 7/10 10:00  48h  -    due 6/10 (late)      delivery
  K3 cA2/a2 10/10 08:00 → 10/10 18:00 10h  FCR  due 11/10 (on time)  billing
  K4 cA2/a2 28/10 10:00   open               due 30/10 (past due)  product_quality
  K5 cB1/b1 31/10 20:00   open               no due               delivery
  K6 cB1/b1 20/9 10:00  → 20/10 10:00 720h -    due 22/9 (late)      service
  K7 cA1/a1 15/9 10:00    open               no due               other
  K8 cB1/b1 29/10 12:00   open               no due               technical
Surveys in October: S1 cA1 nps10 csat5; S2 cA1 nps9 csat4; S3 cA2 nps7 csat3;
  S4 cB1 nps3 csat1; S5 cB1 csat5 (no nps); S6 cA2 nps10 (no csat).
Orders in October: cA1 ×3, cB1 ×1; in September: cA1 ×1.
Interactions: cA1 3/10, cB1 15/10, cA2 12/9.
Emotion entries in October: happy (cA1, by a1), angry (cB1, by b1).
Budgets 2025-Q4: department (approved) gifts 10M/4M spent, campaigns 5M/2.5M, staff 20M/20M;
  team A (draft) gifts 99M planned (not counted: only approved budgets count).
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from models import Budget, BudgetLine, EmotionEntry, Interaction, SurveyAnswer, User, db
from services.kpi.periods import month_of
from services.kpi.scope import Scope
from tests.factories import make_complaint, make_customer, make_order, make_team, make_user

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OCT = (date(2025, 10, 1), date(2025, 11, 1))
OCTOBER = month_of(OCT[0])


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@dataclass
class World:
    head: User
    lead_a: User
    a1: User
    a2: User
    b1: User
    team_a_id: int
    team_b_id: int

    @property
    def department(self) -> Scope:
        return Scope.department()

    @property
    def team_a(self) -> Scope:
        return Scope.team(self.team_a_id)

    def agent(self, user: User) -> Scope:
        return Scope.agent(user.id)


def build() -> World:
    team_a, team_b = make_team("Nhóm A"), make_team("Nhóm B")
    lead_a = make_user("lead", team=team_a, name="Trưởng nhóm A")
    a1 = make_user("agent", team=team_a, name="An")
    a2 = make_user("agent", team=team_a, name="Bình")
    b1 = make_user("agent", team=team_b, name="Chi")
    head = make_user("head", name="Trưởng phòng")
    old = at(1, 1, year=2025)
    ca1 = make_customer("Khách A1", owner=a1, created_at=old)
    ca2 = make_customer("Khách A2", owner=a2, created_at=old)
    cb1 = make_customer("Khách B1", owner=b1, created_at=old)

    def complaint(customer, agent, opened, resolved=None, fcr=False, due=None, category="other"):
        make_complaint(
            customer,
            assignee=agent,
            opened_at=opened,
            resolved_at=resolved,
            first_contact_resolved=fcr,
            due_at=due,
            category=category,
            status="resolved" if resolved else "in_progress",
        )

    complaint(ca1, a1, at(10, 2), at(10, 2, 14), True, at(10, 3), "delivery")  # K1
    complaint(ca1, a1, at(10, 5), at(10, 7), False, at(10, 6), "delivery")  # K2
    complaint(ca2, a2, at(10, 10, 8), at(10, 10, 18), True, at(10, 11), "billing")  # K3
    complaint(ca2, a2, at(10, 28), None, False, at(10, 30), "product_quality")  # K4
    complaint(cb1, b1, at(10, 31, 20), None, False, None, "delivery")  # K5
    complaint(cb1, b1, at(9, 20), at(10, 20), False, at(9, 22), "service")  # K6
    complaint(ca1, a1, at(9, 15), None, False, None, "other")  # K7
    complaint(cb1, b1, at(10, 29, 12), None, False, None, "technical")  # K8

    for customer, nps, csat in [(ca1, 10, 5), (ca1, 9, 4), (ca2, 7, 3), (cb1, 3, 1), (cb1, None, 5), (ca2, 10, None)]:
        db.session.add(SurveyAnswer(customer_id=customer.id, nps=nps, csat=csat, answered_at=at(10, 12)))
    for day in (4, 14, 24):
        make_order(ca1, created_at=at(10, day))
    make_order(cb1, created_at=at(10, 16))
    make_order(ca1, created_at=at(9, 10))
    for customer, agent, when in [(ca1, a1, at(10, 3)), (cb1, b1, at(10, 15)), (ca2, a2, at(9, 12))]:
        db.session.add(
            Interaction(customer_id=customer.id, agent_id=agent.id, channel="phone", summary="Gọi", occurred_at=when)
        )
    db.session.add(EmotionEntry(customer_id=ca1.id, mood="happy", author_id=a1.id, created_at=at(10, 3)))
    db.session.add(EmotionEntry(customer_id=cb1.id, mood="angry", author_id=b1.id, created_at=at(10, 15)))

    dept = Budget(year=2025, quarter_no=4, quarter="2025-Q4", team_key=0, title="Quý 4", status="approved")
    dept.lines = [
        BudgetLine(category="gifts", description="Quà", planned=10_000_000, spent=4_000_000),
        BudgetLine(category="campaigns", description="Chiến dịch", planned=5_000_000, spent=2_500_000),
        BudgetLine(category="staff", description="Nhân sự", planned=20_000_000, spent=20_000_000),
    ]
    draft = Budget(
        year=2025, quarter_no=4, quarter="2025-Q4", team_id=team_a.id, team_key=team_a.id, title="Nháp", status="draft"
    )
    draft.lines = [BudgetLine(category="gifts", description="Quà", planned=99_000_000, spent=0)]
    db.session.add_all([dept, draft])
    db.session.commit()
    return World(head, lead_a, a1, a2, b1, team_a.id, team_b.id)
