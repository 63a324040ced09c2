"""Survey answers: CSAT 1–5 and NPS 0–10 for a customer, optionally about a complaint or an order."""

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional

from admin.base import SecureModelView
from models import SurveyAnswer, db
from services import surveys as rules


class SurveyView(SecureModelView):
    resource = "survey"
    column_list = ["answered_at", "customer", "csat", "nps", "comment", "complaint", "order"]
    column_details_list = column_list
    column_export_list = column_list
    column_filters = ["csat", "nps", "answered_at"]
    column_sortable_list = ["answered_at", "csat", "nps"]
    column_default_sort = ("answered_at", True)
    column_formatters = {"comment": lambda v, c, m, n: (m.comment or "")[:120]}
    column_labels = {
        "answered_at": _l("Answered"),
        "customer": _l("Customer"),
        "csat": _l("CSAT (1–5)"),
        "nps": _l("NPS (0–10)"),
        "comment": _l("Comment"),
        "complaint": _l("Complaint"),
        "order": _l("Order"),
    }
    form_columns = ["customer", "csat", "nps", "comment", "complaint", "order"]
    form_args = {
        "csat": {"validators": [Optional()], "render_kw": {"min": 1, "max": 5}},
        "nps": {"validators": [Optional()], "render_kw": {"min": 0, "max": 10}},
    }
    form_ajax_refs = {
        "customer": {"fields": ["name", "phone"], "placeholder": _l("Search customers")},
        "complaint": {"fields": ["subject"]},
        "order": {"fields": ["invoice_number", "tracking_code"]},
    }

    def create_form(self, obj=None):
        form = super().create_form(obj)
        customer_id = request.args.get("customer_id", type=int)
        if customer_id and request.method == "GET" and "customer" in form:
            customer = self.form_lookup("customer").get_one(customer_id)
            if customer is not None:
                form.customer.data = customer
        return form

    def apply_rules(self, form, model, is_created, before):
        rules.prepare(model)


def register(admin):
    admin.add_view(
        SurveyView(SurveyAnswer, db, name=_l("Survey answers"), endpoint="surveys", category=_l("Customer care"))
    )
