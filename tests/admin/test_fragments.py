"""Cached page chrome (admin/listing/fragments.py): the menu per role, language and page; ``url_for`` per process."""

import re

from flask import url_for

from admin.listing.fragments import cached_url_for
from tests.world import build_world

MENU = re.compile(r'<ul class="nav navbar-nav mr-auto">(.*?)</ul>\s*<ul class="nav navbar-nav navbar-right', re.S)


def menu_of(html: str) -> str:
    return MENU.search(html).group(1)


def test_cached_menu_follows_role_language_and_page(app, db, login_as):
    world = build_world()
    db.session.commit()
    head, agent = login_as(world["users"]["head"]), login_as(world["users"]["agent11"])
    head_menu = menu_of(head.get("/admin/customers/").get_data(as_text=True))
    agent_menu = menu_of(agent.get("/admin/customers/").get_data(as_text=True))
    assert "/admin/budgets/" in head_menu and "/admin/budgets/" not in agent_menu  # agents see no budgets
    assert "/admin/jobs/" in head_menu and "/admin/jobs/" not in agent_menu
    # the active item is the page's own, also when the same role's menu was cached on another page
    on_complaints = menu_of(head.get("/admin/complaints/").get_data(as_text=True))
    active = re.compile(r'class="dropdown-item active[^"]*" href="/admin/complaints/"')
    assert active.search(on_complaints) and not active.search(head_menu)
    # and the language is the user's: English labels after switching, Vietnamese for the others
    head.get("/lang/en")
    english = menu_of(head.get("/admin/customers/").get_data(as_text=True))
    assert english != head_menu and "Customers" in english
    assert menu_of(login_as(world["users"]["head"]).get("/admin/customers/").get_data(as_text=True)) == head_menu
    # the cache holds one menu per (role, language, page): rendering again changes nothing
    assert menu_of(head.get("/admin/customers/").get_data(as_text=True)) == english


def test_cached_url_for_gives_url_for_answers(app):
    cases = [
        ("customers.index_view", {}),
        ("customers.index_view", {"page": 2, "sort": 0, "desc": 1}),
        ("customers.index_view", {"page": 2, "sort": 0, "desc": True}),  # True and 1 are equal keys, not URLs
        ("customers.index_view", {"search": "nguyễn văn an & co", "flt0_1": None}),
        ("customers.details_view", {"id": 'HN,SKU-1"><i>', "url": "/admin/customers/?page=3"}),
        (".index_view", {"page": 1}),
        ("admin.static", {"filename": "admin/js/helpers.js", "v": "1.0.0"}),
        ("customers.index_view", {"tags": ["a", "b"]}),  # unhashable: straight to url_for
        ("customers.index_view", {"_anchor": "rows"}),
    ]
    for path in ("/admin/customers/", "/admin/complaints/"):  # the relative endpoint follows the blueprint
        with app.test_request_context(path):
            app.preprocess_request()
            for endpoint, values in cases * 2:  # the second round comes from the cache
                assert cached_url_for(endpoint, **values) == url_for(endpoint, **values), (path, endpoint, values)
    with app.test_request_context("/admin/complaints/"):
        assert cached_url_for(".index_view") == "/admin/complaints/"
    with app.test_request_context("/admin/customers/", base_url="http://x/cskh"):  # behind a path prefix
        assert cached_url_for("customers.index_view") == "/cskh/admin/customers/"


def test_kept_blocks_carry_each_pages_own_csp_nonce(app, db, login_as):
    world = build_world()
    db.session.commit()
    head = login_as(world["users"]["head"])
    seen = []
    for _ in range(3):  # the first renders the blocks, the others reuse them
        r = head.get("/admin/complaints/")
        nonce = re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1)
        html = r.get_data(as_text=True)
        in_page = set(re.findall(r'nonce="([^"]*)"', html))
        assert in_page == {nonce}  # every script of the page, kept or not, runs under this response's CSP
        assert html.count(f'nonce="{nonce}"') >= 10 and "\x00" not in html
        seen.append(nonce)
    assert len(set(seen)) == 3


def test_kept_list_tail_follows_the_active_filters_and_the_role(app, db, login_as):
    world = build_world()
    db.session.commit()
    head, agent = login_as(world["users"]["head"]), login_as(world["users"]["agent11"])
    plain = head.get("/admin/customers/").get_data(as_text=True)
    view = next(v for v in app.extensions["cskh_admin"]._views if getattr(v, "endpoint", None) == "customers")
    key = next(k for k, (_i, flt) in view._filter_args.items() if str(flt.column).endswith(".potential"))
    filtered = head.get(f"/admin/customers/?flt1_{key}=high").get_data(as_text=True)
    active = re.compile(r'<div id="active-filters-data" class="d-none">(.*?)</div>')
    assert active.search(plain).group(1) == "[]"
    assert '"high"' in active.search(filtered).group(1)
    assert active.search(head.get("/admin/customers/").get_data(as_text=True)).group(1) == "[]"
    # mass actions are the role's: the head may delete customers, an agent may not
    assert "delete" in re.search(r'id="actions-confirmation-data"[^>]*>(.*?)</div>', plain).group(1)
    agent_page = agent.get("/admin/customers/").get_data(as_text=True)
    found = re.search(r'id="actions-confirmation-data"[^>]*>(.*?)</div>', agent_page)
    assert found is None or "delete" not in found.group(1)
