"""Flask-Admin setup: the menu is built from the view modules listed in VIEW_MODULES."""

import importlib

from flask import Flask
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.theme import Bootstrap4Theme

from admin.listing.fragments import init_fragments
from admin.pages import SecurePage
from admin.security import csp_nonce
from services.access import ROLE_LABELS

# Each module has ``register(admin)``; the order is the menu's order.
VIEW_MODULES = [
    "admin.views.language",
    "admin.views.approvals_inbox",
    "admin.views.campaign_audience",
    "admin.views.inbox",
    "admin.views.search",
    "admin.views.customers",
    "admin.views.staff",
    "admin.views.audit",
    "admin.views.imports",
    "admin.views.complaints",
    "admin.views.interactions",
    "admin.views.jobs",
    "admin.views.policies",
    "admin.views.budgets",
    "admin.views.gifts",
    "admin.views.orders",
    "admin.views.appointments",
    "admin.views.surveys",
    "admin.views.messages",
    "admin.views.panel",  # last: it may override the columns of the views above
    "admin.views.panel_sources",  # the sources page and its reload, which rebuilds the pages above
]


class HomeView(SecurePage, AdminIndexView):
    """The admin home; login is required like everywhere else."""

    @expose("/")
    def index(self):
        return self.render("admin/home.html")


def home_view() -> AdminIndexView:
    """The index view; the dashboard module replaces it when present."""
    try:
        module = importlib.import_module("admin.views.dashboard")
    except ModuleNotFoundError:
        return HomeView(name="Trang chủ", url="/admin")
    return module.DashboardView(url="/admin")


def init_admin(app: Flask) -> Admin:
    admin = Admin(
        app,
        name="CSKH Admin",
        theme=Bootstrap4Theme(
            base_template="admin/cskh_base.html", swatch=app.config["FLASK_ADMIN_SWATCH"], fluid=True
        ),
        index_view=home_view(),
        csp_nonce_generator=csp_nonce,
    )
    for name in VIEW_MODULES:
        importlib.import_module(name).register(admin)
    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS.get(role, role)
    init_fragments(app)
    app.extensions["cskh_admin"] = admin
    return admin
