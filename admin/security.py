"""Response headers, CSP nonce and the one place user-caused errors become responses."""

import secrets

from flask import Flask, flash, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from services.errors import CSKHError, NotAllowed
from services.safe_redirect import safe_next


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_security(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        nonce = g.get("csp_nonce")
        script = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; object-src 'none'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
        )
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        message = _("Your form expired or was not sent from this site. Please try again.")
        if _wants_json():
            return jsonify(error=message), 400
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(403)
    def _forbidden(exc):
        message = _("You do not have permission to do this.")
        if _wants_json():
            return jsonify(error=message), 403
        return render_template("errors/error.html", code=403, message=message), 403

    @app.errorhandler(404)
    def _not_found(exc):
        return render_template("errors/error.html", code=404, message=_("Page not found.")), 404

    @app.errorhandler(429)
    def _too_many(exc):
        message = _("Too many attempts. Please wait a few minutes and try again.")
        return render_template("errors/error.html", code=429, message=message), 429

    @app.errorhandler(CSKHError)
    def _user_error(exc: CSKHError):
        status = 403 if isinstance(exc, NotAllowed) else 400
        if _wants_json():
            return jsonify(error=str(exc.message)), status
        flash(str(exc.message), "error")
        return redirect(safe_next(request.referrer and _path_of(request.referrer), "/admin/")), 303


def _path_of(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _wants_json() -> bool:
    return (
        request.path.endswith("/ajax/update/")
        or request.path.startswith("/api/")
        or (request.accept_mimetypes.best == "application/json")
    )
