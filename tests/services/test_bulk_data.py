"""The set-based seeder (bench): its rows are the rows the ORM would have written."""

from sqlalchemy import select

from models import Complaint, Customer, db
from services import bulk_data
from services.text import fold


def test_seeded_complaints_carry_the_folded_subject_the_list_search_matches(app):
    added = bulk_data.seed(40)
    assert added["customers"] == 40 and added["complaints"] > 0
    rows = db.session.execute(select(Complaint.subject, Complaint.subject_folded)).all()
    assert rows and all(folded == fold(subject)[:200] for subject, folded in rows)
    assert db.session.scalar(select(Customer.search_text).limit(1))
