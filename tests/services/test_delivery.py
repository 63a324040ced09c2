"""The delivery worker against the fake providers: fallback order, retries, rules, budget, reports."""

import threading
from datetime import UTC, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from models import BudgetLine, MessageEvent, OutboxMessage, db
from services import delivery_reports
from services.delivery import Worker
from services.messaging_rules import MessageRefused, check
from tests.admin.test_permissions import digest
from tests.factories import make_budget_line, make_customer, make_message, make_templates

NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 12:00 in Hồ Chí Minh City
NIGHT = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 23:00


def events(message_id: int) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(MessageEvent).where(MessageEvent.message_id == message_id).order_by(MessageEvent.id)
    )
    return [(e.status, e.channel) for e in rows]


def reload(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_zns_refuses_a_non_zalo_user_and_sms_carries_it(app, providers):
    customer = make_customer("Trần Thị Bình", phone="0912345678", email="binh@example.vn")
    line = make_budget_line(1_000_000, category="campaigns")
    message = make_message(customer, make_templates(), budget_line_id=line.id)
    db.session.commit()
    providers.state.script("84912345678", {"error": -118, "message": "Zalo account not existed"})
    assert Worker().run(NOON) == {"queued": 1, "sent": 1}
    sent = reload(message.id)
    assert sent.status == "sent" and sent.channel == "sms" and sent.fallback == "email"
    assert sent.cost == app.config["PRICE_SMS_VINAPHONE"] and sent.sent_at == NOON
    assert sent.body == "CSKH: Kinh gui Tran Thi Binh, cam on quy khach. https://cskh.example.vn/x"
    assert events(message.id) == [("fallback", "zns"), ("sent", "sms")]
    assert "-118" in db.session.scalars(select(MessageEvent.detail).where(MessageEvent.status == "fallback")).one()
    assert [b["tracking_id"] for b in providers.state.bodies("/message/template")] == [f"cskh-{message.id}-zns"]
    assert [b["RequestId"] for b in providers.state.bodies("/esms/")] == [f"cskh-{message.id}-sms"]
    assert providers.state.bodies("/message/template")[0]["template_data"] == {
        "customer_name": "Trần Thị Bình", "code": "KN-000001"}  # fmt: skip
    assert db.session.get(BudgetLine, line.id).spent == sent.cost


def test_retries_reuse_the_idempotency_key_and_charge_once(app, providers):
    app.config.update(OUTBOX_MAX_ATTEMPTS=3, OUTBOX_BACKOFF_SECONDS=60)
    customer = make_customer(phone="0961234567")
    line = make_budget_line(10_000, category="campaigns")
    message = make_message(customer, make_templates(), order=("zns", "sms"), budget_line_id=line.id)
    db.session.commit()
    providers.state.script("84961234567", {"error": -100, "message": "Unknown error"})
    assert Worker().run(NOON) == {"queued": 1}
    waiting = reload(message.id)
    assert waiting.status == "queued" and waiting.attempts == 1
    assert waiting.next_attempt_at == NOON + timedelta(seconds=60)
    assert waiting.cost == 0 and db.session.get(BudgetLine, line.id).spent == 0, "refunded while waiting"
    assert Worker().run(NOON + timedelta(seconds=30)) == {}, "not before the backoff"
    assert Worker().run(NOON + timedelta(seconds=60)) == {"sent": 1}
    keys = [b["tracking_id"] for b in providers.state.bodies("/message/template")]
    assert keys == [f"cskh-{message.id}-zns"] * 2
    assert reload(message.id).attempts == 2 and db.session.get(BudgetLine, line.id).spent == 250
    assert events(message.id) == [("retry", "zns"), ("sent", "zns")]


def test_a_channel_that_keeps_failing_gives_way_after_its_attempts(app, providers):
    app.config.update(OUTBOX_MAX_ATTEMPTS=2, OUTBOX_BACKOFF_SECONDS=1)
    customer = make_customer(phone="0971234567")
    message = make_message(customer, make_templates(), order=("zns", "sms"))
    db.session.commit()
    providers.state.script("84971234567", 503, 503, 503, 503, 503, 503)
    Worker().run(NOON)
    Worker().run(NOON + timedelta(seconds=1))
    sent = reload(message.id)
    assert sent.status == "sent" and sent.channel == "sms"
    assert events(message.id) == [("retry", "zns"), ("fallback", "zns"), ("sent", "sms")]


def test_consent_refusals_send_nothing_and_charge_nothing(app, providers):
    line = make_budget_line(100_000, category="campaigns")
    no_ads = make_customer(phone="0912000001", email="a@example.vn")  # advertising consent is off by default
    no_zns = make_customer(phone="0912000002", consent_care_zns=False)
    templates = make_templates()
    ad = make_message(no_ads, templates, purpose="advertising", budget_line_id=line.id)
    care = make_message(no_zns, templates, order=("zns", "sms"), budget_line_id=line.id)
    db.session.commit()
    assert Worker().run(NOON) == {"refused": 1, "sent": 1}
    refused = reload(ad.id)
    with force_locale("vi"):
        expected = _("No consent to advertising by %(channel)s.", channel=_("Zalo ZNS"))
    assert refused.status == "refused" and expected in refused.last_error and refused.cost == 0
    assert reload(care.id).channel == "sms", "ZNS skipped for lack of consent, SMS used"
    assert ("skipped", "sms") in events(care.id)
    assert not any(b["Phone"] == "0912000001" for b in providers.state.bodies("/esms/"))
    assert providers.state.bodies("/message/template") == []
    assert db.session.get(BudgetLine, line.id).spent == reload(care.id).cost


def test_a_refused_message_by_hand_changes_nothing(app):
    customer = make_customer(phone="0912000003")
    templates = make_templates()
    db.session.commit()
    before = digest(db)
    try:
        check(customer, ["zns", "sms"], "advertising", NOON)
    except MessageRefused as exc:
        assert "advertising" in str(exc.message) or "quảng cáo" in str(exc.message)
    else:
        raise AssertionError("advertising without consent was allowed")
    from services.message_queue import queue_message

    try:
        queue_message(customer, key="x", purpose="advertising", templates=templates)
    except MessageRefused:
        db.session.rollback()
    assert digest(db) == before


def test_decree_91_hours_and_daily_limit(app, providers):
    app.config.update(ADS_MAX_PER_DAY=3, ADS_HOURS="07:00-22:00")
    fan = make_customer(phone="0912000004", email="fan@example.vn", consent_ads_zns=True, consent_ads_sms=True,
                        consent_ads_email=True)  # fmt: skip
    templates = make_templates("advertising")
    night_ad = make_message(fan, templates, purpose="advertising")
    night_care = make_message(fan, make_templates())
    db.session.commit()
    assert Worker().run(NIGHT) == {"queued": 1, "sent": 1}
    held = reload(night_ad.id)
    assert held.status == "queued" and held.attempts == 0
    assert held.next_attempt_at == datetime(2026, 11, 24, 0, 0, tzinfo=UTC), "07:00 the next morning"
    assert reload(night_care.id).status == "sent", "care messages go out at any hour"
    assert events(night_ad.id) == [("deferred", "zns")]
    morning = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    more = [make_message(fan, templates, purpose="advertising") for _ in range(3)]
    db.session.commit()
    counts = Worker().run(morning)
    assert counts == {"sent": 3, "queued": 1}, counts  # no SMTP server here: the email waits for a retry
    channels = [reload(m.id).channel for m in (night_ad, *more)]
    assert channels.count("email") == 1, "the 4th ad of the day reaches the phone no more: email instead"
    fifth = make_message(fan, templates, order=("zns", "sms"), purpose="advertising")
    db.session.commit()
    assert Worker().run(morning + timedelta(hours=1)).get("refused") == 1
    with force_locale("vi"):
        assert "24" in reload(fifth.id).last_error and "91/2020" in reload(fifth.id).last_error


def test_an_sms_opt_out_is_honoured_at_once(app, providers):
    fan = make_customer(phone="0912000005", consent_ads_zns=True, consent_ads_sms=True)
    queued = make_message(fan, make_templates("advertising"), purpose="advertising")
    db.session.commit()
    assert delivery_reports.inbound_sms("+84 912 000 005", "Tu choi QC") is not None
    assert delivery_reports.inbound_sms("0912000005", "Cho toi hoi gia") is None
    assert Worker().run(NOON) == {"refused": 1}
    assert providers.state.requests == []
    db.session.expire_all()
    assert reload(queued.id).customer.consent_ads_sms is False and reload(queued.id).customer.opted_out_at


def test_delivery_report_settles_a_message(app, providers):
    customer = make_customer(phone="0912000006")
    message = make_message(customer, make_templates(), order=("zns",))
    db.session.commit()
    Worker().run(NOON)
    payload = {"event_name": "user_received_message", "app_id": "app-1", "timestamp": "1",
               "message": {"msg_id": reload(message.id).provider_id, "tracking_id": f"cskh-{message.id}-zns",
                           "delivery_time": "1795420800000"}}  # fmt: skip
    assert delivery_reports.zns_event(payload)
    assert not delivery_reports.zns_event(payload), "a repeated report changes nothing"
    done = reload(message.id)
    assert done.status == "delivered" and done.delivered_at == datetime.fromtimestamp(1795420800, UTC)
    assert events(message.id)[-1] == ("delivered", "zns")


def _parallel_workers(app, n: int, now: datetime) -> list[dict]:
    from app import create_app
    from tests.conftest import _testing_overrides

    results, barrier = [], threading.Barrier(n)
    apps = [create_app(_testing_overrides() | dict(app.config)) for _ in range(n)]

    def run(other):
        with other.app_context():
            barrier.wait()
            results.append(Worker(share=1 / n).run(now))
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=run, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_budget_stops_at_the_limit_under_parallel_workers(app, providers):
    app.config.update(DELIVERY_BATCH=5)
    line = make_budget_line(2_500, category="campaigns")
    templates = make_templates()
    ids = [make_message(make_customer(phone=f"09130000{i:02d}"), templates, order=("zns",), budget_line_id=line.id).id
           for i in range(40)]  # fmt: skip
    db.session.commit()
    workers = 1 if db.engine.dialect.name == "sqlite" else 4
    results = _parallel_workers(app, workers, NOON)
    db.session.expire_all()
    statuses = [reload(i).status for i in ids]
    assert statuses.count("sent") == 10 and statuses.count("held") == 30, (results, statuses)
    assert db.session.get(BudgetLine, line.id).spent == 2_500
    assert len(providers.state.bodies("/message/template")) == 10
    assert providers.state.duplicates() == 0
    held = (
        reload(ids[-1])
        if reload(ids[-1]).status == "held"
        else next(reload(i) for i in ids if reload(i).status == "held")
    )
    assert "2.500" not in held.last_error or "0 ₫" in held.last_error


def test_the_daily_ads_limit_holds_under_parallel_workers(app, providers):
    """Four workers take one customer's ten ads one by one: the customer's row lock makes each see the
    others' messages in flight, so exactly three reach the phone (Decree 91/2020) and none twice."""
    app.config.update(DELIVERY_BATCH=1, ADS_MAX_PER_DAY=3, ADS_HOURS="07:00-22:00")
    fan = make_customer(phone="0912000008", consent_ads_zns=True, consent_ads_sms=True)
    templates = make_templates("advertising")
    ids = [make_message(fan, templates, order=("zns", "sms"), purpose="advertising").id for _ in range(10)]
    db.session.commit()
    workers = 1 if db.engine.dialect.name == "sqlite" else 4
    results = _parallel_workers(app, workers, NOON)
    statuses = [reload(i).status for i in ids]
    assert statuses.count("sent") == 3 and statuses.count("refused") == 7, (results, statuses)
    assert len(providers.state.bodies("/message/template")) == 3
    assert providers.state.duplicates() == 0


def test_a_worker_keeps_working_across_sessions(app, providers):
    """The worker process drops its session between runs (jobs/delivery_worker.py): what it
    remembers of templates must not be rows of the old session."""
    templates = make_templates()
    customer = make_customer(phone="0912000007")
    make_message(customer, templates, order=("zns",))
    db.session.commit()
    worker = Worker()
    assert worker.run(NOON) == {"sent": 1}
    db.session.remove()
    make_message(db.session.merge(customer), {"zns": db.session.merge(templates["zns"])}, order=("zns",))
    db.session.commit()
    assert worker.run(NOON) == {"sent": 1}


def test_a_message_is_charged_only_to_a_line_of_the_quarter_it_was_queued_in(app, providers):
    customer = make_customer("Lê Văn Cường", phone="0912345678", email="cuong@example.vn")
    line = make_budget_line(1_000_000, category="campaigns")  # 2026-Q4
    message = make_message(customer, make_templates(), budget_line_id=line.id)
    message.created_at = datetime(2026, 9, 30, 16, 59, tzinfo=UTC)  # 23:59 on 30/09: the third quarter
    db.session.commit()
    Worker().run(NOON)
    held = reload(message.id)
    assert held.status == "held" and held.sent_at is None
    assert db.session.get(BudgetLine, line.id).spent == 0 and providers.state.bodies("/message/template") == []
