"""The campaign form's schedule builder: fields in, the stored cron or occasion out, shown again on edit,
in words on the list; wrong fields are errors on those fields and save nothing."""

from sqlalchemy import func, select

from models import Campaign

BASE = {"name": "Chăm sóc hằng tuần", "channel": "email", "message_template": "Chào {name}", "gift_value": "0"}


def test_the_builder_writes_the_schedule_and_shows_it_again(app, db, login_as):
    head = login_as("head")
    page = head.get("/admin/campaigns/new/").get_data(as_text=True)
    assert 'name="sch_kind"' in page and "schedule_builder.js" in page and "campaign_cost.js" in page
    data = BASE | {"sch_kind": "weekly", "sch_weekday": "mon", "sch_time": "09:00", "schedule_cron": "*/5 * * * *"}
    assert head.post("/admin/campaigns/new/", data).status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.schedule_cron, campaign.occasion) == ("0 9 * * mon", None)
    edit = head.get(f"/admin/campaigns/edit/?id={campaign.id}").get_data(as_text=True)
    assert 'value="09:00"' in edit
    assert '<option selected value="mon">' in edit or 'value="mon" selected' in edit
    listing = head.get("/admin/campaigns/").get_data(as_text=True)
    assert "Hằng tuần, thứ Hai lúc 09:00" in listing


def test_an_occasion_clears_the_cron(app, db, login_as):
    head = login_as("head")
    data = BASE | {"sch_kind": "occasion", "sch_occasion": "birthday", "schedule_cron": "0 8 * * *"}
    assert head.post("/admin/campaigns/new/", data).status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.schedule_cron, campaign.occasion) == (None, "birthday")
    details = head.get(f"/admin/campaigns/details/?id={campaign.id}").get_data(as_text=True)
    assert "Vào sinh nhật của khách hàng, lúc 08:00" in details


def test_wrong_fields_are_errors_on_those_fields_and_save_nothing(app, db, login_as):
    head = login_as("head")
    for extra, message in (
        ({"sch_kind": "monthly", "sch_day": "31", "sch_time": "09:00"}, "Chọn ngày từ 1 đến 28"),
        ({"sch_kind": "daily", "sch_time": "9 giờ"}, "Nhập giờ dạng HH:MM"),
        ({"sch_kind": "once", "sch_date": "01/01/2020", "sch_time": "09:00"}, "Thời điểm này đã qua"),
    ):
        response = head.post("/admin/campaigns/new/", BASE | extra)
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_without_a_kind_the_cron_box_is_kept(app, db, login_as):
    head = login_as("head")
    assert head.post("/admin/campaigns/new/", BASE | {"schedule_cron": "*/15 * * * *"}).status_code == 302
    assert db.session.scalar(select(Campaign.schedule_cron)) == "*/15 * * * *"
    listing = head.get("/admin/campaigns/").get_data(as_text=True)
    assert "Lịch tùy chỉnh (cron): */15 * * * *" in listing


def test_the_live_summary_endpoint(app, db, login_as):
    head = login_as("head")
    data = head.get("/admin/campaign-audience/schedule/?sch_kind=daily&sch_time=07:05").get_json()
    assert data["cron"] == "5 7 * * *" and data["summary"] == "Hằng ngày lúc 07:05" and len(data["next"]) == 3
    bad = head.get("/admin/campaign-audience/schedule/?sch_kind=weekly&sch_time=07:05")
    assert bad.status_code == 400 and "sch_weekday" in bad.get_json()["errors"]
    assert login_as("agent").get("/admin/campaign-audience/schedule/?sch_kind=daily&sch_time=07:05").status_code == 403
