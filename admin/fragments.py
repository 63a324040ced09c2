"""Page chrome rendered once per process and reused: the main menu and ``url_for`` results.

Flask-Admin renders the menu on every page: for each of ~30 views an access check, a
``url_for`` and a few macro calls, about a sixth of a list page's CPU. What it shows depends
only on the user's role (every ``is_accessible`` asks ``services.access`` or the panel
rules by role), the language, the page being shown (the active item) and the menu itself,
so that is the key. Per process, unbounded but small: roles × languages × pages.

A list page also builds ~45 URLs (sort headers, pager, page sizes, filters, static files),
each a Werkzeug rule build of ~8 µs; the same few hundred come back on every page.
"""

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from services import access


def _cache(kind: str) -> dict:
    return current_app.extensions.setdefault("cskh_fragments", {}).setdefault(kind, {})


@pass_context
def cached_menu(context, render) -> Markup:
    """``render()`` (the layout's ``menu`` macro) for this role, language and page, from the cache."""
    view = context.get("admin_view")
    admin = getattr(view, "admin", None)
    if admin is None:
        return Markup(render())
    menu = admin.menu()
    key = (
        access.role_of(current_user),
        str(get_locale()),
        getattr(view, "endpoint", None),
        id(admin),
        id(menu),
        len(menu),
        request.script_root,
    )
    cache = _cache("menu")
    html = cache.get(key)
    if html is None:
        html = cache[key] = Markup(render())
    return html


URL_CACHE_SIZE = 20_000
"""Remembered URLs per process; the cache starts over when full (search terms make keys unbounded)."""


def cached_url_for(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)``, remembered per process.

    The URL depends only on the endpoint (a relative ``.name`` on the current blueprint), the
    values and the script root: the rules do not change after start-up. Values that are not
    hashable, and ``_external``/``_anchor``/... options, go straight to ``url_for``.
    """
    if any(name[0] == "_" for name in values):
        return url_for(endpoint, **values)
    blueprint = request.blueprint if endpoint[:1] == "." else None
    key = (endpoint, blueprint, request.script_root, tuple((k, type(v), v) for k, v in sorted(values.items())))
    cache = _cache("url")
    try:
        found = cache.get(key)
    except TypeError:  # a list or dict value
        return url_for(endpoint, **values)
    if found is None:
        found = url_for(endpoint, **values)
        if len(cache) >= URL_CACHE_SIZE:
            cache.clear()
        cache[key] = found
    return found


def init_fragments(app) -> None:
    app.jinja_env.globals["cached_menu"] = cached_menu
