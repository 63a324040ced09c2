"""Login, logout, sessions and throttling."""

from sqlalchemy import func, select

from models import AuditLog, User
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user


def _login(client, email, password, **extra):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})


def test_login_page_is_vietnamese_and_has_csrf(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Đăng nhập" in html and 'name="csrf_token"' in html


def test_each_role_reaches_the_admin_home(app, db, client):
    for role in ("agent", "lead", "head", "admin"):
        user = make_user(role)
        db.session.commit()
        fresh = app.test_client()
        response = _login(fresh, user.email, PASSWORD)
        assert response.status_code == 302, role
        home = fresh.get("/admin/")
        assert home.status_code == 200, role
        assert user.name in home.get_data(as_text=True)


def test_login_without_csrf_is_refused(client, db):
    user = make_user("agent")
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_unknown_and_wrong_password_answer_the_same(client, db):
    user = make_user("agent")
    db.session.commit()
    wrong = _login(client, user.email, "not-the-password")
    unknown = _login(client, "nobody@test.vn", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert "Sai email hoặc mật khẩu." in wrong.get_data(as_text=True)
    assert "Sai email hoặc mật khẩu." in unknown.get_data(as_text=True)
    failures = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "login_failed"))
    assert failures == 2


def test_repeated_failures_are_throttled_then_even_the_right_password_waits(app, client, db):
    user = make_user("agent")
    db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login(client, user.email, "wrong-password").status_code == 200
    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_session_is_rotated_and_logout_needs_post_with_csrf(client, db):
    user = make_user("agent")
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "x"
    _login(client, user.email, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/admin/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert client.get("/admin/").status_code == 302


def test_deactivated_or_repassworded_user_loses_the_session(app, db):
    from models.staff import new_session_token

    for change in ("deactivate", "password"):
        user = make_user("agent")
        db.session.commit()
        client = app.test_client()
        _login(client, user.email, PASSWORD)
        assert client.get("/admin/").status_code == 200
        user = db.session.get(User, user.id)
        if change == "deactivate":
            user.active = False
        else:
            user.session_token = new_session_token()
        db.session.commit()
        assert client.get("/admin/").status_code == 302, change


def test_next_redirect_stays_on_site(client, db):
    user = make_user("agent")
    db.session.commit()
    token = csrf_token(client, "/login")
    for target, expected in (
        ("//evil.example/x", "/admin/"),
        ("https://evil.example/", "/admin/"),
        ("/admin/customers/", "/admin/customers/"),
    ):
        response = client.post(
            f"/login?next={target}", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.headers["Location"].endswith(expected), target
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        token = csrf_token(client, "/login")


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
