"""What the outside reaches without a login, through a real server: webhooks and the survey page."""

import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime

from sqlalchemy import func, select

from models import Complaint, OutboxMessage, SurveyAnswer, SurveyInvite, db
from services import survey_links
from services.channels import zns
from services.errors import ValidationError
from tests.admin.test_permissions import digest
from tests.factories import make_complaint, make_customer, make_message, make_templates, make_user


class Browser:
    """A cookie-keeping HTTP client, like a customer's phone."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, url, data=None, headers=None, method=None):
        body = data if isinstance(data, bytes) or data is None else urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


def _sent(channel="zns"):
    customer = make_customer(phone="0912000100")
    message = make_message(customer, make_templates(), order=(channel,))
    message.status, message.provider_id, message.sent_at = "sent", "zalo-msg-1", datetime.now(UTC)
    db.session.commit()
    return message


def test_zalo_delivery_webhook_is_verified(app, live_server):
    app.config.update(ZALO_OA_SECRET_KEY="oa-secret")
    message = _sent()
    payload = {"app_id": "app-1", "event_name": "user_received_message", "timestamp": "1764230400000",
               "sender": {"id": "oa"}, "recipient": {"id": "u"},
               "message": {"msg_id": "zalo-msg-1", "tracking_id": f"cskh-{message.id}-zns",
                           "delivery_time": "1764230400000"}}  # fmt: skip
    raw = json.dumps(payload).encode()
    before = digest(db)
    url, good = f"{live_server}/hooks/zalo", zns.sign(raw, "app-1", "1764230400000", "oa-secret")
    for header in ("mac=" + "0" * 64, zns.sign(raw, "app-1", "1764230400000", "wrong")):
        status, _body = Browser().open(url, raw, {"X-ZEvent-Signature": header, "Content-Type": "application/json"})
        assert status == 401
    assert Browser().open(url, raw + b" ", {"X-ZEvent-Signature": good})[0] == 401
    assert digest(db) == before
    status, body = Browser().open(url, raw, {"X-ZEvent-Signature": good})
    assert status == 200 and json.loads(body)["error"] == 0
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "delivered"


def test_esms_report_and_inbound_opt_out(app, live_server):
    app.config.update(SMS_WEBHOOK_TOKEN="t0k-3n")
    message = _sent("sms")
    query = f"SMSID=x&SendFailed=0&SendStatus=5&SendSuccess=1&TotalPrice=700&RequestId=cskh-{message.id}-sms"
    before = digest(db)
    assert Browser().open(f"{live_server}/hooks/esms/wrong?{query}")[0] == 404
    assert (
        Browser().open(f"{live_server}/hooks/sms-inbound/wrong", {"phone": "0912000100", "message": "TU CHOI"})[0]
        == 404
    )
    assert digest(db) == before
    assert Browser().open(f"{live_server}/hooks/esms/t0k-3n?{query}") == (200, "OK")
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "delivered"
    status, body = Browser().open(f"{live_server}/hooks/sms-inbound/t0k-3n", {"phone": "84912000100", "message": "HUY"})
    assert status == 200 and json.loads(body) == {"opted_out": True}
    db.session.expire_all()
    customer = db.session.get(OutboxMessage, message.id).customer
    assert customer.opted_out_at is not None and not customer.consent_ads_sms


def _resolved_complaint():
    lead = make_user("lead")
    agent = make_user("agent", team_id=lead.team_id)
    customer = make_customer("Lê Thị Hoa", owner=agent, email="hoa@example.vn")
    complaint = make_complaint(customer, assignee=agent, status="resolved", resolution="Đã đổi sản phẩm",
                               resolved_at=datetime.now(UTC))  # fmt: skip
    make_templates("survey")
    db.session.commit()
    return complaint, lead


def _link(complaint) -> str:
    invite, refused = survey_links.invite_after_resolution(complaint)
    assert invite is not None, refused
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("survey:%"))).one()
    assert message.channel == "zns" and message.fallback == "sms,email"
    return json.loads(message.params)["link"]


def test_survey_link_is_signed_csrf_protected_and_single_use(app, live_server):
    app.config.update(PUBLIC_BASE_URL=live_server)
    complaint, lead = _resolved_complaint()
    link = _link(complaint)
    assert survey_links.invite_after_resolution(complaint) == (None, None), "one survey per resolution"
    before = digest(db)
    assert Browser().open(link[:-3] + "abc")[0] == 404
    assert Browser().open(link, {"score": "5"})[0] == 400, "a POST without the CSRF token"
    assert digest(db) == before

    browsers, pages = [Browser() for _ in range(5)], []
    for b in browsers:
        status, html = b.open(link)
        assert status == 200 and 'name="score"' in html
        pages.append(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1))
    barrier, results = threading.Barrier(5), []

    def answer(b, token):
        barrier.wait()
        results.append(b.open(link, {"csrf_token": token, "score": "2", "comment": "Giao hàng chậm"}))

    threads = [threading.Thread(target=answer, args=pair) for pair in zip(browsers, pages, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(s for s, _h in results) == [200, 409, 409, 409, 409], results
    db.session.expire_all()
    answers = db.session.scalars(select(SurveyAnswer)).all()
    assert len(answers) == 1 and answers[0].csat == 2 and answers[0].complaint_id == complaint.id
    assert db.session.scalar(select(SurveyInvite.used_at)) is not None
    follow_up = db.session.scalars(select(Complaint).where(Complaint.id != complaint.id)).one()
    assert follow_up.assignee_id == lead.id and follow_up.priority == "high" and follow_up.status == "new"
    assert complaint.code in follow_up.subject and "Giao hàng chậm" in follow_up.description
    assert db.session.get(Complaint, complaint.id).satisfaction == 2
    status, html = Browser().open(link)
    assert status == 200 and 'name="score"' not in html, "answered: the page says so"


def test_a_good_score_opens_nothing_and_a_bad_score_is_refused(app):
    complaint, _lead = _resolved_complaint()
    link = _link(complaint)
    token = link.rsplit("/", 1)[1]
    before = digest(db)
    for bad in ("0", "6", "x"):
        try:
            survey_links.answer(token, bad)
        except ValidationError as exc:
            assert "5" in str(exc.errors["score"][0])
        else:
            raise AssertionError(bad)
    db.session.rollback()
    assert digest(db) == before
    survey_links.answer(token, "5")
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_survey_page_is_rate_limited(app, live_server, monkeypatch):
    from admin import public

    monkeypatch.setattr(public, "THROTTLE", 3)
    public._hits.clear()
    statuses = [Browser().open(f"{live_server}/khao-sat/not-a-token")[0] for _ in range(5)]
    public._hits.clear()
    assert statuses == [404, 404, 404, 429, 429]
