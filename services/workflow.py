"""Two checks every workflow step starts with: may this user do it, and from this status."""

from services import access
from services.errors import InvalidTransition, NotAllowed


def require(user, action: str, resource: str, obj=None, message=None) -> None:
    """NotAllowed unless ``services.access`` lets ``user`` do ``action`` on ``obj``."""
    if not access.can(user, action, resource, obj):
        raise NotAllowed(message)


def require_status(obj, *statuses: str) -> None:
    if obj.status not in statuses:
        raise InvalidTransition()
