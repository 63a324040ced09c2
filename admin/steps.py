"""One workflow step as a POST: run the rule, commit, and turn its outcome into the answer.

Every step page (inbox actions, order transitions and returns, call outcomes, complaint escalation
and transitions, approvals, the staff hand-over, the 360 call log) answers the same way, written
here once: nothing half-written survives a refusal (rollback), a refused user gets 403, a step
someone already took a moment ago is an "info" flash, a rule's refusal shows its messages, and
success flashes and redirects (post/redirect/get).
"""

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect

from models import db
from services.errors import AlreadyDone, CSKHError, NotAllowed, ValidationError

ErrorAnswer = Callable[[CSKHError], Any]


def error_messages(exc: CSKHError) -> list[str]:
    """The messages of a refusal: a ValidationError's per-field messages, else its one message."""
    if isinstance(exc, ValidationError) and exc.errors:
        return [str(m) for group in exc.errors.values() for m in group]
    return [str(exc.message)]


def flash_errors(url: str) -> ErrorAnswer:
    """An ``on_error`` that flashes each message of the refusal and goes back to ``url``."""

    def answer(exc: CSKHError):
        for message in error_messages(exc):
            flash(message, "error")
        return redirect(url)

    return answer


def _value(given, result):
    return given(result) if callable(given) else given


def run_step(
    step: Callable[[], Any],
    *,
    done: str | Callable[[Any], str],
    redirect_to: str | Callable[[Any], str],
    on_error: ErrorAnswer,
    already_done_to: str | None = None,
    on_forbidden: ErrorAnswer | None = None,
):
    """Run ``step()`` and commit, or roll back and answer the refusal.

    ``done`` and ``redirect_to`` (text, or a function of what ``step`` returned) are the success
    flash and where it goes. ``NotAllowed`` → ``on_forbidden`` (default 403). ``AlreadyDone`` →
    an info flash and ``already_done_to`` when given, else it is a refusal like the others.
    Any other ``CSKHError`` → ``on_error(exc)``: re-render the form with its messages, or
    ``flash_errors(url)``.
    """
    try:
        result = step()
        db.session.commit()
    except NotAllowed as exc:
        db.session.rollback()
        if on_forbidden is None:
            abort(403)
        return on_forbidden(exc)
    except AlreadyDone as exc:
        db.session.rollback()
        if already_done_to is None:
            return on_error(exc)
        flash(str(exc.message), "info")
        return redirect(already_done_to)
    except CSKHError as exc:
        db.session.rollback()
        return on_error(exc)
    flash(_value(done, result), "success")
    return redirect(_value(redirect_to, result))
