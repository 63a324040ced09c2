"""Tags on the customer form, and the campaign builder selecting by them."""

import json

from sqlalchemy import func, select

from models import Campaign, Customer, CustomerTag
from tests.factories import make_customer

NEW = {"name": "Đại lý Hoàng Mai", "phone": "0912000333", "kind": "customer", "potential": "medium"}


def test_the_head_tags_a_customer_and_sees_the_tags_again(app, db, login_as):
    head = login_as("head")
    assert 'name="tag_list"' in head.get("/admin/customers/new/").get_data(as_text=True)
    assert head.post("/admin/customers/new/", NEW | {"tag_list": "Đại lý, Khách sỉ, đại lý"}).status_code == 302
    customer = db.session.scalar(select(Customer))
    assert sorted(db.session.scalars(select(CustomerTag.tag)).all()) == ["Khách sỉ", "Đại lý"]
    edit = head.get(f"/admin/customers/edit/?id={customer.id}").get_data(as_text=True)
    assert 'value="Đại lý, Khách sỉ"' in edit
    data = NEW | {"tag_list": "Khách sỉ", "row_version": str(customer.row_version)}
    assert head.post(f"/admin/customers/edit/?id={customer.id}", data).status_code == 302
    assert db.session.scalars(select(CustomerTag.tag)).all() == ["Khách sỉ"]


def test_a_tag_too_long_is_an_error_on_the_field_and_saves_nothing(app, db, login_as):
    head = login_as("head")
    response = head.post("/admin/customers/new/", NEW | {"tag_list": "x" * 41})
    assert response.status_code == 200 and "tối đa 40 ký tự" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    assert db.session.scalar(select(func.count()).select_from(CustomerTag)) == 0


def test_the_campaign_builder_selects_by_tag(app, db, login_as):
    from services import customer_tags

    customer_tags.set_tags(make_customer("Đại lý A"), ["Đại lý"])
    make_customer("Khách lẻ")
    db.session.commit()
    head = login_as("head")
    assert head.get("/admin/campaign-audience/?tags=dai ly").get_json()["count"] == 1
    data = {"name": "Tri ân đại lý", "channel": "email", "message_template": "Chào {name}", "gift_value": "0",
            "aud_tags": "Đại lý"}  # fmt: skip
    assert head.post("/admin/campaigns/new/", data).status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert json.loads(campaign.audience) == {"tags": ["Đại lý"]}
    assert 'value="Đại lý"' in head.get(f"/admin/campaigns/edit/?id={campaign.id}").get_data(as_text=True)
