"""Customer tags: parsed from what a person types, kept once per spelling, audited, deleted with the customer."""

import pytest
from sqlalchemy import func, select

from models import AuditLog, CustomerTag
from services import customer_tags
from services.errors import ValidationError
from tests.factories import make_customer


def test_parse_cleans_and_drops_repeats_of_any_spelling(app):
    assert customer_tags.parse(" Đại  lý, dai ly ; Khách sỉ,,\n") == ["Đại lý", "Khách sỉ"]
    assert customer_tags.parse("") == []
    with pytest.raises(ValidationError) as refused:
        customer_tags.parse("x" * 41)
    assert "tags" in refused.value.errors
    with pytest.raises(ValidationError):
        customer_tags.parse(",".join(f"t{i}" for i in range(21)))


def test_set_tags_replaces_keeps_rows_and_audits_changes(app, db):
    customer = make_customer("An")
    customer_tags.set_tags(customer, ["Đại lý", "VIP miền Bắc"])
    db.session.commit()
    customer_tags.set_tags(customer, ["ĐẠI LÝ", "Khách sỉ"])  # same tag re-spelt, one dropped, one added
    db.session.commit()
    rows = db.session.execute(select(CustomerTag.tag_key, CustomerTag.tag).order_by(CustomerTag.tag_key)).all()
    assert [tuple(r) for r in rows] == [("dai ly", "ĐẠI LÝ"), ("khach si", "Khách sỉ")]
    logged = db.session.scalars(select(AuditLog).where(AuditLog.object_type == "Customer")).all()
    assert len(logged) == 2
    before = db.session.scalar(select(func.count()).select_from(AuditLog))
    customer_tags.set_tags(customer, ["Khách sỉ", "ĐẠI LÝ"])  # the same tags in another order: nothing to audit
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == before


def test_tags_go_with_their_customer(app, db):
    customer = make_customer("An")
    customer_tags.set_tags(customer, ["Đại lý"])
    db.session.commit()
    db.session.delete(customer)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(CustomerTag)) == 0
