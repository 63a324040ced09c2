"""The navbar's search box (services.global_search): one match opens the record, else grouped results."""

from flask import redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin.pages import SecurePage
from services import global_search
from services.formatting import format_datetime, format_vnd

RECORD_ENDPOINTS = {
    "customer": "customers.details_view",
    "complaint": "complaints.details_view",
    "order": "orders.details_view",
}


class SearchView(SecurePage, BaseView):
    in_menu = False

    @expose("/")
    def index(self):
        query = (request.args.get("q") or "").strip()[:100]
        results = global_search.search(current_user._get_current_object(), query)
        if results.single is not None:
            kind, record_id = results.single
            return redirect(url_for(RECORD_ENDPOINTS[kind], id=record_id))
        return self.render(
            "admin/search/results.html",
            query=query,
            results=results,
            endpoints=RECORD_ENDPOINTS,
            format_datetime=format_datetime,
            format_vnd=format_vnd,
        )


def register(admin):
    admin.add_view(SearchView(name=_l("Search"), endpoint="search", url="/admin/search"))
