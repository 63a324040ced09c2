"""Hostile input and hidden columns on every list, filter, search, lookup and form of the secure base view.

``SafeInputMixin`` comes first in ``SecureModelView``'s bases. It answers the questions Flask-Admin
leaves open: which filters and search columns a role may use (only the columns it may see:
``column_visible``, the one rule), which page and ids are sane, and what a term with a control
character gets (a message, never the database). ``CleanTextForm`` refuses control characters and
over-long free text in every form field; ``init_input_guard`` turns what still slips through
(an oversized request, a value the database refuses) into a clear answer instead of a 500.
"""

import logging

from flask import abort, flash, jsonify, make_response, render_template, request
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.model import filters as model_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import false, or_
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from models import db
from services import access
from services.input_rules import (
    CONTROL_MESSAGE,
    MAX_TEXT_CHARS,
    TERM_MESSAGE,
    has_control,
    int_range,
    number_in_range,
)
from services.text import LIKE_ESCAPE, like_literal

log = logging.getLogger("cskh.admin")
REFUSED_MESSAGE = _l("A value is not valid (too long, out of range or with invisible characters). Please check it.")
MAX_PAGE = 10_000_000
"""Deepest page number accepted (deeper pages come by keyset, ``after=``); keeps OFFSET in range."""


class CleanTextForm:
    """Form mixin: every text field refuses control characters and free text over ``MAX_TEXT_CHARS``."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in self:
            data = field.data
            if field.name == "csrf_token" or not isinstance(data, str):
                continue
            if has_control(data):
                field.errors = [*field.errors, str(CONTROL_MESSAGE)]
                ok = False
            elif len(data) > MAX_TEXT_CHARS:
                field.errors = [*field.errors, _("At most %(n)d characters.", n=MAX_TEXT_CHARS)]
                ok = False
        return ok


def pk_value(column, raw):
    """``raw`` as a value of primary-key ``column``, or None when it cannot be one (never reaches SQL)."""
    if raw is None or has_control(str(raw)):
        return None
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return raw
    if python_type is int:
        text = str(raw).strip()
        if not text.lstrip("-").isdigit() or len(text) > 20:
            return None
        value = int(text)
        return value if number_in_range(value, column.type) else None
    try:
        return python_type(raw)
    except (TypeError, ValueError):
        return None


def refuse_control_term(term) -> None:
    """A lookup's term with a control character: 400 with the message, as JSON (the field's script shows it)."""
    if has_control(term):
        abort(make_response(jsonify(error=str(TERM_MESSAGE)), 400))


def lookup_condition(fields, term: str):
    """A relationship lookup's ``term`` in any of ``fields`` the user may see, ``%`` and ``_`` literally."""
    pattern = f"%{like_literal(term)}%"
    shown = [f for f in fields if access.related_column_visible(current_user, *_table_and_key(f))]
    return or_(*(f.ilike(pattern, escape=LIKE_ESCAPE) for f in shown)) if shown else false()


def _table_and_key(field) -> tuple[str, str]:
    return getattr(field, "expression", field).table.name, field.key


def lookup_window(offset, limit) -> tuple[int, int]:
    """A lookup's (offset, limit), clamped: no negative or 30-digit OFFSET reaches the database."""
    return min(max(offset or 0, 0), MAX_PAGE), min(max(limit or 10, 1), 50)


