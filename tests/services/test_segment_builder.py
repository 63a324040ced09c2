"""The campaign audience builder: its SQL against hand-counted customers, on the three databases."""

from datetime import timedelta

import pytest

from models import utcnow
from services import customer_tags, segment_builder, segments
from services.errors import ValidationError
from tests.factories import make_complaint, make_customer, make_team, make_user


@pytest.fixture
def customers(app, db):
    """Eight customers whose answers are counted by hand in each test."""
    team = make_team("Nhóm Bắc")
    agent = make_user("agent", team=team)
    now = utcnow()
    rows = {
        "vip_hn_old": make_customer("A", owner=agent, is_vip=True, province="Hà Nội", potential="high",
                                    last_contact_at=now - timedelta(days=200)),
        "vip_hn_recent": make_customer("B", owner=agent, is_vip=True, province="Hà Nội", potential="high",
                                       last_contact_at=now - timedelta(days=3)),
        "hn_never": make_customer("C", owner=agent, province="Hà Nội", potential="low"),
        "hcm_old": make_customer("D", owner=agent, province="TP. Hồ Chí Minh", potential="high",
                                 last_contact_at=now - timedelta(days=95)),
        "partner": make_customer("E", owner=agent, kind="partner", province="Đà Nẵng"),
        "nov_birthday": make_customer("F", owner=agent, birth_month=11, province="Huế"),
        "complaint_open": make_customer("G", owner=agent, province="Huế"),
        "complaint_closed": make_customer("H", owner=agent, province="Huế"),
    }  # fmt: skip
    customer_tags.set_tags(rows["vip_hn_old"], ["Đại lý"])
    customer_tags.set_tags(rows["hcm_old"], ["đại lý", "Khách sỉ"])
    customer_tags.set_tags(rows["nov_birthday"], ["Khách sỉ"])
    make_complaint(rows["complaint_open"], assignee=agent, status="in_progress")
    make_complaint(rows["complaint_closed"], assignee=agent, status="closed")
    db.session.commit()
    return rows


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, 8),
        ({"is_vip": "yes"}, 2),
        ({"is_vip": "no"}, 6),
        ({"province": "Hà Nội"}, 3),
        ({"province": "Hà Nội", "potential": "high"}, 2),
        ({"kind": "partner"}, 1),
        ({"birth_month": "11"}, 1),
        ({"last_contact_older_than_days": "90"}, 7),  # all but the one contacted 3 days ago; never counts
        ({"last_contact_older_than_days": "90", "potential": "high"}, 2),
        ({"has_open_complaint": "yes"}, 1),
        ({"has_open_complaint": "no"}, 7),
        ({"tags": "dai ly"}, 2),  # folded: any spelling of "Đại lý"
        ({"tags": "Khách sỉ"}, 2),
        ({"tags": "Đại lý, khách sỉ"}, 1),  # every one of them
        ({"tags": "Đại lý", "is_vip": "yes"}, 1),
        ({"tags": "Đại lý", "has_open_complaint": "no", "last_contact_older_than_days": "90"}, 2),
        ({"tags": "nhà phân phối"}, 0),
    ],
)
def test_the_builders_audience_counts_what_a_person_counts(customers, form, expected):
    assert segments.count(segment_builder.from_form(form)) == expected


def test_bad_values_are_refused_per_field():
    for form, field in (
        ({"birth_month": "13"}, "audience"),
        ({"last_contact_older_than_days": "ba"}, "last_contact_older_than_days"),
        ({"tags": "x" * 41}, "tags"),
    ):
        with pytest.raises(ValidationError) as caught:
            segment_builder.from_form(form)
        assert field in caught.value.errors


def test_the_live_count_endpoint_is_scoped_and_refuses_agents(app, db, login_as, customers):
    head = login_as("head")
    response = head.get("/admin/campaign-audience/?province=Hà Nội&is_vip=yes")
    assert response.status_code == 200 and response.get_json()["count"] == 2
    assert '"is_vip": true' in response.get_json()["audience"]
    assert head.get("/admin/campaign-audience/?birth_month=13").status_code == 400
    lead = login_as("lead")  # another team: none of these customers
    assert lead.get("/admin/campaign-audience/?province=Hà Nội").get_json()["count"] == 0
    assert login_as("agent").get("/admin/campaign-audience/").status_code == 403


def test_the_message_preview_is_for_a_real_customer_of_the_audience(app, db, login_as, customers):
    head = login_as("head")
    data = head.get("/admin/campaign-audience/preview/?aud_province=Hà Nội&aud_is_vip=yes"
                    "&message_template=Chào {name} ở {province}").get_json()  # fmt: skip
    assert data == {"customer": "A", "text": "Chào A ở Hà Nội"}
    bad = head.get("/admin/campaign-audience/preview/?message_template=Chào {ho_ten}")
    assert bad.status_code == 400 and "{ho_ten}" in str(bad.get_json()["errors"])
    empty = head.get("/admin/campaign-audience/preview/?aud_kind=supplier&message_template=Chào {name}").get_json()
    assert empty == {"customer": None, "text": ""}
