"""Redirect targets that stay on this site (``next=``, ``url=``)."""

from urllib.parse import urlsplit


def is_safe_target(target: str | None) -> bool:
    """Only a path on this host: no scheme, no host, no protocol-relative ``//x`` or ``/\\x``."""
    if not target:
        return False
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def safe_next(target: str | None, fallback: str) -> str:
    return target if is_safe_target(target) else fallback
