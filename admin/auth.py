"""Login and logout pages (Flask-WTF forms, so both carry CSRF)."""

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired

from admin.input_guard import CleanTextForm
from models import db
from services import inbox
from services.auth import LoginFailed, TooManyAttempts, authenticate, load_user, log_out
from services.safe_redirect import safe_next

bp = Blueprint("auth", __name__)


class SignInRequired:
    """For admin pages: the menu shows a page to whom it opens for; a visitor who is not signed in
    goes to the login page, a signed-in user without the right gets 403 (Flask-Admin's public hooks)."""

    def is_visible(self) -> bool:
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)


class LoginForm(CleanTextForm, FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("This field is required."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("This field is required."))])
    remember = BooleanField(_l("Remember me for 14 days"))


class LogoutForm(FlaskForm):
    pass


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    target = safe_next(request.args.get("next"), url_for("admin.index"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target)
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, request.remote_addr)
        except TooManyAttempts as exc:
            flash(str(exc.message), "error")
            return render_template("auth/login.html", form=form), 429
        except LoginFailed as exc:
            form.password.errors = [str(exc.message)]
            return render_template("auth/login.html", form=form), 200
        session.clear()  # rotate: nothing from before the login survives
        login_user(user, remember=bool(form.remember.data))
        if not request.args.get("next") and inbox.has_inbox(user):
            target = url_for("inbox.index")  # agents and leads start the day on their inbox
        return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if not LogoutForm().validate_on_submit():
        abort(400)
    log_out(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


def init_auth(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    app.register_blueprint(bp)

    @app.context_processor
    def _logout_form():
        return {"logout_form": LogoutForm() if current_user.is_authenticated else None}

    @app.route("/")
    def root():
        if current_user.is_authenticated and inbox.has_inbox(current_user):
            return redirect(url_for("inbox.index"))
        return redirect(url_for("admin.index"))
