"""admin.pages.SecurePage: every admin page that is not a model's list asks the same door."""

from flask_admin.contrib.sqla import ModelView

from admin.pages import SecurePage


def test_every_page_that_is_not_a_model_list_is_a_secure_page(app):
    views = app.extensions["cskh_admin"]._views
    pages = [v for v in views if not isinstance(v, ModelView)]
    assert pages and [type(v).__name__ for v in pages if not isinstance(v, SecurePage)] == []


def test_anonymous_goes_to_login_and_a_refused_user_gets_403(client, login_as):
    response = client.get("/admin/panel-sources/")
    assert response.status_code == 302 and "/login" in response.location and "next=" in response.location
    agent = login_as("agent")
    assert agent.get("/admin/panel-sources/").status_code == 403
    assert login_as("head").get("/admin/panel-sources/").status_code == 200


def test_the_menu_shows_a_page_only_to_whoever_may_open_it(login_as):
    assert "/admin/panel-sources/" not in login_as("agent").get("/admin/customers/").get_data(as_text=True)
    assert "/admin/panel-sources/" in login_as("head").get("/admin/customers/").get_data(as_text=True)


def test_pages_reached_from_other_pages_stay_out_of_the_menu(app, login_as):
    html = login_as("admin").get("/admin/customers/").get_data(as_text=True)
    assert 'href="/admin/search/"' not in html