class SafeInputMixin:
    """List arguments, filters, search and ids checked before Flask-Admin or the database sees them."""

    # ---- the one rule: which columns a role may see ------------------------
    def filter_visible(self, flt) -> bool:
        """A filter is offered only on a column the role may see."""
        return self.column_shown(getattr(flt, "column", None))

    def column_shown(self, column) -> bool:
        """May the user see ``column`` (of this model, or of a related one: its label, or all of it when
        the role may view that resource)? What filters and search may reach."""
        key = getattr(column, "key", None)
        table = getattr(getattr(column, "expression", column), "table", None)
        if key is None or key in self.never_columns:
            return False
        mapper = self.model.__mapper__
        if table is None or table is mapper.local_table:
            if not hasattr(column, "property") and table is not None:  # a Column: its attribute's name
                key = mapper.get_property_by_column(column).key
            return self.column_visible(key)
        return access.related_column_visible(current_user, table.name, key)

    # ---- list arguments (admin/listing/seams.py hands them over) -------------
    def clean_list_args(self, args):
        """The page in range; a search term with a control character dropped, with a message."""
        args.page = min(max(args.page or 0, 0), MAX_PAGE)
        if args.search is not None and has_control(args.search):
            flash(str(TERM_MESSAGE), "error")
            args.search = None
        return args

    def filter_value_ok(self, flt, value) -> bool:
        """Whether a filter's value is one the column can hold; a message when not."""
        if flt.validate(value) and _in_range(flt, value):
            return True
        flash(self.get_invalid_value_msg(value, flt), "error")
        return False

    def handle_view_exception(self, exc):
        """A value the database refused (what the checks above missed): a message, never the driver's text."""
        if isinstance(exc, DBAPIError) and not isinstance(exc, IntegrityError):
            self.session.rollback()
            log.warning("value refused by the database in %s: %s", self.endpoint, str(exc).splitlines()[0])
            flash(str(REFUSED_MESSAGE), "error")
            return True
        return super().handle_view_exception(exc)

    # ---- ids --------------------------------------------------------------------
    def primary_key_of(self, id) -> tuple | None:
        """The primary key values in the URL's ``id``, or None when it cannot be a key of this model."""
        from flask_admin.tools import iterdecode

        columns = list(self.model.__mapper__.primary_key)
        parts = iterdecode(id) if len(columns) > 1 else (id,)
        if len(parts) != len(columns):
            return None
        values = tuple(pk_value(c, p) for c, p in zip(columns, parts, strict=True))
        return None if None in values else values

    def get_one(self, id):
        """None (not found) for an id that cannot be a primary key: no driver error for ``?id=%00`` or 30 digits."""
        if self.primary_key_of(id) is None:
            return None
        return super().get_one(id)


def _in_range(flt, value) -> bool:
    """Whether a numeric filter's value(s) fit the column (a 30-digit id never reaches SQLite as an overflow)."""
    if not isinstance(flt, model_filters.BaseIntFilter | model_filters.BaseFloatFilter) and not isinstance(
        flt, model_filters.BaseIntListFilter | model_filters.BaseFloatListFilter
    ):
        return True
    column = getattr(flt, "column", None)
    if column is None or int_range(column.type) is None:
        return True
    cleaned = flt.clean(value)
    values = cleaned if isinstance(cleaned, list | tuple) else [cleaned]
    return all(number_in_range(v, column.type) for v in values)


# ---- LIKE filters with literal % and _ --------------------------------------------
def like_pattern(value: str) -> str:
    if value.startswith("^"):
        return like_literal(value[1:]) + "%"
    if value.startswith("="):
        return like_literal(value[1:])
    return "%" + like_literal(value) + "%"


class LiteralLike(sqla_filters.FilterLike):
    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias).ilike(like_pattern(value), escape=LIKE_ESCAPE))


class LiteralNotLike(sqla_filters.FilterNotLike):
    def apply(self, query, value, alias=None):
        return query.filter(~self.get_column(alias).ilike(like_pattern(value), escape=LIKE_ESCAPE))


STRING_FILTERS = tuple(
    {sqla_filters.FilterLike: LiteralLike, sqla_filters.FilterNotLike: LiteralNotLike}.get(f, f)
    for f in sqla_filters.FilterConverter.strings
)


# ---- what still slips through ------------------------------------------------------
def init_input_guard(app) -> None:
    """413 for an oversized request (refused from its Content-Length, never read whole) and 400 for a value
    the database refuses, each with a message in the user's language instead of a 500 or a driver's text."""

    @app.errorhandler(413)
    def _too_large(exc):
        limit_mb = (app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
        message = _("The request is too large (at most %(n)d MB).", n=limit_mb)
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=message), 413
        return render_template("errors/error.html", code=413, message=message), 413

    @app.errorhandler(DataError)
    def _refused_value(exc):
        db.session.rollback()
        log.warning("value refused by the database on %s: %s", request.path, str(exc).splitlines()[0])
        message = str(REFUSED_MESSAGE)
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=message), 400
        return render_template("errors/error.html", code=400, message=message), 400


__all__ = [
    "CONTROL_MESSAGE",
    "CleanTextForm",
    "LiteralLike",
    "LiteralNotLike",
    "MAX_PAGE",
    "STRING_FILTERS",
    "SafeInputMixin",
    "init_input_guard",
    "pk_value",
]
