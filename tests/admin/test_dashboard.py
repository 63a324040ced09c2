"""The dashboard per role, the quarterly report page and its audited XLSX download."""

import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import event, select

from models import AuditLog, Customer, Interaction, SurveyAnswer, db
from services.kpi import periods, snapshot
from tests import kpi_dataset
from tests.factories import make_complaint, make_customer, make_order, make_team, make_user


def _kpi(html: str, key: str) -> str:
    match = re.search(rf'data-kpi="{key}">.*?class="text-right kpi-value">([^<]*)<', html, re.S)
    assert match, f"no KPI row {key}"
    return match.group(1).strip()


@pytest.fixture
def this_month(app):
    """Requests opened a few seconds ago: a1 one (team A), b1 two (team B)."""
    team_a, team_b = make_team("A"), make_team("B")
    lead = make_user("lead", team=team_a)
    a1 = make_user("agent", team=team_a)
    b1 = make_user("agent", team=team_b)
    head = make_user("head")
    now = datetime.now(UTC) - timedelta(seconds=5)
    c1 = make_customer("Khách Một", owner=a1)
    c2 = make_customer("Khách Hai", owner=b1)
    make_complaint(c1, assignee=a1, opened_at=now, subject="Giao hàng chậm", due_at=now + timedelta(hours=4))
    make_complaint(c2, assignee=b1, opened_at=now, subject="Sai hoá đơn")
    make_complaint(c2, assignee=b1, opened_at=now, subject="Lỗi kỹ thuật")
    db.session.commit()
    return {"lead": lead, "a1": a1, "b1": b1, "head": head}


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/admin/report/quarter/?year=2025&q=4").status_code == 302


def test_each_role_sees_its_own_figures(this_month, login_as):
    pages = {}
    for role in ("a1", "lead", "head"):
        response = login_as(this_month[role]).get("/admin/dashboard/")
        assert response.status_code == 200
        pages[role] = response.get_data(as_text=True)
    # the agent counts one request, the lead the team's one, the head all three
    assert _kpi(pages["a1"], "opened") == "1"
    assert _kpi(pages["lead"], "opened") == "1"
    assert _kpi(pages["head"], "opened") == "3"
    assert "Giao hàng chậm" in pages["a1"] and "Sai hoá đơn" not in pages["a1"]
    assert 'id="team-queue"' in pages["lead"] and "Sai hoá đơn" not in pages["lead"]
    assert 'id="per-team"' in pages["head"]


def test_agent_sees_birthdays_of_own_customers_this_week(app, login_as):
    agent = make_user("agent")
    other = make_user("agent", team_id=agent.team_id)
    day = periods.today()
    birthday = day.replace(year=1990) if not (day.month == 2 and day.day == 29) else day.replace(year=1992)
    make_customer("Sinh Nhật Tuần Này", owner=agent, birthday=birthday)
    make_customer("Khách Người Khác", owner=other, birthday=birthday)
    db.session.commit()
    html = login_as(agent).get("/admin/dashboard/").get_data(as_text=True)
    assert "Sinh Nhật Tuần Này" in html
    assert "Khách Người Khác" not in html


