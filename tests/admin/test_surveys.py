"""Survey answers through the test client: CSAT 1–5, NPS 0–10, at least one score, scope."""

import pytest
from sqlalchemy import func, select

from models import SurveyAnswer
from tests.factories import make_customer, make_team, make_user


def _count(db):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(SurveyAnswer))


def test_a_valid_answer_is_saved(db, login_as):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    db.session.commit()
    response = login_as(agent).post(
        "/admin/surveys/new/", {"customer": str(customer.id), "csat": "5", "nps": "9", "comment": " Rất tốt "}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    saved = db.session.scalars(select(SurveyAnswer)).one()
    assert (saved.csat, saved.nps, saved.comment, saved.customer_id) == (5, 9, "Rất tốt", customer.id)


@pytest.mark.parametrize(
    ("csat", "nps", "field"),
    [("6", "9", "csat"), ("0", "", "csat"), ("", "11", "nps"), ("", "-1", "nps"), ("", "", "csat")],
)
def test_out_of_range_or_missing_scores_are_refused_and_kept_on_the_form(db, login_as, csat, nps, field):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    db.session.commit()
    response = login_as(agent).post(
        "/admin/surveys/new/", {"customer": str(customer.id), "csat": csat, "nps": nps, "comment": "Ghi chú riêng"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ghi chú riêng" in html
    assert f'id="{field}"' in html and "is-invalid" in html
    assert _count(db) == 0


def test_an_agent_cannot_answer_for_another_teams_customer(db, login_as):
    customer = make_customer(owner=make_user("agent"))
    db.session.commit()
    stranger = login_as("agent", team=make_team())
    stranger.post("/admin/surveys/new/", {"customer": str(customer.id), "csat": "5"})
    assert _count(db) == 0
