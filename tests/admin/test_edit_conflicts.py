"""Two people edit the same row: the second save is refused with what changed, keeps its input,
and can then be saved deliberately (issue 14 item 2)."""

import html
import re

import pytest

from models import Appointment, Budget, Campaign, Complaint, Customer, Order, Policy
from tests.factories import make_complaint, make_customer, make_team, make_user

CONFLICT = ("Someone else saved this record", "Có người khác")


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, f"no {name} in the form"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def _form(client, complaint_id: int) -> dict:
    page = client.get(f"/admin/complaints/edit/?id={complaint_id}").get_data(as_text=True)
    return {"seen_version": _hidden(page, "seen_version"), "seen_values": _hidden(page, "seen_values")}


@pytest.mark.parametrize("model", [Complaint, Customer, Order, Budget, Policy, Campaign, Appointment])
def test_edited_models_are_versioned(app, model):
    assert model.__mapper__.version_id_col is model.__table__.c.row_version


def test_the_second_editor_is_told_what_changed_keeps_the_input_and_can_save_again(db, login_as):
    team = make_team()
    first, second = make_user("lead", team=team), make_user("lead", team=team)
    agent = make_user("agent", team=team)
    customer = make_customer(owner=agent)
    complaint = make_complaint(customer, assignee=agent, subject="Máy lọc nước rò rỉ")
    db.session.commit()
    a, b = login_as(first), login_as(second)
    seen_a, seen_b = _form(a, complaint.id), _form(b, complaint.id)
    fields = {"customer": str(customer.id), "kind": "complaint", "category": "other", "assignee": str(agent.id)}

    saved = a.post(
        f"/admin/complaints/edit/?id={complaint.id}", fields | seen_a | {"subject": "Rò rỉ ở van", "priority": "high"}
    )
    assert saved.status_code == 302

    mine = fields | seen_b | {"subject": "Khách đổi máy mới", "priority": "low"}
    refused = b.post(f"/admin/complaints/edit/?id={complaint.id}", mine)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and any(text in page for text in CONFLICT)
    assert "Rò rỉ ở van" in page  # what the first editor changed is named
    assert 'value="Khách đổi máy mới"' in page  # the second editor's input is still in the form
    db.session.expire_all()
    stored = db.session.get(Complaint, complaint.id)
    assert stored.subject == "Rò rỉ ở van" and stored.priority == "high"

    again = fields | {"subject": "Khách đổi máy mới", "priority": "low"}
    again |= {"seen_version": _hidden(page, "seen_version"), "seen_values": _hidden(page, "seen_values")}
    assert b.post(f"/admin/complaints/edit/?id={complaint.id}", again).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Complaint, complaint.id)
    assert stored.subject == "Khách đổi máy mới" and stored.priority == "low"


def test_two_saves_in_the_same_instant_refuse_the_second_without_a_500(db, login_as, monkeypatch):
    from sqlalchemy import update

    from admin.views.complaints import ComplaintView

    team = make_team()
    lead, agent = make_user("lead", team=team), make_user("agent", team=team)
    customer = make_customer(owner=agent)
    complaint = make_complaint(customer, assignee=agent, subject="Máy kêu to")
    db.session.commit()
    client = login_as(lead)
    seen = _form(client, complaint.id)
    rules = ComplaintView.apply_rules

    def racing(self, form, model, is_created, before):  # another save lands between the check and the flush
        rules(self, form, model, is_created, before)
        bump = update(Complaint).where(Complaint.id == model.id).values(row_version=Complaint.row_version + 1)
        db.session.execute(bump.execution_options(synchronize_session=False))

    monkeypatch.setattr(ComplaintView, "apply_rules", racing)
    fields = {"customer": str(customer.id), "kind": "complaint", "category": "other", "assignee": str(agent.id)}
    response = client.post(f"/admin/complaints/edit/?id={complaint.id}", fields | seen | {"subject": "Đổi máy"})
    assert response.status_code == 200 and (
        "at the same moment" in response.get_data(as_text=True) or "cùng lúc" in response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).subject == "Máy kêu to"
