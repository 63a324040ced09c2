"""Language (Vietnamese by default, English on request), time zone and display filters."""

from flask import Flask, redirect, request, session, url_for
from flask_babel import Babel

from services import formatting
from services.safe_redirect import safe_next


def _select_locale() -> str:
    from flask import current_app, has_request_context

    lang = session.get("lang") if has_request_context() else None
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _select_timezone() -> str:
    from flask import current_app

    return current_app.config["TIMEZONE"]


def init_i18n(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
    app.jinja_env.filters.update(
        vnd=formatting.format_vnd,
        vn_date=formatting.format_date,
        vn_datetime=formatting.format_datetime,
    )

    @app.route("/lang/<code>")
    def set_language(code: str):
        if code in app.config["LANGUAGES"]:
            session["lang"] = code
        return redirect(safe_next(request.args.get("next"), url_for("admin.index")))

    @app.context_processor
    def _language_context():
        return {"current_lang": _select_locale(), "languages": app.config["LANGUAGES"]}
