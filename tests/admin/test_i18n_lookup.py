"""The templates' gettext looks the translations up once per request and locale (admin/i18n.py), and
still follows every switch of language: the session's choice, ``force_locale`` inside a request."""

from flask import render_template_string, session
from flask_babel import force_locale

from tests.factories import make_user

PAGE = (
    "{{ _('Log out') }}|{{ ngettext('Field cannot be longer than %(max)d character.',"
    " 'Field cannot be longer than %(max)d characters.', 5, max=5) }}"
)
VI = "Đăng xuất|Không được dài quá 5 ký tự."
EN = "Log out|Field cannot be longer than 5 characters."


def test_the_request_language_and_force_locale_both_hold(app):
    with app.test_request_context("/admin/"):
        session["lang"] = "vi"
        vietnamese = render_template_string(PAGE)
        with force_locale("en"):
            english = render_template_string(PAGE)
        again = render_template_string(PAGE)
    assert vietnamese == VI
    assert english == EN
    assert again == VI


def test_each_request_speaks_the_language_chosen_before_it(app, db, login_as):
    client = login_as(make_user("agent"))
    for lang, text in (("en", "Log out"), ("vi", "Đăng xuất"), ("en", "Log out")):
        client.get(f"/lang/{lang}")
        html = client.get("/admin/customers/").get_data(as_text=True)
        assert f'id="logout">{text}</button>' in html, lang
