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
from markupsafe import escape

DELETE_FORM_ID = "cskh-row-delete"
"""HTML id of the page's shared delete form (admin/templates/admin/cskh_list.html)."""

_PLACEHOLDER = "ROWIDPLACEHOLDER7Q"
_URL_SAFE = "!$'()*,/:;?@"
"""What Werkzeug leaves unquoted in a query value: a spliced id reads as ``url_for`` wrote it."""

LINKS = {ViewRowAction: (".details_view", "fa fa-eye"), EditRowAction: (".edit_view", "fa fa-pencil")}


def row_function(action, context):
    """(row id, row) -> the HTML of ``action`` (an ``admin.base.ScopedRowAction``) on every row of this page,
    with the row's scope check, or None when the action has no fast form."""
    inner, scoped = getattr(action, "inner", None), getattr(action, "action", None)
    if inner is None:
        return None
    view = context.resolve("admin_view")
    draw = button_function(inner, view, context)
    if draw is None:
        return None
    if scoped == "view":
        return draw
    row_allowed = view.row_allowed
    return lambda row_id, row: draw(row_id, row) if row_allowed(scoped, row) else ""


def button_function(inner, view, context):
    """A function (row id[, row]) -> ``inner``'s HTML (a safe ``str``) for this page, or None without a fast form."""
    pieces = _pieces(inner, view, context)
    if pieces is None:
        return None
    before, after, in_url = pieces
    if before is None:  # a view whose get_url reshapes the id: ask it for every row
        endpoint, _icon = LINKS[type(inner)]
        return_url = context.resolve("return_url")
        return lambda row_id, row=None: (
            f'<a class="icon" href="{escape(view.get_url(endpoint, id=row_id, url=return_url))}{after}'
        )
    if in_url:
        return lambda row_id, row=None: f"{before}{escape(quote_plus(str(row_id), safe=_URL_SAFE))}{after}"
    return lambda row_id, row=None: f"{before}{escape(row_id)}{after}"


def _pieces(inner, view, context):
    """(HTML before the row id, HTML after it, whether the id goes in a URL), once per page and button.

    The title (a lazy string) is translated and the URL built once; ``before`` is None when the
    URL cannot be built around a placeholder.
    """
    kind = type(inner)
    if kind not in LINKS and kind is not DeleteRowAction:
        return None
    return_url = context.resolve("return_url") if kind in LINKS else None
    cache = g.setdefault("cskh_row_buttons", {})
    key = (id(view), id(inner), return_url)
    pieces = cache.get(key)
    if pieces is None:
        title = escape(inner.title or "")
        if kind is DeleteRowAction:
            pieces = (
                f'<button class="icon row-delete" type="submit" form="{DELETE_FORM_ID}" name="id" value="',
                f'" title="{title}"><span class="fa fa-trash"></span></button>',
                False,
            )
        else:
            endpoint, icon = LINKS[kind]
            tail = f'" title="{title}"><span class="{icon}"></span></a>'
            whole = view.get_url(endpoint, id=_PLACEHOLDER, url=return_url)
            if whole.count(_PLACEHOLDER) == 1:
                head, rest = whole.split(_PLACEHOLDER)
                pieces = (f'<a class="icon" href="{escape(head)}', f"{escape(rest)}{tail}", True)
            else:
                pieces = (None, f'"{tail}', True)
        cache[key] = pieces
    return pieces


__all__ = ["DELETE_FORM_ID", "button_function", "row_function"]
