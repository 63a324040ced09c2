"""A campaign's projected cost on its form: per channel and for the gifts, against its budget line."""

from types import SimpleNamespace

from models import Customer
from services import campaign_cost
from tests.factories import make_budget_line, make_customer, make_team, make_templates, make_user


def _campaign(**kw):
    fields = dict(audience={"is_vip": True}, purpose="care", channel="email", channel_order=None,
                  message_template="Chao {name}", gift_item="", gift_value=0, budget_line=None,
                  zns_template=None, sms_template=None, email_template=None)  # fmt: skip
    return SimpleNamespace(**(fields | kw))


def _vips():
    make_customer("ZNS", is_vip=True, phone="0961000001")
    make_customer("SMS Viettel", is_vip=True, phone="0961000002", consent_care_zns=False)
    make_customer("Email", is_vip=True, phone="0961000003", consent_care_zns=False, consent_care_sms=False,
                  email="k3@example.vn")  # fmt: skip
    make_customer("Không đồng ý", is_vip=True, phone="0961000004", consent_contact=False)
    make_customer("Không VIP", phone="0961000005")


def test_channels_and_gifts_against_the_line_that_pays(app, db):
    _vips()
    templates = make_templates()
    line = make_budget_line(1_000_000, spent=700_000, category="campaigns")
    db.session.commit()
    campaign = _campaign(channel_order="zns,sms,email", budget_line=line, gift_item="Hoa", gift_value=50_000,
                         **{f"{c}_template": t for c, t in templates.items()})  # fmt: skip
    result = campaign_cost.projected(campaign)
    by = {row["channel"]: (row["messages"], row["cost"]) for row in result["channels"]}
    sms = app.config["PRICE_SMS_VIETTEL"]
    assert by == {"zns": (1, 250), "sms": (1, sms), "email": (1, 0)}
    assert result["customers"] == 4  # the one who refuses contact gets no message but a gift
    assert result["gifts"] == {"count": 4, "value": 50_000, "cost": 200_000}
    assert result["total"] == 250 + sms + 200_000 and result["remaining"] == 300_000 and not result["over"]
    campaign.gift_value = 80_000  # 4 × 80.000 + messages > 300.000 left
    assert campaign_cost.projected(campaign)["over"] is True


def test_a_single_channel_is_priced_with_its_own_message_per_carrier(app, db):
    make_customer("Viettel", is_vip=True, phone="0961000001")
    make_customer("Mobifone", is_vip=True, phone="0901000002")
    make_customer("Không nhận SMS", is_vip=True, phone="0911000003", consent_care_sms=False)
    db.session.commit()
    result = campaign_cost.projected(_campaign(channel="sms", message_template="Chuc mung sinh nhat {name}"))
    assert result["channels"] == [
        {"channel": "sms", "messages": 2, "cost": app.config["PRICE_SMS_VIETTEL"] + app.config["PRICE_SMS_MOBIFONE"]}
    ]
    assert result["line"] is None and result["remaining"] is None and result["over"] is False
    long_text = "Chúc mừng sinh nhật {name}! " * 4  # Vietnamese diacritics: UCS-2, more than one part
    assert campaign_cost.projected(_campaign(channel="sms", message_template=long_text))["total"] > result["total"]


def test_within_limits_the_projection_to_the_readers_customers(app, db):
    team = make_team("Nhóm Bắc")
    agent = make_user("agent", team=team)
    make_customer("Của nhóm", owner=agent, is_vip=True)
    make_customer("Nhóm khác", is_vip=True)
    db.session.commit()
    within = Customer.team_id == team.id
    result = campaign_cost.projected(_campaign(gift_item="Hoa", gift_value=10_000), within=within)
    assert result["customers"] == 1 and result["gifts"]["cost"] == 10_000
    assert campaign_cost.projected(_campaign(gift_item="Hoa", gift_value=10_000))["gifts"]["cost"] == 20_000


def test_the_form_endpoint_shows_rows_the_line_and_a_warning(app, db, login_as):
    _vips()
    templates = make_templates()
    line = make_budget_line(100_000, category="campaigns")
    db.session.commit()
    head = login_as("head")
    query = (f"/admin/campaign-audience/cost/?aud_is_vip=yes&channel_order=zns,sms,email&budget_line={line.id}"
             f"&zns_template={templates['zns'].id}&sms_template={templates['sms'].id}"
             f"&email_template={templates['email'].id}&gift_item=Hoa&gift_value=50.000")  # fmt: skip
    data = head.get(query).get_json()
    assert [row["label"] for row in data["rows"]][:3] == ["Zalo ZNS", "SMS thương hiệu", "Email"]
    assert data["rows"][3] == {"label": "Quà tặng (mỗi phần 50.000 ₫)", "messages": "4", "cost": "200.000 ₫"}
    assert data["remaining"] == "100.000 ₫" and data["over"] is True
    assert data["warning"] == "Chi phí dự kiến 201.050 ₫ vượt quá số còn lại 100.000 ₫ của dòng ngân sách này."
    fits = head.get(query.replace("gift_value=50.000", "gift_value=0")).get_json()
    assert fits["over"] is False and fits["warning"] is None and fits["total"] == "1.050 ₫"
    assert head.get("/admin/campaign-audience/cost/?aud_birth_month=13").status_code == 400
    assert login_as("agent").get(query).status_code == 403


def test_the_decision_page_shows_the_projection_and_the_warning(app, db, login_as):
    from models import Campaign

    _vips()
    line = make_budget_line(150_000, category="campaigns")
    campaign = Campaign(name="Sinh nhật VIP", audience='{"is_vip": true}', occasion="birthday", channel="email",
                        message_template="Chào {name}", gift_item="Hoa", gift_value=50_000, budget_line_id=line.id,
                        status="submitted", created_by_id=make_user("lead").id)  # fmt: skip
    db.session.add(campaign)
    db.session.commit()
    details = login_as("head").get(f"/admin/campaigns/details/?id={campaign.id}").get_data(as_text=True)
    assert 'id="campaign-projection"' in details and "Quà tặng (mỗi phần 50.000 ₫)" in details
    assert "200.000 ₫" in details and 'id="cost-warning"' in details


def test_a_budget_line_the_user_may_not_view_is_not_shown(app, db, login_as):
    line = make_budget_line(100_000, category="campaigns")  # the department's: a lead may not view it
    db.session.commit()
    lead = login_as("lead")
    data = lead.get(f"/admin/campaign-audience/cost/?budget_line={line.id}&gift_item=Hoa&gift_value=1").get_json()
    assert data["line"] is None and data["remaining"] is None and data["over"] is False
    head = login_as("head")
    assert head.get(f"/admin/campaign-audience/cost/?budget_line={line.id}").get_json()["remaining"] == "100.000 ₫"
