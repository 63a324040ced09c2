"""The "Data sources" page (head and admin): each source's live state, drift, problems, and **Tải lại**.

Reload builds a new ``Panel`` from the file and the databases as they are now, then points every
table page at it: an existing page is rebuilt in place (its URL stays), a new entry gets a page,
an entry gone from the file answers 404. Built-in view overrides are applied again.
"""

import threading

from flask import current_app, flash, redirect, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin.pages import SecurePage
from admin.views.panel import READ_ONLY_NOTICES, PanelModelView, apply_builtin_overrides, table_view
from models import db
from services import access, audit
from services import panel as panel_rules
from services.panel_drift import source_state

_RELOAD = threading.Lock()
_KEPT = ("admin", "blueprint", "url", "static_url_path", "static_folder", "menu", "endpoint")
"""What Flask-Admin set when the page was registered: a rebuilt page keeps its routes and menu entry."""


class DataSourcesView(SecurePage, BaseView):
    """Which sources answered (checked at most once a minute), drift, pages, problems; the reload button."""

    def allows(self, user) -> bool:
        return access.is_department_wide(user)

    @expose("/")
    def index(self):
        panel = panel_rules.current_panel()
        states = {key: source_state(panel, source) for key, source in panel.sources.items()}
        return self.render("admin/panel/sources.html", panel=panel, notices=READ_ONLY_NOTICES, states=states)

    @expose("/reload/", methods=("POST",))
    def reload(self):
        panel = reload_panel(current_app.extensions["cskh_admin"])
        audit.record(
            "reload",
            object_type="PanelSources",
            detail=f"{len(panel.tables)} tables, {len(panel.problems)} problems",
        )
        db.session.commit()
        flash(_("The data sources and the configuration were read again."), "success")
        return redirect(url_for(".index"))


def register(admin):
    admin.add_view(
        DataSourcesView(
            name=_l("Data sources"), endpoint="panel_sources", url="panel-sources", category=_l("Administration")
        )
    )


def reload_panel(admin) -> panel_rules.Panel:
    """Read the file and the databases again and point every table page at the new ``Panel``."""
    app = admin.app
    with _RELOAD:
        old = app.extensions["cskh_panel"]
        panel = panel_rules.load_panel(app)
        logged = len(panel.problems)
        views = {v.endpoint: v for v in admin._views if isinstance(v, PanelModelView)}
        for key, table in panel.tables.items():
            view = views.pop(f"panel_{key}", None)
            fresh = table_view(panel, key, table)
            if fresh is None:
                if view is not None:
                    view.retired = True
            elif view is not None:
                fresh.__dict__.update({k: view.__dict__[k] for k in _KEPT if k in view.__dict__})
                view.__dict__ = fresh.__dict__
            else:
                _add_late(admin, fresh)
        for view in views.values():
            view.retired = True
        apply_builtin_overrides(admin, panel)
        app.extensions["cskh_panel"] = panel
        for problem in panel.problems[logged:]:
            panel_rules.log.error("panel configuration: %s", problem)
    old.dispose()
    return panel


def _add_late(admin, view) -> None:
    """Register a page while the app serves: Flask refuses new routes after the first request unless told."""
    app = admin.app
    started = app._got_first_request
    app._got_first_request = False
    try:
        admin.add_view(view)
    finally:
        app._got_first_request = started
