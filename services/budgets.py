"""Quarterly care budgets: draft → submitted → approved / rejected, and spending on a line.

Money is integer VND. Only an approved budget's lines can be charged, and never beyond
what is planned: ``charge`` is one conditional UPDATE, so two concurrent charges cannot
both take the last of a line.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from models import Budget, BudgetLine, db
from models.choices import BUDGET_CATEGORIES
from services import access, approvals
from services.errors import BudgetExceeded, ValidationError
from services.formatting import to_local
from services.workflow import require, require_status

EDITABLE = ("draft", "rejected")


def quarter_label(year: int, quarter_no: int) -> str:
    return f"{year}-Q{quarter_no}"


def quarter_of(moment: date | datetime) -> str:
    """The budget quarter a gift or message of ``moment`` belongs to (a datetime counts in local time)."""
    day = to_local(moment).date() if isinstance(moment, datetime) else moment
    return quarter_label(day.year, (day.month - 1) // 3 + 1)


class WrongQuarter(BudgetExceeded):
    default = _l("This budget line is of another quarter or year: choose a line of the period the spending is in.")


def validate(budget: Budget, session=None) -> None:
    """Normalise quarter and team key, check the lines; ValidationError lists every problem."""
    session = session or db.session
    errors: dict[str, list] = {}
    if not isinstance(budget.year, int) or not 2000 <= budget.year <= 2100:
        errors.setdefault("year", []).append(_l("Not a valid year."))
    if budget.quarter_no not in (1, 2, 3, 4):
        errors.setdefault("quarter_no", []).append(_l("The quarter is a number from 1 to 4."))
    budget.title = (budget.title or "").strip()
    if not budget.title:
        errors.setdefault("title", []).append(_l("This field is required."))
    for line in budget.lines:
        if line.category not in BUDGET_CATEGORIES:
            errors.setdefault("lines", []).append(_l("Choose one of the listed values."))
        if not (line.description or "").strip():
            errors.setdefault("lines", []).append(_l("Every line needs a description."))
        line.planned = line.planned or 0
        line.spent = line.spent or 0
        if line.planned < 0:
            errors.setdefault("lines", []).append(_l("An amount cannot be negative."))
        elif line.planned < line.spent:
            errors.setdefault("lines", []).append(_l("A line cannot plan less than it has already spent."))
    if not errors:
        budget.quarter = quarter_label(budget.year, budget.quarter_no)
        budget.team_key = budget.team_id or 0
        clash = session.scalar(
            select(Budget.id).where(
                Budget.quarter == budget.quarter, Budget.team_key == budget.team_key, Budget.id != (budget.id or 0)
            )
        )
        if clash:
            errors.setdefault("quarter_no", []).append(_l("This team already has a budget for this quarter."))
    if errors:
        raise ValidationError(errors)


def prepare(budget: Budget, user, is_created: bool, before_status: str | None = None, session=None) -> None:
    """Rules for the forms: a new budget is a draft by ``user`` (a lead's is their team's);
    only a draft or rejected budget changes, and a rejected one goes back to draft."""
    if is_created:
        budget.status = "draft"
        budget.created_by_id = user.id
        if access.leads_team(user):
            budget.team_id = user.team_id
    else:
        status = before_status or budget.status
        if status not in EDITABLE:
            raise ValidationError({"status": [_l("Only a draft budget can be edited.")]})
        if status == "rejected":
            budget.status = "draft"
    validate(budget, session)


def submit(budget: Budget, user) -> None:
    require(user, "submit", "budget", budget)
    if not budget.lines or sum(line.planned or 0 for line in budget.lines) <= 0:
        raise ValidationError({"lines": [_l("A budget needs at least one line with a planned amount.")]})
    approvals.submit(budget, user)


def decide(budget: Budget, user, approve: bool, comment: str | None = None) -> None:
    """Approve or reject a submitted budget (the head; never the one who wrote or submitted it)."""
    require_status(budget, "submitted", to="approved" if approve else "rejected")
    require(user, "approve", "budget", budget)
    approvals.decide(budget, user, approve, comment)


def remaining(line: BudgetLine) -> int:
    """VND still available on ``line`` (planned minus spent)."""
    return (line.planned or 0) - (line.spent or 0)


def left_on_approved(line_id: int, session=None, quarter: str | None = None) -> int | None:
    """VND left on a line of an approved budget (of ``quarter`` when given); None when the line is
    missing, its budget not approved or of another quarter."""
    session = session or db.session
    row = session.execute(
        select(BudgetLine.planned, BudgetLine.spent, Budget.status, Budget.quarter)
        .join(Budget, Budget.id == BudgetLine.budget_id)
        .where(BudgetLine.id == line_id)
    ).first()
    if row is None or row.status != "approved" or (quarter is not None and row.quarter != quarter):
        return None
    return (row.planned or 0) - (row.spent or 0)


def charge(
    line: BudgetLine, amount: int, session=None, on: date | datetime | None = None, year: int | None = None
) -> None:
    """Spend ``amount`` VND on ``line`` inside the caller's transaction; with ``on``, only if the
    line's budget is of the quarter of ``on``, with ``year`` of that year (WrongQuarter otherwise).

    Raises BudgetExceeded, changing nothing, when the line is missing, its budget is not
    approved, or the line would overspend.
    """
    session = session or db.session
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValidationError({"amount": [_l("Not a valid amount of money.")]})
    if line is None:
        raise BudgetExceeded()
    if amount == 0:
        return
    approved = select(Budget.id).where(Budget.status == "approved")
    if on is not None:
        quarter = quarter_of(on)
        if session.scalar(select(Budget.quarter).where(Budget.id == line.budget_id)) != quarter:
            raise WrongQuarter()
        approved = approved.where(Budget.quarter == quarter)
    if year is not None:
        if session.scalar(select(Budget.year).where(Budget.id == line.budget_id)) != year:
            raise WrongQuarter()
        approved = approved.where(Budget.year == year)
    done = session.execute(
        update(BudgetLine)
        .where(
            BudgetLine.id == line.id,
            BudgetLine.budget_id.in_(approved),
            BudgetLine.planned - BudgetLine.spent >= amount,
        )
        .values(spent=BudgetLine.spent + amount)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise BudgetExceeded()
    session.expire(line, ["spent"])
