"""What the outside reaches without logging in: providers' webhooks and the one-question survey.

Webhooks carry no CSRF token (a provider cannot have one): Zalo's are checked by their
signature, eSMS's (which it does not sign) by a secret token in the URL we give it. The survey
page is a Flask-WTF form (CSRF), signed and single-use (services.survey_links), and each address
may make ``THROTTLE`` requests to it per ``WINDOW`` seconds.
"""

import json
import threading
import time
from collections import deque

from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from services import delivery_reports, survey_links
from services.channels import sms, zns
from services.errors import CSKHError, ValidationError

bp = Blueprint("public", __name__)
THROTTLE, WINDOW = 30, 600
_hits: dict[str, deque] = {}
_lock = threading.Lock()


def _throttled() -> bool:
    """More than THROTTLE survey requests from this address in WINDOW seconds (per process)."""
    now, key = time.monotonic(), request.remote_addr or "?"
    with _lock:
        hits = _hits.setdefault(key, deque())
        while hits and hits[0] < now - WINDOW:
            hits.popleft()
        hits.append(now)
        return len(hits) > THROTTLE


def _secret_ok(given: str, setting: str) -> bool:
    import hmac

    expected = current_app.config.get(setting) or ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


# ---- providers ---------------------------------------------------------------
@bp.route("/hooks/zalo", methods=["POST"])
def zalo_event():
    raw = request.get_data(cache=True)
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        abort(400)
    if not isinstance(payload, dict) or not zns.signature_ok(raw, request.headers.get("X-ZEvent-Signature"), payload):
        return jsonify(error="signature"), 401
    delivery_reports.zns_event(payload)
    return jsonify(error=0, message="Success")


@bp.route("/hooks/esms/<token>", methods=["GET", "POST"])
def esms_report(token: str):
    if not _secret_ok(token, "SMS_WEBHOOK_TOKEN"):
        abort(404)
    args = request.values
    request_id, sms_id, outcome = sms.report(args)
    delivery_reports.sms_report(request_id, sms_id, outcome, request.query_string.decode()[:300])
    return "OK"


@bp.route("/hooks/sms-inbound/<token>", methods=["POST"])
def sms_inbound(token: str):
    """A reply by SMS forwarded by the gateway: ``phone`` and ``message`` (form or JSON)."""
    if not _secret_ok(token, "SMS_WEBHOOK_TOKEN"):
        abort(404)
    data = request.get_json(silent=True) or request.form
    phone = data.get("phone") or data.get("Phone") or data.get("from")
    text = data.get("message") or data.get("text") or data.get("Content")
    customer = delivery_reports.inbound_sms(phone, text)
    return jsonify(opted_out=customer is not None)


# ---- the survey --------------------------------------------------------------
class SurveyForm(FlaskForm):
    score = RadioField(_l("Your score"), validators=[InputRequired(message=_l("Choose a score."))], choices=[])
    comment = TextAreaField(_l("Anything you would like to add? (optional)"), validators=[Length(max=2000)])


QUESTIONS = {
    "csat": _l("How satisfied are you with how we handled your request?"),
    "nps": _l("How likely are you to recommend us to a friend or colleague?"),
}


@bp.route("/khao-sat/<token>", methods=["GET", "POST"])
def survey(token: str):
    if _throttled():
        abort(429)
    try:
        invite = survey_links.open_invite(token)
    except survey_links.LinkUsed as exc:
        return render_template("public/survey_done.html", message=exc.message), 409 if request.method == "POST" else 200
    except CSKHError as exc:
        return render_template("public/survey_done.html", message=exc.message), 404
    low, high = survey_links.RANGE[invite.kind]
    form = SurveyForm()
    form.score.choices = [(str(n), str(n)) for n in range(low, high + 1)]
    if form.validate_on_submit():
        try:
            survey_links.answer(token, form.score.data, form.comment.data)
        except survey_links.LinkUsed as exc:
            return render_template("public/survey_done.html", message=exc.message), 409
        except ValidationError as exc:
            form.score.errors = [str(m) for m in exc.errors.get("score", [])]
        else:
            return render_template("public/survey_done.html", message=_l("Thank you for your answer!")), 200
    status = 400 if request.method == "POST" else 200
    return render_template("public/survey.html", form=form, question=QUESTIONS[invite.kind], kind=invite.kind), status


def init_public(app: Flask) -> None:
    from extensions import csrf

    for view in (zalo_event, esms_report, sms_inbound):
        csrf.exempt(view)
    app.register_blueprint(bp)
