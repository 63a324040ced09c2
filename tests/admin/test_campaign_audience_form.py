"""The campaign form's audience builder: fields in, the stored segment out, shown again on edit."""

import json

from sqlalchemy import func, select

from models import Campaign

BASE = {"name": "Sinh nhật khách VIP", "channel": "email", "message_template": "Chào {name}", "gift_value": "0"}


def test_the_builder_writes_the_audience_and_shows_it_again(app, db, login_as):
    head = login_as("head")
    page = head.get("/admin/campaigns/new/").get_data(as_text=True)
    assert 'name="aud_is_vip"' in page and "audience_count.js" in page
    data = BASE | {"aud_is_vip": "yes", "aud_province": "Hà Nội", "aud_last_contact_older_than_days": "90",
                   "aud_has_open_complaint": "no", "aud_birth_month": "11"}  # fmt: skip
    assert head.post("/admin/campaigns/new/", data).status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert json.loads(campaign.audience) == {
        "is_vip": True, "province": "Hà Nội", "last_contact_older_than_days": 90, "has_open_complaint": False,
        "birth_month": 11,
    }  # fmt: skip
    edit = head.get(f"/admin/campaigns/edit/?id={campaign.id}").get_data(as_text=True)
    assert 'value="Hà Nội"' in edit and 'value="90"' in edit
    assert '<option selected value="yes">' in edit or 'value="yes" selected' in edit


def test_a_bad_number_keeps_the_form_and_saves_nothing(app, db, login_as):
    head = login_as("head")
    data = BASE | {"aud_last_contact_older_than_days": "ba tháng"}
    response = head.post("/admin/campaigns/new/", data)
    assert response.status_code == 200 and "ba tháng" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_without_builder_fields_the_json_box_is_kept(app, db, login_as):
    head = login_as("head")
    assert head.post("/admin/campaigns/new/", BASE | {"audience": '{"team_id": 3}'}).status_code == 302
    assert json.loads(db.session.scalar(select(Campaign.audience))) == {"team_id": 3}
