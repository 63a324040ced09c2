"""Customer search: diacritics, case and phone formats do not matter; words match from their start."""

from tests.factories import make_customer, make_user


def _names(client, query):
    html = client.get("/admin/customers/", query_string={"search": query}).get_data(as_text=True)
    return {n for n in ("Nguyễn Văn An", "Nguyễn Văn Bình", "Trần Thị Lan", "Lê Anh") if n in html}


def test_unaccented_and_upper_case_queries_find_the_accented_name(app, db, login_as):
    head = make_user("head")
    make_customer("Nguyễn Văn An", phone="0912345678")
    make_customer("Nguyễn Văn Bình", phone="0987000111")
    make_customer("Trần Thị Lan", phone="0333444555", email="lan.tran@example.vn")
    make_customer("Lê Anh", phone="0777888999")
    db.session.commit()
    client = login_as(head)
    for query in ("nguyen van an", "Nguyen Van An", "NGUYỄN VĂN AN", "nguyễn an"):
        assert _names(client, query) == {"Nguyễn Văn An"}, query
    assert _names(client, "an") == {"Nguyễn Văn An", "Lê Anh"}  # not "Văn", "Lan"
    assert _names(client, "lan.tran") == {"Trần Thị Lan"}
    for query in ("0912 345 678", "+84912345678", "84-912-345-678", "0912.345.678", "345678", "912345"):
        assert _names(client, query) == {"Nguyễn Văn An"}, query
    assert _names(client, "khong co ai") == set()
