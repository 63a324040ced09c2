"""Quarterly budgets with their lines inline; status changes only on the decision page."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin.base import SecureModelView
from admin.fields import MoneyField
from admin.views.workflow import WorkflowMixin, approval_steps
from models import Budget, BudgetLine, db
from models.choices import BUDGET_CATEGORIES, BUDGET_STATUSES, choices
from services import access
from services import budgets as budget_rules
from services.formatting import format_vnd


def _total(attr):
    return lambda view, context, model, name: format_vnd(getattr(model, attr))


class BudgetView(WorkflowMixin, SecureModelView):
    resource = "budget"
    details_template = "admin/budget_details.html"
    column_list = ["quarter", "team", "title", "status", "planned_total", "spent_total", "submitted_by", "decided_by"]
    column_filters = ["quarter", "year", "status", "team"]
    column_sortable_list = ["quarter", "title", "status"]
    column_default_sort = ("quarter", True)
    column_choices = {"status": choices(BUDGET_STATUSES)}
    column_formatters = {"planned_total": _total("planned_total"), "spent_total": _total("spent_total")}
    column_details_list = [
        "quarter", "team", "title", "status", "planned_total", "spent_total", "created_by",
        "submitted_by", "submitted_at", "decided_by", "decided_at", "decision_comment",
    ]  # fmt: skip
    column_export_list = ["quarter", "team", "title", "status", "planned_total", "spent_total"]
    column_roles = {"team": set(access.roles_with("department_wide"))}
    column_labels = {
        "quarter": _l("Quarter"),
        "year": _l("Year"),
        "quarter_no": _l("Quarter (1–4)"),
        "team": _l("Team"),
        "title": _l("Title"),
        "status": _l("Status"),
        "planned_total": _l("Planned"),
        "spent_total": _l("Spent"),
        "created_by": _l("Created by"),
        "submitted_by": _l("Submitted by"),
        "submitted_at": _l("Submitted at"),
        "decided_by": _l("Decided by"),
        "decided_at": _l("Decided at"),
        "decision_comment": _l("Decision comment"),
        "lines": _l("Budget lines"),
    }
    form_columns = ["year", "quarter_no", "team", "title", "lines"]
    form_choices = {"quarter_no": [("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")]}
    form_args = {"quarter_no": {"coerce": int}}
    form_ajax_refs = {"team": {"fields": ["name"]}}
    inline_models = [
        (
            BudgetLine,
            {
                "form_columns": ["id", "category", "description", "planned"],
                "form_overrides": {"planned": MoneyField},
                "form_choices": {"category": choices(BUDGET_CATEGORIES)},
                "form_label": _l("Budget lines"),
                "column_labels": {
                    "category": _l("Category"),
                    "description": _l("Description"),
                    "planned": _l("Planned (VND)"),
                },
            },
        )
    ]

    def steps(self):
        return approval_steps(budget_rules.submit, budget_rules.decide)

    def apply_rules(self, form, model, is_created, before):
        budget_rules.prepare(model, current_user, is_created, before_status=before.get("status"))

    def line_rows(self, budget):
        """(category label, description, planned, spent, remaining) as VND text, for the details page."""
        return [
            (
                BUDGET_CATEGORIES.get(line.category, line.category),
                line.description,
                format_vnd(line.planned),
                format_vnd(line.spent),
                format_vnd(budget_rules.remaining(line)),
            )
            for line in budget.lines
        ]


def register(admin):
    admin.add_view(BudgetView(Budget, db, name=_l("Budgets"), endpoint="budgets", category=_l("Planning")))
