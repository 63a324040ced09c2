"""The ZNS adapter against a local server speaking Zalo's documented shapes."""

import json

from models import ProviderToken, db
from services.channels import ACCEPTED, FALLBACK, RETRY, Request, zns


def request(key="cskh-1-zns", phone="0912345678"):
    return Request(key, phone, "preview", None, "231677", {"customer_name": "Bình"}, "care")


def test_success_sends_the_documented_body(app, providers):
    outcome = zns.send(request())
    assert outcome.kind == ACCEPTED and outcome.provider_id
    path, headers, body = providers.state.requests[-1]
    assert path.endswith("/message/template") and headers["access_token"] == "token-1"
    assert body == {"phone": "84912345678", "template_id": "231677", "template_data": {"customer_name": "Bình"},
                    "tracking_id": "cskh-1-zns"}  # fmt: skip


def test_expired_token_is_refreshed_and_the_same_tracking_id_sent_again(app, providers):
    providers.state.access_token = "token-5"  # Zalo moved on; our token-1 is refused with -124
    providers.state.refresh_token = "refresh-1"
    outcome = zns.send(request("cskh-7-zns"))
    assert outcome.kind == ACCEPTED
    sends = providers.state.bodies("/message/template")
    assert [b["tracking_id"] for b in sends] == ["cskh-7-zns", "cskh-7-zns"]
    oauth = [(h, b) for p, h, b in providers.state.requests if p.endswith("/access_token")]
    assert len(oauth) == 1
    headers, form = oauth[0]
    assert headers["secret_key"] == "app-secret"
    assert form == {"refresh_token": "refresh-1", "app_id": "app-1", "grant_type": "refresh_token"}
    db.session.expire_all()
    token = db.session.get(ProviderToken, "zalo_oa")
    assert token.access_token == "token-6" and token.refresh_token == "refresh-6"
    assert zns.send(request("cskh-8-zns")).kind == ACCEPTED
    assert len([p for p, _h, _b in providers.state.requests if p.endswith("/access_token")]) == 1


def test_a_refused_refresh_token_falls_back_with_the_reason(app, providers):
    providers.state.access_token, providers.state.refresh_token = "token-5", "refresh-other"
    outcome = zns.send(request())
    assert outcome.kind == FALLBACK and "Refresh token is invalid" in outcome.reason
    assert db.session.get(ProviderToken, "zalo_oa") is None


def test_documented_error_classes(app, providers):
    cases = {
        "0900000118": ({"error": -118, "message": "Zalo account not existed"}, FALLBACK),
        "0900000131": ({"error": -131, "message": "Template is not approved"}, FALLBACK),
        "0900000144": ({"error": -144, "message": "OA has exceeded the daily limit"}, FALLBACK),
        "0900000115": ({"error": -115, "message": "Out of quota"}, FALLBACK),
        "0900000100": ({"error": -100, "message": "Unknown error"}, RETRY),
    }
    for phone, (answer, kind) in cases.items():
        providers.state.script("84" + phone[1:], answer)
        outcome = zns.send(request(f"cskh-{phone}-zns", phone))
        assert outcome.kind == kind, (phone, outcome)
        assert str(answer["error"]) in outcome.reason and answer["message"] in outcome.reason


def test_a_template_without_zalos_id_is_not_sent(app, providers):
    outcome = zns.send(Request("cskh-1-zns", "0912345678", "x", None, None, {}, "care"))
    assert outcome.kind == FALLBACK and providers.state.requests == []


def test_timeout_and_5xx_are_retried_with_the_same_tracking_id(app, providers):
    app.config.update(CHANNEL_TIMEOUT_SECONDS=0.3, CHANNEL_HTTP_RETRIES=1, CHANNEL_HTTP_BACKOFF_SECONDS=0.01)
    providers.state.delay["84911111111"] = 1.0
    outcome = zns.send(request("cskh-3-zns", "0911111111"))
    assert outcome.kind == RETRY and "timeout" in outcome.reason
    assert [b["tracking_id"] for b in providers.state.bodies("/message/template")] == ["cskh-3-zns"] * 2
    providers.state.script("84922222222", 503)
    assert zns.send(request("cskh-4-zns", "0922222222")).kind == ACCEPTED
    assert [b["tracking_id"] for b in providers.state.bodies("/message/template")][-2:] == ["cskh-4-zns"] * 2


def test_webhook_signature(app):
    app.config["ZALO_OA_SECRET_KEY"] = "oa-secret"
    payload = {"app_id": "app-1", "event_name": "user_received_message", "timestamp": "1764230400000",
               "message": {"msg_id": "m1", "tracking_id": "cskh-1-zns", "delivery_time": "1764230400000"}}  # fmt: skip
    raw = json.dumps(payload).encode()
    header = zns.sign(raw, "app-1", "1764230400000", "oa-secret")
    assert zns.signature_ok(raw, header, payload)
    assert zns.signature_ok(raw, header.removeprefix("mac="), payload)
    assert not zns.signature_ok(raw + b" ", header, payload)
    assert not zns.signature_ok(raw, zns.sign(raw, "app-1", "1764230400000", "other"), payload)
    assert not zns.signature_ok(raw, None, payload)
