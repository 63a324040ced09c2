"""Zalo Notification Service: an approved template, its parameters, the phone in 84… form.

Request (POST ``ZNS_API_URL``, header ``access_token``)::

    {"phone": "84912345678", "template_id": "231677", "template_data": {...}, "tracking_id": "cskh-7-zns"}

Answer: ``{"error": 0, "message": "Success", "data": {"msg_id": ..., "sent_time": ..., "quota": {...}}}``
or ``{"error": -118, "message": "Zalo account not existed"}``. An expired token (-124) is
refreshed once with the OA refresh token (``ZALO_OAUTH_URL``, header ``secret_key``, form
``refresh_token``, ``app_id``, ``grant_type=refresh_token``; the answer carries a new refresh
token, kept in ``provider_tokens``) and the same request is sent again.

Zalo does not document that ``tracking_id`` deduplicates sends; it comes back in the delivery
event ``user_received_message``, which is how an in-doubt message is settled (services.delivery).
"""

import hashlib
import hmac
import time
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import ProviderToken, db, utcnow
from services import phones
from services.channels import ACCEPTED, FAIL, FALLBACK, RETRY, Outcome, Request
from services.channels.http import Transient, post_form, post_json

TOKEN_NAME = "zalo_oa"
EXPIRED_TOKEN = -124
ERRORS = {
    # documented ZNS error classes (docs/channels.md lists which the stored references confirm)
    -100: (RETRY, _l("unknown error at Zalo")),
    -108: (FALLBACK, _l("the phone number is not valid for Zalo")),
    -109: (FALLBACK, _l("the ZNS template id is not valid")),
    -112: (FALLBACK, _l("the template parameters are not valid")),
    -114: (FALLBACK, _l("the person cannot receive ZNS (account state, their settings or an old Zalo)")),
    -115: (FALLBACK, _l("the ZNS account has no balance left")),
    -117: (FALLBACK, _l("the OA may not use this template")),
    -118: (FALLBACK, _l("the phone number has no Zalo account")),
    -119: (FALLBACK, _l("this account cannot receive ZNS")),
    -124: (RETRY, _l("the access token is not valid")),
    -131: (FALLBACK, _l("the ZNS template is not approved")),
    -133: (FALLBACK, _l("this template may not be sent at night")),
    -139: (FALLBACK, _l("the person refused this kind of ZNS")),
    -141: (FALLBACK, _l("the person refused ZNS from this OA")),
    -144: (FALLBACK, _l("the OA reached its daily ZNS limit")),
    -146: (FALLBACK, _l("the template was disabled for low quality")),
    -147: (FALLBACK, _l("the template reached its daily limit")),
}


def to_84(phone: str) -> str:
    """0912345678 → 84912345678 (the form ZNS takes)."""
    return phones.international_digits(phone)


def send(request: Request) -> Outcome:
    config = current_app.config
    if not request.template_id:
        return Outcome(FALLBACK, _("No approved ZNS template for this message."))
    body = {
        "phone": to_84(request.recipient),
        "template_id": str(request.template_id),
        "template_data": request.params,
        "tracking_id": request.key,
    }
    token = access_token()
    for attempt in (1, 2):
        try:
            status, data = post_json(config["ZNS_API_URL"], body, {"access_token": token})
        except Transient as exc:
            return Outcome(RETRY, f"Zalo: {exc}")
        code = _code(data)
        if code == EXPIRED_TOKEN and attempt == 1 and config.get("ZALO_APP_ID"):
            try:
                token = refresh(failed=token)
            except Transient as exc:
                return Outcome(RETRY, f"Zalo OAuth: {exc}")
            except TokenRefused as exc:
                return Outcome(FALLBACK, str(exc))
            continue
        return _outcome(status, code, data)
    return Outcome(RETRY, "Zalo")  # pragma: no cover


def _code(data: dict) -> int | None:
    try:
        return int(data.get("error"))
    except (TypeError, ValueError):
        return None


