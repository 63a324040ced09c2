"""Small helpers shared by the job tests."""

import json
from datetime import date

from sqlalchemy import func, select

from models import Gift, JobRun, JobSetting, OutboxMessage, db
from tests.factories import make_customer


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def set_params(job_id: str, **params) -> None:
    setting = db.session.get(JobSetting, job_id) or JobSetting(job_id=job_id, paused=False)
    setting.params = json.dumps(params)
    db.session.add(setting)
    db.session.commit()


def birthday_customers(n: int, on: date, **kw) -> list[int]:
    """``n`` customers born on ``on``'s day and month (another year), with an email; returns ids."""
    ids = []
    for i in range(n):
        c = make_customer(
            f"Khách {i}", birthday=date(1990, on.month, on.day), email=f"kh{i}.{on:%m%d}@example.vn", **kw
        )
        ids.append(c.id)
    db.session.commit()
    return ids


def effects() -> tuple[int, int, int]:
    """(gifts, outbox messages, job runs) now in the database."""
    db.session.expire_all()
    return count(Gift), count(OutboxMessage), count(JobRun)
