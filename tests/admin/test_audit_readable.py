"""The audit log as a person reads it: names, labels, money, dates, links, filters and the export."""

import csv
import io
from datetime import UTC, date, datetime

from models import AuditLog
from services import audit
from tests.approval_factories import make_budget, make_gift, make_policy
from tests.factories import make_complaint, make_customer, make_team, make_user


def _world(db):
    team = make_team("Nhóm Sông Hồng", gift_allowance=500_000)
    other = make_team("Nhóm Cửu Long")
    head = make_user("head", name="Trưởng phòng Hạnh")
    lead = make_user("lead", team=team, name="Trưởng nhóm Long")
    an, binh = make_user("agent", team=team, name="Nguyễn Văn An"), make_user("agent", team=team, name="Trần Bình")
    customer = make_customer("Khách Hồng Nhung", owner=an)
    stranger = make_customer("Khách Miền Tây", team_id=other.id)
    complaint = make_complaint(customer, assignee=an)
    line = make_budget(team=team, status="approved").lines[0]
    gift = make_gift(customer, 300_000, line)
    policy = make_policy(head)
    at = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
    rows = [
        audit.record("update", complaint, user=lead, changes={"assignee_id": (an.id, binh.id),
                                                               "status": ("new", "in_progress")}),
        audit.record("update", gift, user=lead, changes={"value": (300_000, 450_000)}),
        audit.record("update", policy, user=head, changes={"effective_from": (None, date(2026, 12, 1))}),
        audit.record("approve", policy, user=head, changes={"status": ("submitted", "approved")}),
        audit.record("update", stranger, user=head, team_id=team.id, changes={"name": ("A", "B")}),
        audit.record("login", user=an),
    ]  # fmt: skip
    for row in rows:
        row.at = at
    db.session.commit()
    return {"head": head, "lead": lead, "an": an, "binh": binh, "complaint": complaint, "gift": gift,
            "policy": policy, "stranger": stranger, "team": team}  # fmt: skip


def _table(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index("model-list")
    return page[start : page.index("</table>", start)]


def _english(client):
    client.get("/lang/en")
    return client


def test_actions_objects_fields_and_values_read_as_words(app, db, login_as):
    w = _world(db)
    head = _english(login_as(w["head"]))
    page = head.get("/admin/audit/?page_size=50").get_data(as_text=True)
    assert "Record changed" in page and "Approved" in page and "Logged in" in page
    assert ">Complaint<" in page and ">Gift<" in page and ">Policy<" in page
    # the assignee by name, under the complaint view's own field label; the status by its label
    assert "Assignee" in page and 'Nguyễn Văn An</span> → <span class="audit-after">Trần Bình' in page
    start = page.index("model-list")
    table = page[start : page.index("</table>", start)]
    assert "assignee_id" not in table and '{"' not in table and "in_progress" not in table
    assert "450.000 ₫" in page and "300.000 ₫" in page
    assert "01/12/2026" in page and "2026-12-01" not in page
    assert "20/11/2026 09:30" in page  # 02:30 UTC in Asia/Ho_Chi_Minh
    # the object's label, linked to its page
    assert f'href="/admin/complaints/details/?id={w["complaint"].id}' in page
    assert f"{w['policy'].code} v1" in page


def test_vietnamese_is_the_default(app, db, login_as):
    w = _world(db)
    page = login_as(w["head"]).get("/admin/audit/").get_data(as_text=True)
    assert "Đã duyệt" in page and "Khiếu nại" in page and "Đăng nhập" in page


def test_a_lead_sees_no_label_of_an_object_out_of_scope(app, db, login_as):
    w = _world(db)
    page = _english(login_as(w["lead"])).get("/admin/audit/?page_size=50").get_data(as_text=True)
    assert "Khách Miền Tây" not in page and f"#{w['stranger'].id}" in page
    assert "Khách Hồng Nhung" in page  # the team's own customer, through the gift's label


def test_filters_by_action_object_user_and_period(app, db, login_as):
    w = _world(db)
    head = _english(login_as(w["head"]))
    view = next(v for v in app.extensions["cskh_admin"]._views if getattr(v, "endpoint", "") == "audit")
    keys = {}
    for key, (_index, flt) in view._filter_args.items():
        keys.setdefault((flt.column.table.name, flt.column.key, type(flt).__name__), key)
    action = keys[("audit_log", "action", "FilterEqual")]
    page = _table(head.get(f"/admin/audit/?flt0_{action}=approve"))
    assert "Approved" in page and "Logged in" not in page
    who = keys[("users", "name", "LiteralLike")]
    page = _table(head.get(f"/admin/audit/?flt0_{who}=Long"))
    assert "Trần Bình" in page and "Approved" not in page
    since = keys[("audit_log", "at", "LocalBetween")]
    page = _table(head.get(f"/admin/audit/?flt0_{since}=19/11/2026 00:00 to 21/11/2026 00:00"))
    assert "Approved" in page
    page = _table(head.get(f"/admin/audit/?flt0_{since}=01/01/2026 00:00 to 02/01/2026 00:00"))
    assert "Approved" not in page


def test_the_export_is_readable_too(app, db, login_as):
    w = _world(db)
    head = _english(login_as(w["head"]))
    response = head.get("/admin/audit/export/csv/")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    text = "\n".join(",".join(r) for r in rows)
    assert "Assignee: Nguyễn Văn An → Trần Bình" in text
    assert "Value: 300.000 ₫ → 450.000 ₫" in text
    assert "Approved" in text and "assignee_id" not in text
    assert db.session.query(AuditLog).filter(AuditLog.action == "export").count() == 1


def test_a_long_export_loads_labels_by_batch_not_by_row(app, db, login_as):
    from sqlalchemy import event

    w = _world(db)
    for i in range(60):  # sixty different objects: a label query per row would show
        customer = make_customer(f"Khách xuất {i:02d}", owner=w["an"])
        audit.record("update", customer, user=w["lead"], changes={"owner_id": (w["an"].id, w["binh"].id)})
    db.session.commit()
    head = _english(login_as(w["head"]))
    seen = []

    def listener(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        text = head.get("/admin/audit/export/csv/").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert text.count("Nguyễn Văn An → Trần Bình") == 61 and "Khách xuất 59" in text
    assert len(seen) < 25, len(seen)
