"""The one door for a screen's permissions: may the user do this, on which rows, on this row.

``SecureModelView`` asks only its policy. ``MatrixPolicy`` answers from ``services.access.MATRIX``
for the built-in models; a screen over another kind of table (the panels' TOML rules) brings a
policy of its own with the same four questions.
"""

from sqlalchemy import ColumnElement

from services import access


class ViewPolicy:
    """What a screen asks; every answer is for one signed-in user and one action ("view", "edit", …)."""

    def allowed(self, user, action: str) -> bool:
        """May ``user`` do ``action`` on some rows?"""
        raise NotImplementedError

    def clause(self, user, action: str) -> ColumnElement[bool]:
        """The SQL condition selecting the rows ``user`` may ``action`` (false when none)."""
        raise NotImplementedError

    def permits(self, user, action: str, obj) -> bool:
        """May ``user`` do ``action`` on the row ``obj`` as it stands in the session?"""
        raise NotImplementedError

    def unrestricted(self, user, action: str) -> bool:
        """Every row, so no row needs asking (saves the per-row query)."""
        return False


class MatrixPolicy(ViewPolicy):
    """A built-in resource's rules: ``MATRIX[resource]`` with the scopes of ``ROW_RULES``."""

    def __init__(self, resource: str):
        self.resource = resource

    def allowed(self, user, action: str) -> bool:
        return access.allowed(user, self.resource, action)

    def clause(self, user, action: str) -> ColumnElement[bool]:
        return access.scope_clause(user, self.resource, action)

    def permits(self, user, action: str, obj) -> bool:
        return access.can(user, action, self.resource, obj)

    def unrestricted(self, user, action: str) -> bool:
        return access.scope_name(user, self.resource, action) == "all"

    def covers(self, model) -> bool:
        """Is ``model`` the resource's own table (so ``clause`` applies to it directly)?"""
        return access.MODELS.get(self.resource) is model