def _outcome(status: int, code: int | None, data: dict) -> Outcome:
    if code == 0:
        msg_id = (data.get("data") or {}).get("msg_id")
        return Outcome(ACCEPTED, provider_id=str(msg_id) if msg_id is not None else None)
    if code is None:
        return Outcome(RETRY, _("Zalo answered HTTP %(status)s without an error code.", status=status))
    kind, meaning = ERRORS.get(code, (FAIL if status == 400 else RETRY, _l("error not in our table")))
    text = _("Zalo error %(code)s: %(meaning)s (%(message)s)", code=code, meaning=meaning, message=data.get("message"))
    return Outcome(kind, text[:500])


# ---- the OA access token -------------------------------------------------
class TokenRefused(Exception):
    """Zalo refused the refresh token: an administrator must connect the OA again (docs/channels.md)."""


CACHE_SECONDS = 60.0


def _cache() -> dict:
    return current_app.extensions.setdefault("zns_token", {})


def access_token() -> str:
    """The OA access token, read from ``provider_tokens`` at most once a minute per process."""
    now = time.monotonic()
    cached = _cache().get(TOKEN_NAME)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    row = db.session.get(ProviderToken, TOKEN_NAME)
    token = row.access_token if row is not None else current_app.config.get("ZNS_ACCESS_TOKEN", "")
    _cache()[TOKEN_NAME] = (now, token)
    return token


def refresh(failed: str) -> str:
    """A new access token; one refresher at a time (row lock), and a token another worker already
    refreshed is reused rather than refreshed again (Zalo's refresh token works only once)."""
    config = current_app.config
    row = db.session.scalar(select(ProviderToken).where(ProviderToken.name == TOKEN_NAME).with_for_update())
    if row is not None and row.access_token != failed:
        db.session.commit()
        _cache()[TOKEN_NAME] = (time.monotonic(), row.access_token)
        return row.access_token
    refresh_token = row.refresh_token if row is not None else config.get("ZNS_REFRESH_TOKEN", "")
    try:
        _status, data = post_form(
            config["ZALO_OAUTH_URL"],
            {"refresh_token": refresh_token, "app_id": config["ZALO_APP_ID"], "grant_type": "refresh_token"},
            {"secret_key": config.get("ZALO_APP_SECRET", "")},
        )
    except Transient:
        db.session.rollback()
        raise
    if not data.get("access_token"):
        db.session.rollback()
        raise TokenRefused(
            _("Zalo refused to refresh the OA access token: %(reason)s", reason=data.get("error_description") or data)
        )
    if row is None:
        row = ProviderToken(name=TOKEN_NAME, access_token="")
        db.session.add(row)
    row.access_token = data["access_token"]
    row.refresh_token = data.get("refresh_token") or refresh_token
    try:
        row.expires_at = utcnow() + timedelta(seconds=int(data.get("expires_in") or 0))
    except (TypeError, ValueError):
        row.expires_at = None
    row.updated_at = utcnow()
    db.session.commit()
    _cache()[TOKEN_NAME] = (time.monotonic(), row.access_token)
    return row.access_token


# ---- the delivery webhook ----------------------------------------------
def signature_ok(raw_body: bytes, header: str | None, payload: dict) -> bool:
    """``X-ZEvent-Signature`` is ``mac=`` sha256(app_id + raw body + timestamp + OA secret key)."""
    secret = current_app.config.get("ZALO_OA_SECRET_KEY") or ""
    supplied = (header or "").strip()
    if supplied.lower().startswith("mac="):
        supplied = supplied[4:].strip()
    app_id, timestamp = str(payload.get("app_id") or ""), str(payload.get("timestamp") or "")
    if not (secret and supplied and app_id and timestamp):
        return False
    expected = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + secret.encode()).hexdigest()
    return hmac.compare_digest(supplied.lower(), expected)


def sign(raw_body: bytes, app_id: str, timestamp: str, secret: str) -> str:
    """The header value Zalo sends (used by the tests' fake Zalo and by docs examples)."""
    return "mac=" + hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + secret.encode()).hexdigest()
