"""Cached page chrome (admin/fragments.py): the menu per role, language and page; ``url_for`` per process."""

import re

from flask import url_for

from admin.fragments import cached_url_for
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
