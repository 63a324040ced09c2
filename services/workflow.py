"""Two checks every workflow step starts with: may this user do it, and from this status."""

from services import access, locking
from services.errors import NotAllowed


def require(user, action: str, resource: str, obj=None, message=None) -> None:
    """NotAllowed unless ``services.access`` lets ``user`` do ``action`` on ``obj``."""
    if not access.can(user, action, resource, obj):
        raise NotAllowed(message)


def require_status(obj, *statuses: str, to: str | None = None) -> None:
    """Lock ``obj``'s row and check its status (``services.locking.expect``): AlreadyDone when
    another request just moved it (or it already is ``to``), InvalidTransition otherwise."""
    locking.expect(obj, statuses, to)
