"""Import screens: upload a CSV/XLSX, preview every row and error (nothing written), confirm, read the report.

The uploaded file waits in ``instance/imports/<user id>-<random>.<ext>`` (or the
``IMPORT_FOLDER`` setting) between the
preview and the confirmation, so the user never uploads twice; only its owner can
confirm it, and it is deleted once imported. The rules live in ``services.imports``.
"""

import os
import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from admin.auth import SignInRequired
from models import User, db
from services import access
from services import imports as import_rules
from services.errors import NotAllowed, ValidationError

PREVIEW_ROWS = 200
"""Rows shown in the preview table; every error is listed whatever the file's size."""
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def max_bytes() -> int:
    """The largest import file (``MAX_UPLOAD_MB``); the whole request is capped by ``MAX_CONTENT_LENGTH``."""
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


class ImportView(SignInRequired, BaseView):
    """One import screen per kind (``customer`` or ``product``), allowed by the matrix's "import" action."""

    kind = "customer"

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and access.allowed(current_user, self.kind, "import")

    # ---- the file between preview and confirmation -------------------
    @staticmethod
    def folder() -> Path:
        path = Path(current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _save_upload(self) -> tuple[str, str] | None:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_l("Choose a CSV or XLSX file."), "error")
            return None
        ext = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
        if ext not in import_rules.EXTENSIONS:
            flash(_l("Only CSV and XLSX files can be imported."), "error")
            return None
        self._forget_old_files()
        token = secrets.token_urlsafe(18)
        path = self.folder() / f"{current_user.id}-{token}.{ext}"
        upload.save(path)
        if path.stat().st_size > max_bytes():
            path.unlink(missing_ok=True)
            abort(413)
        return token, ext

    def _path_of(self, token: str, ext: str) -> Path:
        if not _TOKEN.match(token or "") or ext not in import_rules.EXTENSIONS:
            abort(400)
        path = self.folder() / f"{current_user.id}-{token}.{ext}"
        if not path.is_file():
            flash(_l("The uploaded file has expired; please upload it again."), "error")
            return None
        return path

    def _forget_old_files(self) -> None:
        limit = time.time() - KEEP_SECONDS
        for old in self.folder().glob("*-*.*"):
            try:
                if old.stat().st_mtime < limit:
                    old.unlink()
            except OSError:
                continue

    # ---- pages --------------------------------------------------------
    def _owners(self):
        if self.kind != "customer":
            return []
        scope = access.scope_name(current_user, "customer", "import")
        query = (
            select(User)
            .where(User.active.is_(True), User.role.in_(access.roles_with("owns_customers")))
            .order_by(User.name)
        )
        if scope != "all":
            query = query.where(User.team_id == current_user.team_id)
        return db.session.scalars(query.limit(500)).all()

    def _render(self, template: str, **context):
        return self.render(
            template,
            kind=self.kind,
            owners=self._owners(),
            labels=import_rules.FIELD_LABELS,
            headers=import_rules.HEADERS[self.kind],
            max_mb=current_app.config["MAX_UPLOAD_MB"],
            **context,
        )

    @expose("/")
    def index(self):
        return self._render("admin/imports/upload.html")

    @expose("/preview/", methods=("POST",))
    def preview(self):
        saved = self._save_upload()
        if saved is None:
            return redirect(url_for(".index"))
        token, ext = saved
        owner_id = request.form.get("owner_id") or None
        try:
            report = import_rules.preview(
                self.folder() / f"{current_user.id}-{token}.{ext}", self.kind, current_user, owner_id
            )
        except NotAllowed:
            abort(403)
        except ValidationError as exc:
            self._discard(token, ext)
            for messages in exc.errors.values():
                for message in messages:
                    flash(message, "error")
            return redirect(url_for(".index"))
        if report.file_errors:
            self._discard(token, ext)
        return self._render(
            "admin/imports/preview.html",
            report=report,
            shown=report.rows[:PREVIEW_ROWS],
            token=token,
            ext=ext,
            owner_id=owner_id or "",
            filename=os.path.basename(request.files["file"].filename or ""),
        )

    @expose("/confirm/", methods=("POST",))
    def confirm(self):
        token, ext = request.form.get("token", ""), request.form.get("ext", "")
        path = self._path_of(token, ext)
        if path is None:
            return redirect(url_for(".index"))
        try:
            report = import_rules.run(
                path,
                self.kind,
                request.form.get("mode", ""),
                current_user,
                request.form.get("owner_id") or None,
                source_name=request.form.get("filename", ""),
            )
        except NotAllowed:
            db.session.rollback()
            abort(403)
        except ValidationError as exc:
            db.session.rollback()
            for messages in exc.errors.values():
                for message in messages:
                    flash(message, "error")
            return redirect(url_for(".index"))
        path.unlink(missing_ok=True)
        return self._render("admin/imports/report.html", report=report)

    def _discard(self, token: str, ext: str) -> None:
        (self.folder() / f"{current_user.id}-{token}.{ext}").unlink(missing_ok=True)


def register(admin):
    admin.app.jinja_env.globals["can_import"] = lambda kind: access.allowed(current_user, kind, "import")
    admin.add_view(
        ImportView(
            "customer",
            name=_l("Import customers"),
            endpoint="import_customers",
            url="/admin/import/customers",
            category=_l("Customers"),
        )
    )
    admin.add_view(
        ImportView(
            "product",
            name=_l("Import products"),
            endpoint="import_products",
            url="/admin/import/products",
            category=_l("Customers"),
        )
    )
