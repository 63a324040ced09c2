"""A local server speaking the providers' documented shapes: Zalo ZNS and OAuth, eSMS brandname.

It runs in a thread of the test process (or as its own process for the benchmark), keeps every
request it received, and can be told per phone number what to answer or how long to wait:
``script("84912…", {"error": -118, "message": "Zalo account not existed"})``, ``delay["0912…"] = 3``.
Like eSMS, it refuses a ``RequestId`` it already accepted with CodeResult 124.
"""

import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ZNS_OK = {"error": 0, "message": "Success"}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[tuple[str, dict, dict]] = []  # (path, headers, body)
        self.scripts: dict[str, list] = {}
        self.delay: dict[str, float] = {}
        self.all_delay = 0.0
        self.access_token = "token-1"
        self.refresh_token = "refresh-1"
        self.app_secret = "app-secret"
        self.accepted: dict[str, int] = {}  # idempotency key -> times accepted (delivered)
        self.received: dict[str, int] = {}  # idempotency key -> times received
        self.zns_fail_suffix: str | None = None  # phones ending with it answer -118 (benchmark)
        self.keep_requests = True
        self.count = 0

    def script(self, phone: str, *answers) -> None:
        self.scripts.setdefault(phone, []).extend(answers)

    def next_answer(self, phone: str):
        with self.lock:
            queue = self.scripts.get(phone)
            return queue.pop(0) if queue else None

    def bodies(self, path_part: str) -> list[dict]:
        return [b for p, _h, b in self.requests if path_part in p]

    def duplicates(self) -> int:
        return sum(1 for n in self.accepted.values() if n > 1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None

    def log_message(self, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _body(self) -> tuple[bytes, dict]:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return raw, json.loads(raw or b"{}")
        return raw, {k: v[0] for k, v in parse_qs(raw.decode()).items()}

    def _send(self, status: int, payload) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        state = self.state
        with state.lock:
            stats = {
                "requests": state.count,
                "accepted": sum(state.accepted.values()),
                "duplicates": state.duplicates(),
                "resent": sum(1 for n in state.received.values() if n > 1),
            }
        self._send(200, stats)

    def do_POST(self):  # noqa: N802
        _raw, body = self._body()
        state = self.state
        with state.lock:
            state.count += 1
            if state.keep_requests:
                state.requests.append((self.path, dict(self.headers), body))
        if self.path.endswith("/v4/oa/access_token"):
            return self._oauth(body)
        phone = body.get("phone") or body.get("Phone") or ""
        wait = state.delay.get(phone, 0.0) or state.all_delay
        if wait:
            time.sleep(wait)
        answer = state.next_answer(phone)
        if isinstance(answer, int):  # an HTTP status, e.g. 503
            return self._send(answer, {"error": "unavailable"})
        if self.path.endswith("/message/template"):
            return self._zns(body, answer)
        return self._esms(body, answer)

    def _oauth(self, form: dict):
        state = self.state
        if self.headers.get("secret_key") != state.app_secret or form.get("refresh_token") != state.refresh_token:
            return self._send(200, {"error": -14014, "error_name": "Invalid refresh token",
                                    "error_description": "Refresh token is invalid"})  # fmt: skip
        n = int(state.access_token.split("-")[1]) + 1
        state.access_token, state.refresh_token = f"token-{n}", f"refresh-{n}"
        return self._send(200, {"access_token": state.access_token, "refresh_token": state.refresh_token,
                                "expires_in": "90000"})  # fmt: skip

    def _zns(self, body: dict, answer):
        state = self.state
        key = body.get("tracking_id", "")
        with state.lock:
            state.received[key] = state.received.get(key, 0) + 1
        if self.headers.get("access_token") != state.access_token:
            return self._send(200, {"error": -124, "message": "Access token invalid"})
        if answer is None and state.zns_fail_suffix and body.get("phone", "").endswith(state.zns_fail_suffix):
            answer = {"error": -118, "message": "Zalo account not existed"}
        if answer is None:
            answer = {**ZNS_OK, "data": {"msg_id": uuid.uuid4().hex, "sent_time": str(int(time.time() * 1000)),
                                         "quota": {"dailyQuota": "500000", "remainingQuota": "499999"}}}  # fmt: skip
        if answer.get("error") == 0:
            with state.lock:
                state.accepted[key] = state.accepted.get(key, 0) + 1
        return self._send(200, answer)

    def _esms(self, body: dict, answer):
        state = self.state
        key = body.get("RequestId", "")
        with state.lock:
            state.received[key] = state.received.get(key, 0) + 1
            if key and state.accepted.get(key):
                return self._send(200, {"CodeResult": "124", "CountRegenerate": 0, "ErrorMessage": "Request exist 1",
                                        "SendStatus": "5"})  # fmt: skip
        if answer is None:
            answer = {"CodeResult": "100", "CountRegenerate": 0, "SMSID": uuid.uuid4().hex}
        if answer.get("CodeResult") == "100":
            with state.lock:
                state.accepted[key] = state.accepted.get(key, 0) + 1
        return self._send(200, answer)


class FakeProviders:
    """``start()`` it, read ``urls``; ``stop()`` at the end."""

    def __init__(self, port: int = 0):
        self.state = State()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def settings(self) -> dict:
        return {
            "ZNS_API_URL": f"{self.base}/zns/message/template",
            "ZALO_OAUTH_URL": f"{self.base}/oauth/v4/oa/access_token",
            "SMS_API_URL": f"{self.base}/esms/SendMultipleMessage_V4_post_json/",
            "ZALO_APP_ID": "app-1",
            "ZALO_APP_SECRET": self.state.app_secret,
            "ZNS_ACCESS_TOKEN": self.state.access_token,
            "ZNS_REFRESH_TOKEN": self.state.refresh_token,
            "SMS_API_KEY": "k",
            "SMS_SECRET_KEY": "s",
            "SMS_BRANDNAME": "CSKH",
        }

    def start(self) -> "FakeProviders":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    """Run as a process (the benchmark's sink): ``python -m tests.fake_providers PORT [FAIL_SUFFIX]``."""
    import sys

    providers = FakeProviders(int(sys.argv[1]))
    providers.state.zns_fail_suffix = sys.argv[2] if len(sys.argv) > 2 else None
    providers.state.keep_requests = False
    try:
        providers.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
