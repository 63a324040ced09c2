"""Logging out ends the session for real: a ``session`` or remember-me cookie copied before
logout no longer opens anything after it (the user's session token is rotated)."""

from sqlalchemy import select

from models import AuditLog, User
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user


def _log_in(app, user, remember=True):
    client = app.test_client()
    token = csrf_token(client, "/login")
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return client


def _with_cookies(app, **cookies):
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def _opens_admin(client) -> bool:
    response = client.get("/admin/")
    return response.status_code == 200


def test_copied_session_and_remember_cookies_die_at_logout(app, db):
    user = make_user("agent")
    db.session.commit()
    token_before = user.session_token
    client = _log_in(app, user)
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value

    # the copies work while the user is logged in (so the test below proves something)
    assert _opens_admin(_with_cookies(app, session=session_cookie))
    assert _opens_admin(_with_cookies(app, remember_token=remember_cookie))

    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert response.status_code == 302

    assert not _opens_admin(_with_cookies(app, session=session_cookie))
    assert not _opens_admin(_with_cookies(app, remember_token=remember_cookie))
    assert not _opens_admin(_with_cookies(app, session=session_cookie, remember_token=remember_cookie))
    assert not _opens_admin(client)

    db.session.expire_all()
    assert db.session.get(User, user.id).session_token != token_before
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "logout", AuditLog.user_id == user.id))

    # logging in again works, with a new cookie
    assert _opens_admin(_log_in(app, db.session.get(User, user.id), remember=False))


def test_logout_without_csrf_changes_nothing(app, db):
    user = make_user("agent")
    db.session.commit()
    client = _log_in(app, user, remember=False)
    token_before = user.session_token
    assert client.post("/logout", data={}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).session_token == token_before
    assert _opens_admin(client)
