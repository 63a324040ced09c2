"""The navbar search: each code kind, phone in any format and names without accents go straight to the
one record; several matches are grouped; nothing outside the user's scope. The complaint and order
lists search code, subject/invoice/tracking and the customer's name and phone."""

from tests.factories import make_complaint, make_customer, make_order, make_team, make_user


def _world(db):
    team, elsewhere = make_team(), make_team()
    agent = make_user("agent", team=team)
    lead = make_user("lead", team=team)
    stranger = make_user("agent", team=elsewhere)
    an = make_customer("Nguyễn Văn Ân", owner=agent, phone="0912345678")
    dat = make_customer("Trần Quốc Đạt", owner=agent, phone="0987000111")
    dat2 = make_customer("Phạm Đạt", owner=agent, phone="0987000222")
    hidden = make_customer("Nguyễn Văn Ẩn Danh", owner=stranger, phone="0933000999")
    complaint = make_complaint(an, assignee=agent, subject="Máy lọc nước rò rỉ")
    order = make_order(an, invoice_number="HD-0001", tracking_code="VN0000000042")
    foreign_order = make_order(hidden, invoice_number="HD-0999")
    foreign_complaint = make_complaint(hidden, assignee=stranger)
    db.session.commit()
    return locals()


def _go(client, query):
    return client.get("/admin/search/", query_string={"q": query})


def test_each_code_kind_opens_its_record(db, login_as):
    w = _world(db)
    client = login_as(w["agent"])
    order_url = f"/admin/orders/details/?id={w['order'].id}"
    for query in (
        w["order"].code,
        w["order"].code.lower(),
        f"DH {w['order'].id}",
        "HD-0001",
        "hd-0001",
        "VN0000000042",
    ):
        response = _go(client, query)
        assert response.status_code == 302 and response.headers["Location"].endswith(order_url), query
    for query in (w["complaint"].code, f"kn{w['complaint'].id}"):
        response = _go(client, query)
        assert response.headers["Location"].endswith(f"/admin/complaints/details/?id={w['complaint'].id}"), query


def test_phone_in_any_format_and_a_name_without_accents_open_the_customer(db, login_as):
    w = _world(db)
    client = login_as(w["agent"])
    url = f"/admin/customers/details/?id={w['an'].id}"
    for query in ("0912345678", "0912 345 678", "+84 912 345 678", "84912345678", "nguyen van an", "NGUYEN VAN AN"):
        response = _go(client, query)
        assert response.status_code == 302 and response.headers["Location"].endswith(url), query


def test_several_matches_are_grouped_with_their_requests_and_orders(db, login_as):
    w = _world(db)
    html = _go(login_as(w["agent"]), "dat").get_data(as_text=True)
    assert 'id="search-customers"' in html and "Trần Quốc Đạt" in html and "Phạm Đạt" in html


def test_nothing_outside_the_users_scope(db, login_as):
    w = _world(db)
    client = login_as(w["agent"])
    for query in (w["foreign_order"].code, "HD-0999", w["foreign_complaint"].code):
        response = _go(client, query)
        assert response.status_code == 200 and 'id="search-empty"' in response.get_data(as_text=True), query
    # "Nguyễn Văn Ẩn Danh" is another team's customer: "nguyen van an" finds only the agent's own one
    assert _go(client, "nguyen van an").status_code == 302
    stranger = login_as(w["stranger"])
    assert _go(stranger, w["order"].code).status_code == 200


def test_the_complaint_list_searches_code_subject_and_the_customers_name_and_phone(db, login_as):
    w = _world(db)
    client = login_as(w["lead"])

    def found(query):
        html = client.get("/admin/complaints/", query_string={"search": query}).get_data(as_text=True)
        return w["complaint"].code in html

    for query in (w["complaint"].code, "rò rỉ", "ro ri", "LOC NUOC", "nguyen van an", "0912 345 678"):
        assert found(query), query
    assert not found("khong co")


def test_the_order_list_searches_code_invoice_tracking_and_the_customer(db, login_as):
    w = _world(db)
    client = login_as(w["lead"])

    def found(query):
        html = client.get("/admin/orders/", query_string={"search": query}).get_data(as_text=True)
        return w["order"].code in html

    for query in (w["order"].code, "HD-0001", "VN0000000042", "nguyen van an", "+84912345678"):
        assert found(query), query
    assert not found("HD-0999")
