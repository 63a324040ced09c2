"""Print a logged-in session cookie for load tools: ``python -m bench.cookie [head|agent]``.

Uses the app's own settings (``DATABASE_URL``, ``SECRET_KEY``), so gunicorn started
with the same environment accepts it, e.g.
``wrk -t2 -c8 -d20s -H "Cookie: $(python -m bench.cookie head)" http://127.0.0.1:8000/admin/customers/``.
"""

import sys

from sqlalchemy import select


def main(role: str = "head") -> int:
    from app import create_app
    from models import User, db

    app = create_app()
    with app.app_context():
        token = db.session.scalar(select(User).where(User.role == role, User.active.is_(True)).limit(1)).get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    print(f"{cookie.key}={cookie.value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:2]))
