"""Vietnamese that reads right on every page: Flask-Admin's strings (admin/stock_catalogue.py), the
page's ``<html lang>`` and the search boxes' own texts (static/js/select2_vi.js)."""

import re

from flask import Response
from flask_babel import get_locale

from admin import stock_catalogue

_HTML_TAG = re.compile(rb"<html(?P<attrs>[^>]*)>", re.I)
_LANG = re.compile(rb"""\slang=(["'])[^"']*\1""", re.I)


def set_html_lang(response: Response) -> Response:
    """Write the user's language into the page's ``<html>`` tag (Flask-Admin's has none)."""
    if response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed:
        return response
    body = response.get_data()
    match = _HTML_TAG.search(body, 0, 600)
    if match is None:
        return response
    lang = str(get_locale() or "vi").split("_")[0].encode()
    attrs = _LANG.sub(b"", match.group("attrs"))
    response.set_data(body[: match.start()] + b'<html lang="' + lang + b'"' + attrs + b">" + body[match.end() :])
    return response


def register(admin):
    stock_catalogue.install()
    admin.app.after_request(set_html_lang)
