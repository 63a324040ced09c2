"""Whose figures: the department, a team or an agent, as a value.

A user's dashboard shows the figures of the scope ``services.access.MATRIX["dashboard"]`` gives
them ("all" → the department, "team" → their team, "own" → themselves). Every row a figure counts
belongs to a team and an agent through an ``Owner`` (a request: its team and assignee; a survey
answer or an order: its customer's team and owner; an emotion entry: the customer's team and its
author), and a scope selects the rows of its team or agent. The daily snapshot stores counts under
the same (team, agent), so stored and live figures of a scope are the same rows.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, select, true

from models import Team, User, db
from services import access

DASHBOARD_KINDS = {"all": "department", "team": "team", "own": "agent"}
"""Dashboard scope names of ``access.MATRIX`` → scope kinds."""


@dataclass(frozen=True)
class Owner:
    """The columns naming the team and the agent a row counts for (``agent`` None: no agent's rows)."""

    team: ColumnElement
    agent: ColumnElement | None = None


@dataclass(frozen=True)
class Scope:
    """``department()``, ``team(id)`` or ``agent(id)``; a team scope without a team selects nothing."""

    kind: str
    id: int | None = None

    @classmethod
    def department(cls) -> "Scope":
        return cls("department")

    @classmethod
    def team(cls, team_id: int | None) -> "Scope":
        return cls("team", team_id)

    @classmethod
    def agent(cls, user_id: int) -> "Scope":
        return cls("agent", user_id)

    @property
    def key(self) -> str | None:
        """How kept figures name the scope: ``all``, ``team:<id>``, ``agent:<id>``; None when it selects nothing."""
        if self.kind == "department":
            return "all"
        return None if self.id is None else f"{self.kind}:{self.id}"

    def clause(self, owner: Owner) -> ColumnElement[bool]:
        """SQL condition: the rows (whose team and agent ``owner`` names) that count in this scope."""
        if self.kind == "department":
            return true()
        column = owner.team if self.kind == "team" else owner.agent
        if column is None or self.id is None:
            return false()
        return column == self.id

    def stored(self, team_key, agent_key) -> ColumnElement[bool]:
        """The same condition on snapshot rows keyed (``team_key``, ``agent_key``)."""
        return self.clause(Owner(team_key, agent_key))


def scope_of(user) -> Scope | None:
    """The scope of ``user``'s dashboard; None for a user without customer figures (the administrator)."""
    kind = DASHBOARD_KINDS.get(access.scope_name(user, "dashboard", "view"))
    if kind == "department":
        return Scope.department()
    if kind == "team":
        return Scope.team(user.team_id)
    if kind == "agent":
        return Scope.agent(user.id)
    return None


def every_scope() -> list[Scope]:
    """The department, every team and every active user whose own dashboard is an agent's: the scopes
    whose running figures the ``kpi_refresh`` job keeps."""
    teams = [Scope.team(team_id) for team_id in db.session.scalars(select(Team.id).order_by(Team.id))]
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
    agents = [scope for scope in map(scope_of, users) if scope is not None and scope.kind == "agent"]
    return [Scope.department(), *teams, *agents]
