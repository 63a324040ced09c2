"""Customers: list, search without diacritics, filters, create and edit; details is the 360 page."""

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField

from admin.base import SecureModelView
from admin.listing import BigListMixin
from admin.views.customers_360 import Customer360Mixin
from models import Customer, db
from models.choices import CUSTOMER_TYPES, POTENTIAL_LEVELS, choices
from services import customer_tags
from services import customers as customer_rules
from services.errors import ValidationError
from services.validation import format_phone

CONSENT_LABELS = {
    "consent_care_zns": _l("Care messages by Zalo ZNS"),
    "consent_care_sms": _l("Care messages by SMS"),
    "consent_care_email": _l("Care messages by email"),
    "consent_ads_zns": _l("Advertising by Zalo ZNS"),
    "consent_ads_sms": _l("Advertising by SMS"),
    "consent_ads_email": _l("Advertising by email"),
    "opted_out_at": _l("Refused advertising at"),
}
"""Consent per channel and purpose (services.messaging_rules); unticking one takes effect at the next send."""
CONSENTS = [name for name in CONSENT_LABELS if name.startswith("consent_")]


class CustomerView(Customer360Mixin, BigListMixin, SecureModelView):
    resource = "customer"
    list_template = "admin/customers_list.html"
    column_list = ["name", "phone", "email", "kind", "potential", "is_vip", "owner", "team", "last_contact_at"]
    column_searchable_list = ["search_text"]
    column_filters = ["kind", "potential", "is_vip", "owner", "team", "birth_month", "province", "last_contact_at"]
    column_sortable_list = ["name", "phone", "kind", "potential", "is_vip", "last_contact_at", "created_at"]
    column_default_sort = ("id", True)
    column_choices = {"kind": choices(CUSTOMER_TYPES), "potential": choices(POTENTIAL_LEVELS)}
    column_formatters = {"phone": lambda v, c, m, n: format_phone(m.phone)}
    column_labels = {
        "name": _l("Name"),
        "phone": _l("Phone"),
        "alt_phone": _l("Other phone"),
        "email": _l("Email"),
        "address": _l("Address"),
        "province": _l("Province"),
        "birthday": _l("Birthday"),
        "kind": _l("Type"),
        "potential": _l("Potential"),
        "is_vip": _l("VIP"),
        "owner": _l("Owner"),
        "team": _l("Team"),
        "consent_contact": _l("Consents to contact"),
        **CONSENT_LABELS,
        "contact_from": _l("Contact from"),
        "contact_to": _l("Contact until"),
        "notes": _l("Notes"),
        "last_contact_at": _l("Last contact"),
        "created_at": _l("Created"),
        "birth_month": _l("Birthday month"),
        "tags": _l("Tags"),
        "tag_list": _l("Tags"),
    }
    form_columns = [
        "name",
        "phone",
        "alt_phone",
        "email",
        "address",
        "province",
        "birthday",
        "kind",
        "potential",
        "is_vip",
        "tag_list",
        "owner",
        "team",
        "consent_contact",
        *CONSENTS,
        "contact_from",
        "contact_to",
        "notes",
    ]
    form_choices = {"kind": choices(CUSTOMER_TYPES), "potential": choices(POTENTIAL_LEVELS)}
    form_extra_fields = {
        "tag_list": StringField(_l("Tags"), description=_l("Separated by commas, e.g. Đại lý, Khách sỉ.")),
    }
    form_ajax_refs = {
        "owner": {"fields": ["name", "email"], "placeholder": _l("Search staff")},
        "team": {"fields": ["name"]},
    }
    column_export_list = [
        "id",
        "name",
        "phone",
        "alt_phone",
        "email",
        "address",
        "province",
        "birthday",
        "kind",
        "potential",
        "is_vip",
        "owner",
        "team",
        "consent_contact",
        "last_contact_at",
    ]

    def create_form(self, obj=None):
        form = super().create_form(obj)
        if request.method == "GET" and "owner" in form and form.owner.data is None:
            form.owner.data = customer_rules.default_owner(current_user._get_current_object())
        return form

    def on_form_prefill(self, form, id):
        model = self.get_one(id)
        if model is not None and "tag_list" in form:
            form.tag_list.data = ", ".join(customer_tags.names(model))

    def apply_rules(self, form, model, is_created, before):
        customer_rules.check_owner(current_user, model, "create" if is_created else "edit")
        customer_rules.prepare(model)
        if "tag_list" in form:
            try:
                tags = customer_tags.parse(form.tag_list.data)
            except ValidationError as exc:
                raise ValidationError({"tag_list": exc.errors["tags"]}) from exc
            customer_tags.set_tags(model, tags)


def register(admin):
    admin.add_view(CustomerView(Customer, db, name=_l("Customers"), endpoint="customers", category=_l("Customers")))