def test_administrator_gets_links_only(login_as):
    response = login_as("admin").get("/admin/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="admin-links"' in html and "/admin/staff/" in html
    assert 'id="kpi-table"' not in html


def test_head_chooses_a_period_and_sees_hand_computed_kpis(app, login_as):
    world = kpi_dataset.build()
    html = login_as(world.head).get("/admin/?start=01/10/2025&end=31/10/2025").get_data(as_text=True)
    assert _kpi(html, "nps") == "40,0"  # (3 promoters - 1 detractor) / 5, written the Vietnamese way
    assert _kpi(html, "opened") == "6"
    assert _kpi(html, "fcr") == "50,0 %"
    assert _kpi(html, "p90_hours") == "720,0 giờ"
    # the formula is the tooltip and a numbered note under the tables
    assert re.search(r'data-kpi="nps">\s*<th scope="row"><span title="[^"]{20,}">', html)
    assert re.search(r'<li id="kpi-note-nps"><strong>NPS</strong>: [^<]{20,}</li>', html)
    # 1-31 October is the calendar month October, compared with September 1-30
    assert "Tháng 10/2025 (01/10/2025 – 31/10/2025), so với Tháng 9/2025 (01/09/2025 – 30/09/2025)" in html
    # charts: JSON data block + the app's own static script, no CDN
    assert '<script type="application/json" id="dashboard-data">' in html
    assert "/static/vendor/chart.js/chart.umd.min.js" in html and "/static/js/dashboard.js" in html
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources and all(src.startswith(("/static/", "/admin/static/")) for src in sources)
    lead_html = login_as(world.lead_a).get("/admin/dashboard/?start=01/10/2025&end=31/10/2025").get_data(as_text=True)
    assert 'id="per-agent"' in lead_html and "Tháng 10/2025" in lead_html
    assert (
        lead_html.index('id="period-picker"') < lead_html.index('id="per-agent"') < lead_html.index('id="team-queue"')
    )


def test_agents_and_leads_start_on_their_inbox_the_head_on_the_dashboard(app, login_as):
    team = make_team("Nhà")
    clients = {role: login_as(make_user(role, team=team)) for role in ("agent", "lead")}
    clients["head"] = login_as("head")
    pages = {role: client.get("/admin/") for role, client in clients.items()}
    assert all(page.status_code == 200 for page in pages.values())
    html = {role: page.get_data(as_text=True) for role, page in pages.items()}
    for role in ("agent", "lead"):
        assert 'id="inbox-figures"' in html[role] and 'data-kpi="opened"' not in html[role], role
        assert 'data-kpi="opened"' in clients[role].get("/admin/dashboard/").get_data(as_text=True), role
    assert "Hàng đợi của nhóm" in html["lead"] and "Hàng đợi của nhóm" not in html["agent"]
    assert 'id="per-team"' in html["head"] and 'id="inbox-figures"' not in html["head"]


def test_lead_picks_the_period_of_the_per_agent_figures(app, login_as):
    """This week, this month, this quarter or custom dates: the per-agent table follows, in as many statements."""
    world = kpi_dataset.build()
    client = login_as(world.lead_a)
    client.get("/admin/dashboard/")
    week = client.get("/admin/dashboard/?preset=this_week").get_data(as_text=True)
    monday = periods.today() - timedelta(days=periods.today().weekday())
    assert f"{monday:%d/%m/%Y} – {monday + timedelta(days=6):%d/%m/%Y}" in week and 'id="per-agent"' in week
    assert 'href="/admin/dashboard/?preset=this_week">Tuần này' in week
    october = client.get("/admin/dashboard/?start=01/10/2025&end=31/10/2025").get_data(as_text=True)
    quarter = client.get("/admin/dashboard/?period=2025-Q4").get_data(as_text=True)
    assert "Tháng 10/2025" in october and "Quý 4/2025" in quarter
    for path in ("/admin/dashboard/?preset=this_week", "/admin/dashboard/?period=2025-Q4"):
        assert _queries(client, path) <= QUERY_BOUNDS["lead"], path


def test_bad_period_falls_back_with_a_message(app, login_as):
    head = make_user("head")
    db.session.commit()
    response = login_as(head).get("/admin/?start=31/12/2025&end=01/12/2025")
    assert response.status_code == 200
    assert "alert-warning" in response.get_data(as_text=True)


def test_static_chart_assets_are_served(client):
    assert client.get("/static/vendor/chart.js/chart.umd.min.js").status_code == 200
    assert client.get("/static/js/dashboard.js").status_code == 200


def test_quarter_report_page_and_audited_xlsx(app, login_as):
    world = kpi_dataset.build()
    head = login_as(world.head)
    page = head.get("/admin/report/quarter/?year=2025&q=4")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "css/dashboard.css" in html and 'data-category="gifts"' in html
    response = head.get("/admin/report/quarter/?year=2025&q=4&format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    kpi_rows = {row[0]: row[1] for row in book["Chỉ số"].iter_rows(min_row=5, values_only=True) if row[0]}
    # Q4 2025 holds the same October events: NPS 40, 6 requests opened
    assert kpi_rows["NPS"] == 40.0 and kpi_rows["Khiếu nại tiếp nhận"] == 6
    budget = list(book["Ngân sách"].iter_rows(min_row=4, values_only=True))
    assert budget[-1][1:3] == (15_000_000 + 20_000_000, 6_500_000 + 20_000_000)  # total: 35M planned, 26.5M spent
    categories = list(book["Loại yêu cầu"].iter_rows(min_row=4, values_only=True))
    assert categories[0][1] == 3  # delivery: K1, K2, K5
    db.session.expire_all()
    logged = db.session.scalars(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [(a.object_type, a.object_id, a.user_id) for a in logged] == [("KpiReport", "2025-Q4", world.head.id)]


def test_only_the_head_reads_the_quarter_report(app, login_as):
    world = kpi_dataset.build()
    for user in (world.a1, world.lead_a):
        response = login_as(user).get("/admin/report/quarter/?year=2025&q=4&format=xlsx")
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.scalars(select(AuditLog).where(AuditLog.action == "export")).all() == []
    assert db.session.scalar(select(Customer.id).limit(1)) is not None


def _queries(client, path: str = "/admin/dashboard/") -> int:
    """Statements one request sends (an SQLAlchemy before_cursor_execute counter)."""
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "approvals_waiting" not in statement:  # the navbar's inbox count: one statement on every page, apart
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def _activity(agent, customer, n: int, now: datetime) -> None:
    """``n`` requests over the last 90 days (every other one resolved) with surveys, orders and interactions."""
    for i in range(n):
        opened = now - timedelta(days=i * 90 // max(n, 1), hours=1)
        resolved = opened + timedelta(hours=5) if i % 2 else None
        make_complaint(customer, assignee=agent, opened_at=opened, resolved_at=resolved, status="in_progress")
        make_order(customer, created_at=opened)
        db.session.add(SurveyAnswer(customer_id=customer.id, nps=i % 11, csat=1 + i % 5, answered_at=opened))
        db.session.add(
            Interaction(customer_id=customer.id, agent_id=agent.id, channel="phone", summary="Gọi", occurred_at=opened)
        )
    db.session.commit()


# Fixed bounds (measured 26 / 28 / 27 on SQLite): the statements do not grow with the data.
QUERY_BOUNDS = {"head": 30, "lead": 32, "agent": 30}


def test_dashboard_query_count_does_not_grow_with_data(app, login_as):
    team = make_team("A")
    lead = make_user("lead", team=team)
    agent = make_user("agent", team=team)
    head = make_user("head")
    customer = make_customer("Khách Đếm", owner=agent)
    db.session.commit()
    now = datetime.now(UTC) - timedelta(minutes=1)
    clients = {"head": login_as(head), "lead": login_as(lead), "agent": login_as(agent)}
    _activity(agent, customer, 10, now)
    for back in range(1, 200):  # the nightly job's snapshots of the past days (trend, compared periods)
        snapshot.take(periods.today() - timedelta(days=back))
    db.session.commit()
    for client in clients.values():
        client.get("/admin/dashboard/")  # warm-up: first-request setup is not the page's cost
    small = {role: _queries(client) for role, client in clients.items()}
    _activity(agent, customer, 40, now)
    large = {role: _queries(client) for role, client in clients.items()}
    assert large == small  # 10 and 50 requests (with their orders, surveys, calls): the same statements
    for role, n in small.items():
        assert n <= QUERY_BOUNDS[role], (role, n)
    # and the figures did change with the data: the head now counts 50 requests in the last 90 days
    html = clients["head"].get("/admin/?preset=this_quarter").get_data(as_text=True)
    assert 'data-kpi="opened"' in html
