"""Canned replies: {ten_khach}, {ma_don}, {ma_yeu_cau}, {nhan_vien} filled from the record; unknown ones kept."""

from models import CannedReply
from services import canned_replies
from tests.factories import make_complaint, make_customer, make_order, make_user

BODY = "Chào {ten_khach}, yêu cầu {ma_yeu_cau} về đơn {ma_don} đã được {nhan_vien} xử lý. {khac}"


def test_placeholders_are_filled_from_the_complaint_its_order_and_the_agent(db):
    agent = make_user("agent", name="Phạm Thu Trang")
    customer = make_customer("Nguyễn Văn An", owner=agent)
    order = make_order(customer)
    complaint = make_complaint(customer, assignee=agent, order_id=order.id)
    db.session.commit()
    db.session.refresh(complaint)
    text = canned_replies.fill(BODY, canned_replies.values_for(complaint=complaint, agent=agent))
    assert text == (
        f"Chào Nguyễn Văn An, yêu cầu {complaint.code} về đơn {order.code} đã được Phạm Thu Trang xử lý. {{khac}}"
    )


def test_a_placeholder_with_nothing_to_fill_stays_visible(db):
    assert canned_replies.fill("Đơn {ma_don}", {}) == "Đơn {ma_don}"


def test_the_complaint_page_offers_filled_searchable_replies(db, login_as):
    agent = make_user("agent", name="Phạm Thu Trang")
    customer = make_customer("Nguyễn Văn An", owner=agent)
    complaint = make_complaint(customer, assignee=agent, status="in_progress")
    db.session.add(CannedReply(title="Xin lỗi vì chậm trễ", body="Chào {ten_khach}, về {ma_yeu_cau}: {nhan_vien}."))
    db.session.commit()
    html = login_as(agent).get(f"/admin/complaints/details/?id={complaint.id}").get_data(as_text=True)
    assert f'data-body="Chào Nguyễn Văn An, về {complaint.code}: Phạm Thu Trang."' in html
    assert 'data-folded="xin loi vi cham tre' in html and "data-canned-filter" in html
