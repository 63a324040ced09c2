"""Page chrome rendered once per process and reused: the main menu, static blocks, ``url_for`` results.

Flask-Admin renders the menu on every page: for each of ~30 views an access check, a
``url_for`` and a few macro calls, about a sixth of a list page's CPU. What it shows depends
only on the user's role (every ``is_accessible`` asks ``services.access`` or the panel
rules by role), the language, the page being shown (the active item) and the menu itself,
so that is the key. Per process, unbounded but small: roles × languages × pages.

The ``<head>`` links and the ``<script>`` tail (static files, the filter definitions, the
actions' script) are the same for every page of a view, role and language but for the CSP
nonce, which ``cached_block`` takes out before keeping the HTML and puts back on every use.

A big list also builds ~45 URLs (sort headers, pager, page sizes, filters, static files),
each a Werkzeug rule build of ~8 µs; the same few hundred come back on every page (``BigListMixin.get_url``).

What they buy: the list-page throughput target (gunicorn ≥ 300 list pages/s on 2 cores, ~6 ms CPU a
page; 211/s and ~7 ms measured, so not met). CPU per ``/admin/customers/`` page (100k customers, SQLite,
process time, min of 4 rounds of 50, load average 5.6 on 2 cores, 2026-11-28): 9.7 ms with all three,
13.0 ms without the menu cache, 11.6 ms without the blocks, 10.8 ms without ``url_for``, 14.1 ms
with none. The menu and blocks are still kept as markup: a data-only version (the menu items a role
sees) has not been measured against it yet.
"""

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from admin.security import csp_nonce
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


NONCE_SLOT = "\x00cskh-nonce\x00"
"""Stands for the request's CSP nonce in a kept block (no template can output a NUL)."""
BLOCK_CACHE_SIZE = 2_000


@pass_context
def cached_block(context, render, *key) -> Markup:
    """``render()`` (a block's ``super``) once per view, role, language and ``key``, with this page's nonce."""
    view = context.get("admin_view")
    nonce = csp_nonce()
    full = (
        key,
        getattr(view, "endpoint", None),
        access.role_of(current_user),
        str(get_locale()),
        request.script_root,
    )
    cache = _cache("block")
    html = cache.get(full)
    if html is None:
        fresh = str(render())
        if len(cache) >= BLOCK_CACHE_SIZE:
            cache.clear()
        cache[full] = fresh.replace(nonce, NONCE_SLOT)
        return Markup(fresh)
    return Markup(html.replace(NONCE_SLOT, nonce))


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
    app.jinja_env.globals.update(cached_menu=cached_menu, cached_block=cached_block)
