"""Parallel browsers against the ``live_server`` fixture: each ``Browser`` is its own logged-in
session (cookie + CSRF token) talking HTTP to a real threaded werkzeug server, and ``burst``
fires the same POST from all of them at once (a barrier releases the threads together)."""

import http.client
import re
import threading
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit

from werkzeug.serving import make_server

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Browser:
    """One logged-in session: a cookie jar of one cookie, no redirects followed."""

    def __init__(self, base: str, cookie: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = {"session": cookie}
        self.token = None

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, body, Location) of one request; Set-Cookie updates the jar."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, text, response.getheader("Location") or ""
        finally:
            conn.close()

    def fetch_token(self, path: str = "/admin/") -> str:
        status, html, _ = self.request("GET", path)
        match = _TOKEN.search(html)
        assert status == 200 and match, f"no CSRF token on {path} ({status}): {html[:500]}"
        self.token = match.group(1) or match.group(2)
        return self.token

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        return self.request("POST", path, dict(data, csrf_token=self.token))

    def follow(self, location: str) -> str:
        """The page a redirect points to (where the flash is shown)."""
        parts = urlsplit(location)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.request("GET", path)[1]


def browsers(app, base: str, user, n: int) -> list[Browser]:
    """``n`` separate sessions of ``user``, each with its own CSRF token."""
    serializer = app.session_interface.get_signing_serializer(app)
    out = []
    for _ in range(n):
        browser = Browser(base, serializer.dumps({"_user_id": user.get_id(), "_fresh": True}))
        browser.fetch_token()
        out.append(browser)
    return out


def burst(sessions: list[Browser], path: str, data: dict) -> list[tuple[int, str, str]]:
    """The same POST from every session at the same moment; the answers in session order."""
    barrier = threading.Barrier(len(sessions))
    results: list = [None] * len(sessions)

    def run(index: int, browser: Browser) -> None:
        barrier.wait()
        try:
            results[index] = browser.post(path, data)
        except Exception as exc:  # noqa: BLE001 - reported by the test as a failed request
            results[index] = (0, repr(exc), "")

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@contextmanager
def serving(app):
    """``app`` served by werkzeug on 127.0.0.1 and a free port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
