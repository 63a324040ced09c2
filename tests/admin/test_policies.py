"""Policy screens: create, edit rules, and every workflow step through /decide/."""

from sqlalchemy import func, select

from models import AuditLog, Policy
from tests.approval_factories import make_policy
from tests.factories import make_user


def _policy(db, pk):
    db.session.expire_all()
    return db.session.get(Policy, pk)


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Policy))


def test_lead_creates_a_draft_and_the_status_field_is_not_in_the_form(app, db, login_as):
    lead = login_as("lead")
    page = lead.get("/admin/policies/new/").get_data(as_text=True)
    assert 'name="code"' in page and 'name="status"' not in page and 'name="version"' not in page
    data = {"code": "bh-09", "title": "Bảo hành", "kind": "warranty", "body": "12 tháng",
            "channels": ["website", "zalo"], "effective_from": "01/01/2026", "effective_to": "31/12/2026",
            "status": "published"}  # fmt: skip
    response = lead.post("/admin/policies/new/", data)
    assert response.status_code == 302
    policy = db.session.scalar(select(Policy).where(Policy.code == "BH-09"))
    assert (policy.status, policy.version, policy.author_id, policy.channels) == ("draft", 1, lead.user.id,
                                                                                   "website,zalo")  # fmt: skip


def test_form_errors_keep_the_input_and_save_nothing(app, db, login_as):
    head = login_as("head")
    data = {"code": "DT-01", "title": "Đổi trả", "kind": "return", "body": "7 ngày",
            "effective_from": "10/05/2026", "effective_to": "01/05/2026"}  # fmt: skip
    response = head.post("/admin/policies/new/", data)
    assert response.status_code == 200
    assert "Đổi trả" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_workflow_through_the_decision_page(app, db, login_as):
    lead_user, head_user, head2_user = make_user("lead"), make_user("head"), make_user("head")
    policy = make_policy(lead_user, code="BH-01")
    db.session.commit()
    lead, head, head2 = login_as(lead_user), login_as(head_user), login_as(head2_user)
    page = lead.get(f"/admin/policies/decide/?id={policy.id}").get_data(as_text=True)
    assert 'value="submit"' in page and 'value="approve"' not in page
    assert lead.post("/admin/policies/decide/", {"id": policy.id, "op": "submit"}).status_code == 302
    assert _policy(db, policy.id).status == "submitted"
    # the lead may not approve
    assert lead.post("/admin/policies/decide/", {"id": policy.id, "op": "approve"}).status_code == 403
    assert _policy(db, policy.id).status == "submitted"
    response = head.post("/admin/policies/decide/", {"id": policy.id, "op": "approve", "comment": "Đồng ý"})
    assert response.status_code == 302
    assert (_policy(db, policy.id).status, _policy(db, policy.id).decided_by_id) == ("approved", head_user.id)
    assert head2.post("/admin/policies/decide/", {"id": policy.id, "op": "publish"}).status_code == 302
    assert _policy(db, policy.id).status == "published"
    details = head.get(f"/admin/policies/details/?id={policy.id}").get_data(as_text=True)
    assert "Đồng ý" in details and head_user.name in details and lead_user.name in details


def test_csrf_is_required_on_the_decision_page(app, db, login_as):
    head_user = make_user("head")
    policy = make_policy(head_user)
    db.session.commit()
    head = login_as(head_user)
    response = head.post("/admin/policies/decide/", {"id": policy.id, "op": "submit"}, csrf=False)
    assert response.status_code == 400
    assert _policy(db, policy.id).status == "draft"


def test_four_eyes_on_the_decision_page(app, db, login_as):
    head_user = make_user("head")
    policy = make_policy(head_user)
    db.session.commit()
    head = login_as(head_user)
    assert head.post("/admin/policies/decide/", {"id": policy.id, "op": "submit"}).status_code == 302
    audit_rows = db.session.scalar(select(func.count()).select_from(AuditLog))
    response = head.post("/admin/policies/decide/", {"id": policy.id, "op": "approve", "comment": "tự duyệt"})
    assert response.status_code == 403
    assert 'id="workflow-error"' in response.get_data(as_text=True)
    p = _policy(db, policy.id)
    assert (p.status, p.decided_by_id, p.decision_comment) == ("submitted", None, None)
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == audit_rows


def test_refused_transition_changes_nothing(app, db, login_as):
    head_user, other = make_user("head"), make_user("head")
    policy = make_policy(other, status="draft")
    db.session.commit()
    head = login_as(head_user)
    for op in ("publish", "retire", "approve", "new_version", "nonsense"):
        response = head.post("/admin/policies/decide/", {"id": policy.id, "op": op})
        assert response.status_code == 400, op
        assert _policy(db, policy.id).status == "draft"
    assert _count(db) == 1


def test_new_version_from_the_ui_and_publishing_retires_the_old(app, db, login_as):
    head_user, head2_user = make_user("head"), make_user("head")
    v1 = make_policy(head2_user, status="published", code="BH-01")
    db.session.commit()
    head, head2 = login_as(head_user), login_as(head2_user)
    # the edit form refuses a published version
    response = head.post(f"/admin/policies/edit/?id={v1.id}", {"code": "BH-01", "title": "Sửa lén", "kind": "warranty",
                                                                 "body": "x"})  # fmt: skip
    assert response.status_code == 200 and _policy(db, v1.id).title == "Chính sách bảo hành"
    response = head.post("/admin/policies/decide/", {"id": v1.id, "op": "new_version"})
    assert response.status_code == 302
    v2 = db.session.scalar(select(Policy).where(Policy.code == "BH-01", Policy.version == 2))
    assert v2.status == "draft" and v2.author_id == head_user.id and _count(db) == 2
    assert f"id={v2.id}" in response.headers["Location"]
    edit = {"code": "BH-01", "title": "Bảo hành mới", "kind": "warranty", "body": "24 tháng", "channels": ["website"]}
    assert head.post(f"/admin/policies/edit/?id={v2.id}", edit).status_code == 302
    assert head.post("/admin/policies/decide/", {"id": v2.id, "op": "submit"}).status_code == 302
    assert head2.post("/admin/policies/decide/", {"id": v2.id, "op": "approve"}).status_code == 302
    assert head2.post("/admin/policies/decide/", {"id": v2.id, "op": "publish"}).status_code == 302
    assert (_policy(db, v1.id).status, _policy(db, v2.id).status) == ("retired", "published")
    assert _policy(db, v2.id).body == "24 tháng" and _policy(db, v1.id).body == "Bảo hành 12 tháng."


def test_agent_sees_only_published_and_cannot_act(app, db, login_as):
    head_user = make_user("head")
    draft = make_policy(head_user, title="Bản nháp bí mật")
    published = make_policy(head_user, status="published", title="Chính sách công khai")
    db.session.commit()
    agent = login_as("agent")
    listing = agent.get("/admin/policies/").get_data(as_text=True)
    assert "Chính sách công khai" in listing and "Bản nháp bí mật" not in listing
    assert agent.get(f"/admin/policies/decide/?id={draft.id}").status_code == 403
    page = agent.get(f"/admin/policies/decide/?id={published.id}").get_data(as_text=True)
    assert 'id="no-steps"' in page
    assert agent.post("/admin/policies/decide/", {"id": published.id, "op": "new_version"}).status_code == 403
    assert agent.post("/admin/policies/decide/", {"id": published.id, "op": "retire"}).status_code == 403
    assert _policy(db, published.id).status == "published" and _count(db) == 2
