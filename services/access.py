"""Who may do what to which rows: the product's access contract, kept as data.

``MATRIX[resource][role][action]`` names the row scope in which ``role`` may do
``action`` on ``resource``; a missing entry means "never". ``ROW_RULES`` turns a
scope name into an SQL condition for a user. Every admin endpoint, export, lookup,
dashboard figure and job-facing screen asks ``can`` / ``scope_clause`` here, and the
README reproduces ``MATRIX`` (``flask access-matrix`` prints it).
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased

from models import (
    Appointment,
    AuditLog,
    Budget,
    BudgetLine,
    Campaign,
    CannedReply,
    Complaint,
    Customer,
    EmotionEntry,
    Gift,
    Interaction,
    JobRun,
    JobSetting,
    MessageTemplate,
    Order,
    OrderLine,
    OutboxMessage,
    Policy,
    Product,
    SlaRule,
    SurveyAnswer,
    Team,
    User,
    db,
)

ROLE_LABELS = {
    "agent": _l("Agent"),
    "lead": _l("Team lead"),
    "head": _l("Department head"),
    "admin": _l("Administrator"),
}
ROLES = tuple(ROLE_LABELS)
"""The only place role names are written: everything else asks ``MATRIX`` or a trait below."""

ROLE_TRAITS: dict[str, frozenset[str]] = {
    "agent": frozenset({"owns_customers", "takes_over_work"}),
    "lead": frozenset({"owns_customers", "takes_over_work", "leads_team"}),
    "head": frozenset({"takes_over_work", "department_wide", "receives_escalations"}),
    "admin": frozenset({"department_wide", "administers_staff"}),
}
"""What a role is, beside what it may do (``MATRIX``): ``owns_customers`` (customers are given to it),
``takes_over_work`` (may succeed a leaver), ``leads_team`` (its new budgets and campaigns are its team's),
``department_wide`` (picks any team or colleague; sees columns kept from the teams), ``receives_escalations``
(gets a complaint no lead takes), ``administers_staff`` (keeps the accounts: the last one cannot go)."""
CRUD = ("view", "create", "edit", "delete", "export")


def _all(*actions: str) -> dict[str, str]:
    return {a: "all" for a in actions}


MATRIX: dict[str, dict[str, dict[str, str]]] = {
    "customer": {
        "agent": {"view": "team", "create": "own", "edit": "own", "export": "own"},
        "lead": {
            "view": "team",
            "create": "team",
            "edit": "team",
            "delete": "team",
            "export": "team",
            "import": "team",
        },
        "head": _all(*CRUD, "import"),
    },
    "interaction": {
        "agent": {"view": "team", "create": "team", "edit": "own"},
        "lead": {"view": "team", "create": "team", "edit": "team", "delete": "team", "export": "team"},
        "head": _all(*CRUD),
    },
    "emotion": {
        "agent": {"view": "team", "create": "team", "edit": "own"},
        "lead": {"view": "team", "create": "team", "edit": "team", "delete": "team", "export": "team"},
        "head": _all(*CRUD),
    },
    "complaint": {
        "agent": {"view": "own", "create": "own", "edit": "own", "transition": "own", "export": "own"},
        "lead": {
            "view": "team",
            "create": "team",
            "edit": "team",
            "transition": "team",
            "assign": "team",
            "escalate": "team",
            "export": "team",
        },
        "head": _all(*CRUD, "transition", "assign", "escalate"),
    },
    "order": {
        "agent": {"view": "own", "create": "own", "edit": "own", "transition": "own"},
        "lead": {"view": "team", "create": "team", "edit": "team", "transition": "team", "export": "team"},
        "head": _all(*CRUD, "transition"),
    },
    "product": {
        "agent": {"view": "all"},
        "lead": {"view": "all", "export": "all"},
        "head": _all(*CRUD, "import"),
    },
    "policy": {
        "agent": {"view": "published"},
        "lead": {"view": "published_or_own", "create": "own", "edit": "own_draft", "submit": "own_draft"},
        "head": _all(*CRUD, "submit", "approve", "publish", "retire"),
    },
    "appointment": {
        "agent": {"view": "own", "create": "own", "edit": "own"},
        "lead": {"view": "team", "create": "team", "edit": "team", "delete": "team", "export": "team"},
        "head": _all(*CRUD),
    },
    "budget": {
        "lead": {"view": "team", "create": "team", "edit": "team_draft", "submit": "team_draft"},
        "head": _all(*CRUD, "submit", "approve"),
    },
    "gift": {
        "agent": {"view": "own"},
        "lead": {"view": "team", "create": "team", "edit": "team", "approve": "team_allowance", "export": "team"},
        "head": _all(*CRUD, "approve"),
    },
    "campaign": {
        "agent": {"view": "all"},
        "lead": {"view": "all", "create": "own", "edit": "own_draft", "submit": "own_draft"},
        "head": _all(*CRUD, "submit", "approve"),
    },
    "survey": {
        "agent": {"view": "own", "create": "own"},
        "lead": {"view": "team", "create": "team", "export": "team"},
        "head": _all(*CRUD),
    },
    "canned_reply": {
        "agent": {"view": "all"},
        "lead": {"view": "all", "create": "all", "edit": "all"},
        "head": _all(*CRUD),
    },
    "sla_rule": {"lead": {"view": "all"}, "head": _all("view", "create", "edit", "delete")},
    "audit": {"lead": {"view": "team"}, "head": _all("view", "export"), "admin": _all("view", "export")},
    "job_run": {"lead": {"view": "team"}, "head": _all("view", "run", "pause"), "admin": _all("view", "run", "pause")},
    "outbox": {"lead": {"view": "team"}, "head": _all("view", "export"), "admin": _all("view")},
    "message_template": {"lead": {"view": "all"}, "head": _all(*CRUD), "admin": {"view": "all"}},
    "staff": {
        "head": {"view": "all", "handover": "all"},
        "admin": _all("view", "create", "edit", "export", "handover"),
    },
    "team": {"head": {"view": "all"}, "admin": _all(*CRUD)},
    "dashboard": {"agent": {"view": "own"}, "lead": {"view": "team"}, "head": {"view": "all"}},
}

MODELS = {
    "customer": Customer,
    "interaction": Interaction,
    "emotion": EmotionEntry,
    "complaint": Complaint,
    "order": Order,
    "product": Product,
    "policy": Policy,
    "appointment": Appointment,
    "budget": Budget,
    "gift": Gift,
    "campaign": Campaign,
    "survey": SurveyAnswer,
    "canned_reply": CannedReply,
    "sla_rule": SlaRule,
    "audit": AuditLog,
    "job_run": JobRun,
    "outbox": OutboxMessage,
    "message_template": MessageTemplate,
    "staff": User,
    "team": Team,
}
RESOURCE_OF_MODEL = {model: name for name, model in MODELS.items()}
RESOURCE_OF_MODEL.update({OrderLine: "order", BudgetLine: "budget", JobSetting: "job_run"})
CHILD_ROWS = {OrderLine: (Order, OrderLine.order_id), BudgetLine: (Budget, BudgetLine.budget_id)}
"""Rows that belong to a parent row: in scope exactly when their parent is."""


LABEL_COLUMNS = {"staff": ("name", "email"), "team": ("name",)}
"""Columns of a row that anyone shown a reference to it sees anyway (its label: "Lan <lan@cskh.vn>")."""
SECRET_COLUMNS = ("password_hash", "session_token")
TABLE_RESOURCES = {model.__tablename__: name for model, name in RESOURCE_OF_MODEL.items()}

MANAGED_ROLES = {"head": ("agent", "lead"), "admin": ("agent", "lead", "head", "admin")}
"""Whose accounts a role may deactivate or hand over: the matrix's "handover" and "edit" on staff are
also bounded by the target's role (the head never acts on the administrator), and nobody acts on themselves."""


def related_column_visible(user, table_name: str, key: str) -> bool:
    """May ``user`` see ``key`` of a row of ``table_name`` reached through a relationship (a filter on "owner")?"""
    if key in SECRET_COLUMNS:
        return False
    resource = TABLE_RESOURCES.get(table_name)
    if resource is None:
        return False
    return key in LABEL_COLUMNS.get(resource, ()) or allowed(user, resource, "view")


def may_manage(user, target) -> bool:
    """May ``user`` deactivate, hand over or change the role of the account ``target``?"""
    role = role_of(user)
    if role is None or target is None or getattr(target, "id", None) == getattr(user, "id", None):
        return False
    return target.role in MANAGED_ROLES.get(role, ())


def _team_of(user) -> int | None:
    return getattr(user, "team_id", None)


def _customers_owned(user):
    return select(Customer.id).where(Customer.owner_id == user.id)


def _owns_customer_of(column, user):
    """``column`` names a customer this user owns, as a correlated EXISTS: beside an OR (the request's
    assignee, the call's agent) an ``IN (SELECT …)`` made PostgreSQL hash every customer the agent
    owns for each query (83,000 rows, ~100 ms at 1M customers) where this looks up the rows at hand."""
    owned = aliased(Customer)  # its own alias: never correlated to a customers table the outer query joins
    return exists().where(owned.id == column, owned.owner_id == user.id).correlate_except(owned)


def _customers_of_team(user):
    if _team_of(user) is None:
        return select(Customer.id).where(false())
    return select(Customer.id).where(Customer.team_id == user.team_id)


def _by_customer(column):
    """Rules for rows that belong to a customer: own = the customer's owner, team = its team."""
    return {
        "own": lambda u: column.in_(_customers_owned(u)),
        "team": lambda u: column.in_(_customers_of_team(u)),
    }


def _team_column(column):
    return lambda u: column == u.team_id if _team_of(u) is not None else false()


ROW_RULES = {
    "customer": {
        "own": lambda u: Customer.owner_id == u.id,
        "team": _team_column(Customer.team_id),
    },
    "interaction": {
        "own": lambda u: Interaction.agent_id == u.id,
        "team": _by_customer(Interaction.customer_id)["team"],
    },
    "emotion": {
        "own": lambda u: EmotionEntry.author_id == u.id,
        "team": _by_customer(EmotionEntry.customer_id)["team"],
    },
    "complaint": {
        "own": lambda u: or_(Complaint.assignee_id == u.id, _owns_customer_of(Complaint.customer_id, u)),
        "team": _team_column(Complaint.team_id),
    },
    "order": _by_customer(Order.customer_id),
    "appointment": {
        "own": lambda u: or_(Appointment.agent_id == u.id, _owns_customer_of(Appointment.customer_id, u)),
        "team": _by_customer(Appointment.customer_id)["team"],
    },
    "policy": {
        "published": lambda u: Policy.status == "published",
        "published_or_own": lambda u: or_(Policy.status == "published", Policy.author_id == u.id),
        "own": lambda u: Policy.author_id == u.id,
        "own_draft": lambda u: and_(Policy.author_id == u.id, Policy.status == "draft"),
    },
    "budget": {
        "team": _team_column(Budget.team_id),
        "team_draft": lambda u: and_(_team_column(Budget.team_id)(u), Budget.status == "draft"),
    },
    "gift": {
        **_by_customer(Gift.customer_id),
        "team_allowance": lambda u: and_(
            Gift.customer_id.in_(_customers_of_team(u)),
            Gift.value <= select(Team.gift_allowance).where(Team.id == u.team_id).scalar_subquery(),
        ),
    },
    "campaign": {
        "own": lambda u: Campaign.created_by_id == u.id,
        "own_draft": lambda u: and_(Campaign.created_by_id == u.id, Campaign.status == "draft"),
    },
    "survey": _by_customer(SurveyAnswer.customer_id),
    "audit": {"team": _team_column(AuditLog.team_id)},
    "job_run": {"team": _team_column(JobRun.team_id)},
    "outbox": {"team": lambda u: OutboxMessage.customer_id.in_(_customers_of_team(u))},
    "dashboard": {},
}


def role_of(user) -> str | None:
    resolve = getattr(user, "_get_current_object", None)  # Flask-Login's proxy: resolved once, not per attribute
    if resolve is not None:
        user = resolve()
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return user.role


def roles_with(trait: str) -> tuple[str, ...]:
    """The roles having ``trait`` (for SQL: ``User.role.in_(roles_with("owns_customers"))``)."""
    return tuple(role for role in ROLES if trait in ROLE_TRAITS[role])


def role_has(role: str | None, trait: str) -> bool:
    return trait in ROLE_TRAITS.get(role or "", ())


def has_trait(user, trait: str) -> bool:
    """Does the signed-in, active ``user``'s role have ``trait``?"""
    return role_has(role_of(user), trait)


def is_department_wide(user) -> bool:
    return has_trait(user, "department_wide")


def leads_team(user) -> bool:
    return has_trait(user, "leads_team")


def administers_staff(user) -> bool:
    return has_trait(user, "administers_staff")


def scope_name(user, resource: str, action: str = "view") -> str | None:
    """The scope in which ``user`` may do ``action`` on ``resource``, or None."""
    role = role_of(user)
    if role is None:
        return None
    return MATRIX.get(resource, {}).get(role, {}).get(action)


def allowed(user, resource: str, action: str = "view") -> bool:
    """May ``user`` do ``action`` on some rows of ``resource``?"""
    return scope_name(user, resource, action) is not None


def scope_clause(user, resource: str, action: str = "view") -> ColumnElement[bool]:
    """SQL condition selecting the rows of ``resource`` that ``user`` may ``action``."""
    scope = scope_name(user, resource, action)
    if scope is None:
        return false()
    if scope == "all":
        return true()
    rule = ROW_RULES.get(resource, {}).get(scope)
    if rule is None:
        raise LookupError(f"no row rule {scope!r} for {resource!r}")
    return rule(user)


def model_scope_clause(user, model, action: str = "view") -> ColumnElement[bool]:
    """Like ``scope_clause`` but for any model, child rows (order lines, budget lines) included."""
    if model in CHILD_ROWS:
        parent, fk = CHILD_ROWS[model]
        clause = scope_clause(user, RESOURCE_OF_MODEL[parent], action)
        return fk.in_(select(parent.id).where(clause))
    if model is JobSetting:
        return true() if scope_name(user, "job_run", action) == "all" else false()
    resource = RESOURCE_OF_MODEL.get(model)
    return scope_clause(user, resource, action) if resource else false()


def can(user, action: str, resource: str, obj=None, session=None) -> bool:
    """The one permission question: may ``user`` do ``action`` on ``resource`` (and this row)?

    With ``obj`` the row is checked in the database as it stands in the session
    (flushed first), so a form cannot move a row out of the user's scope either.
    """
    if not allowed(user, resource, action):
        return False
    if obj is None or scope_name(user, resource, action) == "all":
        return True
    model = MODELS[resource]
    session = session or db.session
    session.flush()
    pk = model.__mapper__.primary_key[0]
    found = session.execute(select(pk).where(pk == getattr(obj, pk.key), scope_clause(user, resource, action))).first()
    return found is not None


def matrix_rows() -> list[tuple[str, dict[str, str]]]:
    """(resource, {role: "action (scope), ..."}) for the README and ``flask access-matrix``."""
    rows = []
    for resource, by_role in MATRIX.items():
        cells = {}
        for role in ROLES:
            actions = by_role.get(role, {})
            cells[role] = ", ".join(f"{a} ({s})" if s != "all" else a for a, s in actions.items()) or "—"
        rows.append((resource, cells))
    return rows
