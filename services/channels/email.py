"""Email over SMTP (``SMTP_*``): the outbox's first channel, now one adapter among three.

SMTP has no idempotency key; the message carries ``Message-ID: <key@cskh>`` so a duplicate is
recognisable, and every SMTP or network error is retried (4xx and 5xx alike, as before).
"""

import smtplib
from email.message import EmailMessage

from flask import current_app

from services.channels import ACCEPTED, FALLBACK, RETRY, Outcome, Request


def send(request: Request) -> Outcome:
    if not request.recipient or "@" not in request.recipient:
        return Outcome(FALLBACK, "no email address")
    config = current_app.config
    mail = EmailMessage()
    mail["From"] = config.get("MAIL_FROM", "cskh@example.vn")
    mail["To"] = request.recipient
    mail["Subject"] = request.subject or ""
    mail["Message-ID"] = f"<{request.key}@cskh>"
    mail.set_content(request.text)
    try:
        with smtplib.SMTP(
            config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=config.get("SMTP_TIMEOUT", 10)
        ) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
            smtp.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(RETRY, reason(exc)[:2000])
    return Outcome(ACCEPTED)


def reason(exc: Exception) -> str:
    """A short, readable reason: the server's code and text when it gave one."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                 for code, text in exc.recipients.values()]  # fmt: skip
        return "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"
