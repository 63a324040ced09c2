"""audit.keep_before / taken_before: the row before an edit, handed from update_model to the rules once."""

from services import audit
from tests.factories import make_customer


def test_the_snapshot_is_the_row_before_the_edit_and_is_handed_over_once(app, db):
    customer = make_customer(name="Trần Thị Bình")
    db.session.commit()
    audit.keep_before(customer)
    customer.name = "Trần Thị Bích"
    before = audit.taken_before(customer)
    assert before["name"] == "Trần Thị Bình" and before["id"] == customer.id
    assert audit.diff(customer, before)["name"] == ("Trần Thị Bình", "Trần Thị Bích")
    assert audit.taken_before(customer) == {}


def test_a_row_never_snapshotted_has_an_empty_before(app, db):
    customer = make_customer()
    db.session.commit()
    assert audit.taken_before(customer) == {}
