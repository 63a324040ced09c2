"""Errors a user can cause; each carries a translatable message and is shown in one place."""

from flask_babel import lazy_gettext as _l


class CSKHError(Exception):
    """Base of every user-facing error; ``message`` is already translated (lazily)."""

    default = _l("The request could not be completed.")

    def __init__(self, message=None, **details):
        self.message = message if message is not None else self.default
        self.details = details
        super().__init__(str(self.message))


class ValidationError(CSKHError):
    """Bad input: ``errors`` maps a field name to its messages."""

    default = _l("Some fields are not valid.")

    def __init__(self, errors: dict[str, list] | None = None, message=None):
        self.errors = errors or {}
        super().__init__(message)


class NotAllowed(CSKHError):
    default = _l("You are not allowed to do this.")


class InvalidTransition(CSKHError):
    default = _l("This status change is not allowed.")


class BudgetExceeded(CSKHError):
    default = _l("The budget line does not have enough money left.")


class AlreadyDone(InvalidTransition):
    """Another request made this change a moment ago (a double click, two people at once)."""

    default = _l("Already done: someone made this change a moment ago. The page shows the current state.")
