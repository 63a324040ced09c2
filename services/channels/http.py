"""A small HTTP client for the providers: kept-alive connections, timeouts, retries with backoff.

Every retry sends the same body, so the same idempotency key: a provider that deduplicates
on it (eSMS ``RequestId``) never delivers twice. Transient failures (timeouts, refused
connections, HTTP 429/5xx) are retried ``CHANNEL_HTTP_RETRIES`` times, waiting
``CHANNEL_HTTP_BACKOFF_SECONDS`` × 2ⁿ; then ``Transient`` is raised and the outbox retries later.
"""

import http.client
import json
import socket
import threading
import time
from urllib.parse import urlencode, urlsplit

from flask import current_app

_local = threading.local()


class Transient(Exception):
    """The request may succeed later: a network problem, a timeout, HTTP 429 or 5xx."""


class _NoDelay:
    """Small requests go out at once: without TCP_NODELAY, Nagle's algorithm and the peer's delayed
    ACK can hold each kept-alive request for ~40 ms."""

    def connect(self):
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _HTTP(_NoDelay, http.client.HTTPConnection):
    pass


class _HTTPS(_NoDelay, http.client.HTTPSConnection):
    pass


def _connection(scheme: str, host: str, port: int, timeout: float) -> http.client.HTTPConnection:
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    key = (scheme, host, port)
    conn = pool.get(key)
    if conn is None:
        cls = _HTTPS if scheme == "https" else _HTTP
        conn = pool[key] = cls(host, port, timeout=timeout)
    conn.timeout = timeout
    return conn


def _drop(scheme: str, host: str, port: int) -> None:
    conn = getattr(_local, "pool", {}).pop((scheme, host, port), None)
    if conn is not None:
        conn.close()


def _once(method: str, url: str, body: bytes | None, headers: dict, timeout: float) -> tuple[int, bytes]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    for reuse in (True, False):
        conn = _connection(parts.scheme, parts.hostname, port, timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            _drop(parts.scheme, parts.hostname, port)
            if reuse:
                continue  # a kept-alive connection the server had closed: once more on a fresh one
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        except TimeoutError as exc:
            _drop(parts.scheme, parts.hostname, port)
            raise Transient(f"timeout after {timeout:g} s") from exc
        except (OSError, http.client.HTTPException) as exc:
            _drop(parts.scheme, parts.hostname, port)
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        if response.getheader("Connection", "").lower() == "close":
            _drop(parts.scheme, parts.hostname, port)
        if response.status == 429 or response.status >= 500:
            raise Transient(f"HTTP {response.status}")
        return response.status, data
    raise Transient("connection lost")  # pragma: no cover - the loop returns or raises


def send(method: str, url: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
    """One request with the configured timeout and retries; raises Transient when they are used up."""
    config = current_app.config
    timeout = float(config.get("CHANNEL_TIMEOUT_SECONDS", 10))
    retries = int(config.get("CHANNEL_HTTP_RETRIES", 2))
    backoff = float(config.get("CHANNEL_HTTP_BACKOFF_SECONDS", 0.5))
    for attempt in range(retries + 1):
        try:
            return _once(method, url, body, headers, timeout)
        except Transient:
            if attempt == retries:
                raise
            time.sleep(backoff * 2**attempt)
    raise Transient("no attempt")  # pragma: no cover


def post_json(url: str, payload: dict, headers: dict | None = None) -> tuple[int, dict]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    status, data = send("POST", url, body, {"Content-Type": "application/json", **(headers or {})})
    return status, _json(data)


def post_form(url: str, fields: dict, headers: dict | None = None) -> tuple[int, dict]:
    body = urlencode(fields).encode()
    status, data = send("POST", url, body, {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    return status, _json(data)


def _json(data: bytes) -> dict:
    try:
        value = json.loads(data.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return {"_raw": data[:300].decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"_raw": str(value)[:300]}


class RateLimiter:
    """At most ``rate`` calls per second in this process (a worker's share of the provider's limit)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.next_at = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at)
            self.next_at = at + self.interval
        if at > now:
            time.sleep(at - now)
