"""Logging in: one answer for unknown and wrong, throttling per account and per address."""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from models import AuditLog, User, db, utcnow
from models.staff import new_session_token
from services import audit
from services.errors import CSKHError
from services.passwords import verify_password


class LoginFailed(CSKHError):
    default = _l("Wrong email or password.")


class TooManyAttempts(CSKHError):
    default = _l("Too many attempts. Please wait a few minutes and try again.")


def _recent_failures(column, value) -> int:
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    return (
        db.session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "login_failed", column == value, AuditLog.at >= utcnow() - window)
        )
        or 0
    )


def is_throttled(email: str, ip: str | None) -> bool:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    if _recent_failures(AuditLog.actor, email) >= limit:
        return True
    return ip is not None and _recent_failures(AuditLog.ip, ip) >= limit * 3


def authenticate(email: str, password: str, ip: str | None) -> User:
    """The active user with these credentials; raises LoginFailed or TooManyAttempts (audited)."""
    email = (email or "").strip().lower()
    if is_throttled(email, ip):
        audit.record("login_throttled", actor=email, detail="throttled")
        db.session.commit()
        raise TooManyAttempts()
    user = db.session.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password)
    if not (user and ok and user.active):
        audit.record("login_failed", actor=email, user=user, object_type="User", object_id=user.id if user else None)
        db.session.commit()
        raise LoginFailed()
    user.last_login_at = utcnow()
    audit.record("login", user, user=user)
    db.session.commit()
    return user


def log_out(user: User) -> None:
    """End every session of ``user``: a copied ``session`` or remember-me cookie stops working (audited)."""
    user.session_token = new_session_token()
    audit.record("logout", user, user=user)


def load_user(token: str) -> User | None:
    """The user for a session cookie ``id:session_token``; a changed token ends the session."""
    user_id, _, session_token = (token or "").partition(":")
    if not user_id.isdigit() or not session_token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != session_token:
        return None
    return user
