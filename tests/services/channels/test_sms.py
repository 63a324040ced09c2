"""The eSMS brandname adapter against a local server speaking eSMS's documented shapes."""

from services.channels import ACCEPTED, FALLBACK, RETRY, Request, sms


def request(key="cskh-1-sms", phone="0912345678", text="Cam on quy khach"):
    return Request(key, phone, text, None, None, {}, "care")


def test_success_sends_the_documented_body(app, providers):
    app.config.update(SMS_CALLBACK_URL="https://cskh.example.vn/hooks/esms/t0k")
    outcome = sms.send(request())
    assert outcome.kind == ACCEPTED and outcome.provider_id and not outcome.duplicate
    body = providers.state.bodies("/esms/")[-1]
    assert body == {"ApiKey": "k", "SecretKey": "s", "Phone": "0912345678", "Content": "Cam on quy khach",
                    "Brandname": "CSKH", "SmsType": "2", "IsUnicode": "0", "Sandbox": "0", "RequestId": "cskh-1-sms",
                    "CallbackUrl": "https://cskh.example.vn/hooks/esms/t0k"}  # fmt: skip
    sms.send(request("cskh-2-sms", text="Cảm ơn quý khách"))
    assert providers.state.bodies("/esms/")[-1]["IsUnicode"] == "1"


def test_a_repeated_request_id_is_not_sent_twice(app, providers):
    assert sms.send(request("cskh-9-sms")).kind == ACCEPTED
    again = sms.send(request("cskh-9-sms"))
    assert again.kind == ACCEPTED and again.duplicate
    assert providers.state.accepted["cskh-9-sms"] == 1


def test_documented_error_classes(app, providers):
    for code, message in (("99", "Phone blocked"), ("101", "Authorize Failed"), ("104", "Brand name code is not exist"),
                          ("146", "Sai template Brandname CSKH"), ("103", "Not enough balance")):  # fmt: skip
        phone = f"09100{int(code):05d}"
        providers.state.script(phone, {"CodeResult": code, "CountRegenerate": 0, "ErrorMessage": message})
        outcome = sms.send(request(f"cskh-{code}-sms", phone))
        assert outcome.kind == FALLBACK and code in outcome.reason and message in outcome.reason
    providers.state.script("0919999999", {"error": "Invalid request"})
    assert sms.send(request("cskh-x-sms", "0919999999")).kind == RETRY
    providers.state.script("0918888888", 500, 500, 500)
    assert sms.send(request("cskh-y-sms", "0918888888")).kind == RETRY


def test_a_timeout_is_retried_and_the_provider_refuses_the_second_copy(app, providers):
    app.config.update(CHANNEL_TIMEOUT_SECONDS=0.3, CHANNEL_HTTP_RETRIES=0)
    providers.state.delay["0933333333"] = 0.6
    first = sms.send(request("cskh-5-sms", "0933333333"))
    assert first.kind == RETRY and "timeout" in first.reason
    import time

    time.sleep(0.5)  # the server finished the first request after we stopped waiting: it was delivered
    providers.state.delay.clear()
    second = sms.send(request("cskh-5-sms", "0933333333"))
    assert second.kind == ACCEPTED and second.duplicate
    assert providers.state.accepted["cskh-5-sms"] == 1
    assert providers.state.received["cskh-5-sms"] == 2


def test_delivery_report_query_string():
    assert sms.report({"SMSID": "x1", "SendStatus": "5", "SendSuccess": "1", "RequestId": "cskh-4-sms"}) == (
        "cskh-4-sms", "x1", "delivered")  # fmt: skip
    assert sms.report({"SMSID": "x1", "SendStatus": "5", "SendSuccess": "0", "SendFailed": "1"})[2] == "failed"
    assert sms.report({"SMSID": "x1", "SendStatus": "4"})[2] == "failed"
    assert sms.report({"SMSID": "x1", "SendStatus": "7"})[2] is None
