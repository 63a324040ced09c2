"""admin.steps.run_step: every step page's answer to success and to each refusal, written once."""

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden

from admin.steps import error_messages, flash_errors, run_step
from models import Team
from services.errors import AlreadyDone, InvalidTransition, NotAllowed, ValidationError
from tests.factories import make_team


def _teams(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Team))


def _step(exc=None):
    """A step that writes a team, then refuses with ``exc`` (or returns the team's name)."""

    def step():
        team = make_team("Nhóm bước")
        if exc is not None:
            raise exc
        return team.name

    return step


def _run(app, step, **kwargs):
    with app.test_request_context("/admin/x/", method="POST"):
        kwargs.setdefault("on_error", lambda exc: ("refused", error_messages(exc)))
        response = run_step(step, done=lambda name: f"made {name}", redirect_to="/admin/ok/", **kwargs)
        return response, get_flashed_messages(with_categories=True)


def test_success_commits_flashes_and_redirects(app, db):
    response, flashes = _run(app, _step())
    assert response.status_code == 302 and response.location == "/admin/ok/"
    assert flashes == [("success", "made Nhóm bước")]
    db.session.remove()
    assert _teams(db) == 1


def test_not_allowed_is_403_and_nothing_written(app, db):
    with pytest.raises(Forbidden):
        _run(app, _step(NotAllowed()))
    assert _teams(db) == 0


def test_not_allowed_can_be_answered_by_the_view(app, db):
    response, flashes = _run(app, _step(NotAllowed("Không")), on_forbidden=lambda exc: ("own", str(exc.message)))
    assert response == ("own", "Không") and flashes == []
    assert _teams(db) == 0


def test_already_done_is_an_info_flash_where_asked(app, db):
    response, flashes = _run(app, _step(AlreadyDone()), already_done_to="/admin/details/")
    assert response.status_code == 302 and response.location == "/admin/details/"
    assert [c for c, _m in flashes] == ["info"]
    assert _teams(db) == 0


def test_already_done_without_a_page_is_a_refusal(app, db):
    response, flashes = _run(app, _step(AlreadyDone("Đã làm")))
    assert response == ("refused", ["Đã làm"]) and flashes == []
    assert _teams(db) == 0


def test_refusals_show_each_field_message_or_the_one_message(app, db):
    invalid = ValidationError({"reason": ["Cần lý do"], "amount": ["Sai số tiền"]})
    assert _run(app, _step(invalid))[0] == ("refused", ["Cần lý do", "Sai số tiền"])
    assert _run(app, _step(InvalidTransition("Không chuyển được")))[0] == ("refused", ["Không chuyển được"])
    assert _teams(db) == 0


def test_flash_errors_flashes_each_message_and_goes_back(app, db):
    invalid = ValidationError({"a": ["một"], "b": ["hai"]})
    response, flashes = _run(app, _step(invalid), on_error=flash_errors("/admin/back/"))
    assert response.status_code == 302 and response.location == "/admin/back/"
    assert flashes == [("error", "một"), ("error", "hai")]
    assert _teams(db) == 0
