"""SMS brandname through eSMS.vn (``SendMultipleMessage_V4_post_json``), one request per message.

Request: ``ApiKey``, ``SecretKey``, ``Phone``, ``Content``, ``Brandname``, ``SmsType`` (2 = customer
care, the content must match a template registered with the carriers), ``IsUnicode`` (1 with
diacritics), ``Sandbox``, ``RequestId`` (our idempotency key: eSMS refuses a repeated one with
CodeResult 124, so a retry never sends twice), ``CallbackUrl`` (delivery report, HTTP GET).
Answer: ``{"CodeResult": "100", "SMSID": "…"}`` or ``{"CodeResult": "104", "ErrorMessage": "…"}``.

eSMS documents advertising SMS (SmsType 1) only as a bulk call of at least 30 numbers with one
content and a carrier approval (``SendMultipleSMSBrandname_json``); this adapter sends each
message on its own with ``SMS_TYPE`` (default 2), so advertising over SMS needs that setting and
an account that allows it (docs/channels.md).
"""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services import phones
from services.channels import ACCEPTED, FALLBACK, RETRY, Outcome, Request
from services.channels.http import Transient, post_json
from services.channels.sms_text import is_gsm7

DUPLICATE = "124"
CODES = {
    # eSMS "Table of error codes" (docs/channels.md)
    "99": (FALLBACK, _l("the phone number is blocked")),
    "101": (FALLBACK, _l("wrong ApiKey or SecretKey")),
    "102": (FALLBACK, _l("no price list for this account")),
    "103": (FALLBACK, _l("not enough balance to send")),
    "104": (FALLBACK, _l("the brandname does not exist")),
    "108": (FALLBACK, _l("the phone number is not in a valid format")),
    "140": (FALLBACK, _l("this server's IP address is not whitelisted")),
    "146": (FALLBACK, _l("the text does not match a registered care template")),
    "177": (FALLBACK, _l("the carrier is not registered for this brandname")),
    "300": (FALLBACK, _l("the message type is missing")),
}


def national(phone: str) -> str:
    return phones.national_digits(phone)


def send(request: Request) -> Outcome:
    config = current_app.config
    payload = {
        "ApiKey": config.get("SMS_API_KEY", ""),
        "SecretKey": config.get("SMS_SECRET_KEY", ""),
        "Phone": national(request.recipient),
        "Content": request.text,
        "Brandname": config.get("SMS_BRANDNAME", ""),
        "SmsType": str(config.get("SMS_TYPE", "2")),
        "IsUnicode": "0" if is_gsm7(request.text) else "1",
        "Sandbox": "1" if config.get("SMS_SANDBOX") else "0",
        "RequestId": request.key,
    }
    if config.get("SMS_CALLBACK_URL"):
        payload["CallbackUrl"] = config["SMS_CALLBACK_URL"]
    try:
        status, data = post_json(config["SMS_API_URL"], payload)
    except Transient as exc:
        return Outcome(RETRY, f"eSMS: {exc}")
    code = str(data.get("CodeResult") or "")
    if code == "100":
        return Outcome(ACCEPTED, provider_id=data.get("SMSID"))
    if code == DUPLICATE:
        return Outcome(ACCEPTED, _("eSMS already had this RequestId: sent once, not again."), duplicate=True)
    if not code:
        return Outcome(RETRY, _("eSMS answered HTTP %(status)s without a result code.", status=status))
    kind, meaning = CODES.get(code, (RETRY, _l("error not in our table")))
    message = data.get("ErrorMessage")
    text = _("eSMS error %(code)s: %(meaning)s (%(message)s)", code=code, meaning=meaning, message=message)
    return Outcome(kind, text[:500])


def report(args) -> tuple[str | None, str | None, str | None]:
    """(RequestId, SMSID, ``"delivered"``/``"failed"``/None) from eSMS's callback query string.

    SendStatus 5 = sent (delivered when SendSuccess ≥ 1, else failed), 4 = rejected; 1, 2 and 7
    are still on their way and change nothing.
    """
    status = str(args.get("SendStatus") or "")
    outcome = None
    if status == "5":
        outcome = "delivered" if _int(args.get("SendSuccess")) >= 1 else "failed"
    elif status == "4":
        outcome = "failed"
    return args.get("RequestId") or None, args.get("SMSID") or None, outcome


def _int(value) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0
