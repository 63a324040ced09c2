"""Row buttons of a list page rendered as plain strings, with one shared delete form per page.

Flask-Admin renders each row's buttons through Jinja macros: a ``url_for`` per link and a
whole ``<form>`` with its own CSRF field per delete button, about 3 KB and a third of the
page's time per row. Here a page builds each button's URL once (around a placeholder id)
and a row only splices its id in; every delete button is a submit button of the page's one
hidden delete form (``form="cskh-row-delete"``, ``name="id" value="<row id>"``), which holds
the CSRF token once. The POST is the one Flask-Admin's per-row form sent (``id``, ``url``,
``csrf_token``), so ``delete_view`` and its scope check are unchanged; works without JS
(static/js/list.js only adds the confirmation).
"""

from urllib.parse import quote_plus

from flask import g
from flask_admin.model.template import DeleteRowAction, EditRowAction, ViewRowAction
from markupsafe import Markup, escape

DELETE_FORM_ID = "cskh-row-delete"
"""HTML id of the page's shared delete form (admin/templates/admin/cskh_list.html)."""

_PLACEHOLDER = "ROWIDPLACEHOLDER7Q"
_URL_SAFE = "!$'()*,/:;?@"
"""What Werkzeug leaves unquoted in a query value: a spliced id reads as ``url_for`` wrote it."""

LINKS = {ViewRowAction: (".details_view", "fa fa-eye"), EditRowAction: (".edit_view", "fa fa-pencil")}


def fast_button(inner, view, context, row_id):
    """``inner``'s HTML for ``row_id`` without a template call, or None when it has no fast form."""
    kind = type(inner)
    if kind in LINKS:
        endpoint, icon = LINKS[kind]
        url = _row_url(view, endpoint, context.resolve("return_url"), row_id)
        return Markup(f'<a class="icon" href="{escape(url)}" title="{escape(inner.title or "")}">') + Markup(
            f'<span class="{icon}"></span></a>'
        )
    if kind is DeleteRowAction:
        return Markup(
            f'<button class="icon row-delete" type="submit" form="{DELETE_FORM_ID}" name="id" '
            f'value="{escape(row_id)}" title="{escape(inner.title or "")}"><span class="fa fa-trash"></span></button>'
        )
    return None


def _row_url(view, endpoint: str, return_url, row_id) -> str:
    """``view.get_url(endpoint, id=row_id, url=return_url)``, built once per page and endpoint."""
    cache = g.setdefault("cskh_row_urls", {})
    key = (id(view), endpoint, return_url)
    if key not in cache:
        whole = view.get_url(endpoint, id=_PLACEHOLDER, url=return_url)
        cache[key] = whole.split(_PLACEHOLDER) if whole.count(_PLACEHOLDER) == 1 else None
    parts = cache[key]
    if parts is None:  # a view whose get_url reshapes the id: ask it for every row
        return view.get_url(endpoint, id=row_id, url=return_url)
    return parts[0] + quote_plus(str(row_id), safe=_URL_SAFE) + parts[1]


__all__ = ["DELETE_FORM_ID", "fast_button"]
