"""Password hashing (scrypt, via Werkzeug) and the strength rule."""

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from services.errors import ValidationError

# A real hash of a random password, so that checking an unknown account costs the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-7f3a", method="scrypt")


def hash_password(password: str) -> str:
    if len(password or "") < 8:
        raise ValidationError({"password": [_l("A password needs at least 8 characters.")]})
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str | None, password: str) -> bool:
    return check_password_hash(password_hash or _DUMMY_HASH, password or "")
