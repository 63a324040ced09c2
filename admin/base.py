"""The one secure base view every model screen inherits.

Flask-Admin checks nothing per row: ``details/?id=``, ``delete/``, mass actions,
``/ajax/update/``, ``/ajax/lookup/`` and exports all reach rows that ``get_query``
hides. Here every endpoint asks ``services.access``: the endpoint's action for the
role, then the row itself (before and after a change). Forms are Flask-WTF forms
(CSRF), every change is audited, and user-caused errors land on the form's fields.
"""

import logging

from flask import abort, flash, g, redirect, request, url_for
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.form import BaseForm
from flask_admin.model.template import BaseListRowAction, DeleteRowAction, EditRowAction
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import escape
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from admin.edit_conflicts import EditConflictMixin
from admin.listing.exports import StreamingExportMixin
from admin.fields import CSKHFilterConverter, CSKHModelConverter
from admin.filter_labels import RelationFilterLabelsMixin
from admin.form_messages import TRANSLATIONS
from admin.listing.fragments import cached_url_for
from admin.input_guard import (
    CleanTextForm,
    SafeInputMixin,
    lookup_condition,
    lookup_window,
    pk_value,
    refuse_control_term,
)
from admin.listing.list_rows import FastRowsMixin
from admin.listing.paging import FastListMixin
from models import Customer, Product, Team, User, db
from services import access, audit
from services.errors import NotAllowed, ValidationError
from services.formatting import format_date, format_datetime, format_vnd
from services.search_index import search_condition
from services.text import fold, search_terms
from services.view_policy import MatrixPolicy, ViewPolicy


class SecureForm(CleanTextForm, BaseForm, FlaskForm):
    """Flask-Admin's form base with Flask-WTF's CSRF token in every form (and no control characters)."""

    class Meta(FlaskForm.Meta):
        csrf = True

        def get_translations(self, form):
            return TRANSLATIONS


log = logging.getLogger("cskh.admin")

ENDPOINT_ACTIONS = {
    "index_view": "view",
    "details_view": "view",
    "create_view": "create",
    "edit_view": "edit",
    "delete_view": "delete",
    "export": "export",
    "ajax_update": "edit",
}


def _date_fmt(view, value, name=None):
    return format_date(value)


def _datetime_fmt(view, value, name=None):
    return format_datetime(value)


def _bool_fmt(view, value, name=None):
    return _("Yes") if value else _("No")


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """Relationship lookups return only rows the user may see, by folded text."""

    def get_query(self):
        query = super().get_query()
        return query.filter(lookup_scope(self.model))

    def get_one(self, pk):
        column = self.model.__mapper__.primary_key[0]
        pk = pk_value(column, pk) if pk not in (None, "") else None
        if pk is None:
            return None
        with db.session.no_autoflush:
            return db.session.execute(
                select(self.model).where(column == pk, lookup_scope(self.model))
            ).scalar_one_or_none()

    def get_list(self, term, offset=0, limit=10):
        query = self.get_query()
        refuse_control_term(term)
        if term:
            if hasattr(self.model, "search_text"):
                condition = search_condition(self.model, search_terms(term), db.engine)
                if condition is not None:
                    query = query.filter(condition)
            else:
                query = query.filter(lookup_condition(self._cached_fields, term))
        pk = self.model.__mapper__.primary_key[0]
        offset, limit = lookup_window(offset, limit)
        return query.order_by(pk).offset(offset).limit(limit).all()


def lookup_scope(model):
    """Rows of ``model`` the current user may pick in a form field."""
    user = current_user
    if model is User:
        if access.is_department_wide(user):
            return User.active.is_(True)
        if access.leads_team(user) and user.team_id is not None:
            return and_(User.active.is_(True), User.team_id == user.team_id)
        return User.id == getattr(user, "id", None)
    if model is Product:
        return Product.active.is_(True)
    if model is Team:
        if access.is_department_wide(user):
            return access.true()
        return Team.id == getattr(user, "team_id", None)
    return access.model_scope_clause(user, model, "view")


class ScopedRowAction(BaseListRowAction):
    """A row button (view, edit, delete) shown only on rows the user may act on.

    "view" needs no check: the list query already holds only rows the user may view.
    Standard buttons render without a template call (admin/listing/row_buttons.py).
    """

    def __init__(self, inner: BaseListRowAction, action: str):
        super().__init__(inner.title)
        self.inner, self.action = inner, action

    def render(self, context, row_id, row):
        return self.row_function(context)(row_id, row)

    def row_function(self, context):
        """A function (row id, row) -> this button's HTML on every row of the page, set up once per page."""
        from admin.listing.row_buttons import button_function

        view, inner, action = context.resolve("admin_view"), self.inner, self.action
        draw = button_function(inner, view, context)
        if draw is None:

            def draw(row_id, row=None):
                return str(escape(inner.render(context, row_id, row)))

        if action == "view":
            return draw
        row_allowed = view.row_allowed
        return lambda row_id, row: draw(row_id, row) if row_allowed(action, row) else ""


class SecureModelView(
    RelationFilterLabelsMixin,
    EditConflictMixin,
    SafeInputMixin,
    FastListMixin,
    FastRowsMixin,
    StreamingExportMixin,
    ModelView,
):
    """Declarative views on top; access, scope, CSRF, audit and formatting below."""

    resource: str = ""
    """Key in ``services.access.MATRIX``."""

    action_permissions: dict[str, str] = {"delete": "delete"}
    """Mass action name -> access action it needs."""
    column_roles: dict[str, set[str]] = {}
    """Column -> the only roles that may see it (list, details, export, form)."""
    never_columns = ("password_hash", "session_token", "search_text", "row_version")

    form_base_class = SecureForm
    model_form_converter = CSKHModelConverter
    filter_converter = CSKHFilterConverter()
    can_view_details = True
    can_set_page_size = True
    page_size = 20
    export_types = ["csv", "xlsx"]
    export_max_rows = 0
    create_template = "admin/cskh_create.html"
    edit_template = "admin/cskh_edit.html"
    list_template = "admin/cskh_list.html"
    details_template = "admin/cskh_details.html"

    def __init__(self, model, session=None, **kwargs):
        self.column_type_formatters = {
            **getattr(self, "column_type_formatters", {}),
            **self._type_formatters(),
        }
        self.column_type_formatters_export = dict(self.column_type_formatters)
        self.column_type_formatters_detail = dict(self.column_type_formatters)
        super().__init__(model, db, **kwargs)

    @staticmethod
    def _type_formatters():
        from datetime import date, datetime

        return {datetime: _datetime_fmt, date: _date_fmt, bool: _bool_fmt, type(None): lambda v, x, n=None: ""}

    @property
    def policy(self) -> ViewPolicy:
        """The screen's one permission door: every check below asks it (services/view_policy.py)."""
        return MatrixPolicy(self.resource)

    # ---- who may come in -------------------------------------------------
    def is_accessible(self) -> bool:
        return self._allowed("view")

    def get_url(self, endpoint: str, **kwargs) -> str:
        """Flask-Admin's ``url_for``, remembered per process (admin/listing/fragments.py)."""
        return cached_url_for(endpoint, **kwargs)

    def is_visible(self) -> bool:
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    def _handle_view(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if not self.is_accessible():
            abort(403)
        action = ENDPOINT_ACTIONS.get(name)
        if name == "ajax_lookup":
            if not (self._allowed("create") or self._allowed("edit")):
                abort(403)
        elif name == "ajax_update":
            if not self._allowed("edit") or not self.column_editable_list:
                abort(403)
        elif action and not self._allowed(action):
            abort(403)
        return None

    def _allowed(self, action: str) -> bool:
        return self.policy.allowed(current_user, action)

    @property
    def can_create(self):
        return self._allowed("create")

    @property
    def can_edit(self):
        return self._allowed("edit")

    @property
    def can_delete(self):
        return self._allowed("delete")

    @property
    def can_export(self):
        return self._allowed("export")

    # ---- which rows ------------------------------------------------------
    def scope(self, action: str = "view"):
        return self.policy.clause(current_user, action)

    def get_query(self):
        return super().get_query().filter(self.scope("view"))

    def get_count_query(self):
        return super().get_count_query().filter(self.scope("view"))

    def current_action(self) -> str:
        endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
        if endpoint == "action_view":
            return self.action_permissions.get(request.form.get("action", ""), "edit")
        return ENDPOINT_ACTIONS.get(endpoint, "view")

    def get_one(self, id):
        """The row read through the scope of this endpoint's action; 403 when it exists outside it."""
        user, action, policy = current_user, self.current_action(), self.policy
        if policy.unrestricted(user, action) or not getattr(policy, "covers", lambda model: False)(self.model):
            obj = super().get_one(id)
            if obj is not None and not policy.permits(user, action, obj):
                abort(403)
            return obj
        key = self.primary_key_of(id)
        if key is None:
            return None
        columns = self.model.__mapper__.primary_key
        match = and_(*(column == value for column, value in zip(columns, key, strict=True)))
        obj = db.session.scalars(select(self.model).where(match, policy.clause(user, action))).one_or_none()
        if obj is None and db.session.scalar(select(func.count()).select_from(self.model).where(match)):
            abort(403)
        return obj

    def get_list(self, *args, **kwargs):
        count, data = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True) and isinstance(data, list):
            g.cskh_page_rows = data
        return count, data

    def get_list_row_actions(self):
        from flask_admin.model.template import ViewRowAction

        actions = []
        for action in super().get_list_row_actions():
            if isinstance(action, EditRowAction):
                action = ScopedRowAction(action, "edit")
            elif isinstance(action, DeleteRowAction):
                action = ScopedRowAction(action, "delete")
            elif isinstance(action, ViewRowAction):
                action = ScopedRowAction(action, "view")
            actions.append(action)
        return actions

    def row_allowed(self, action: str, row) -> bool:
        """Is ``row`` (on the current list page) one the user may ``action``? One query per page and action."""
        scopes = g.setdefault("cskh_row_scope", {})
        if (self.resource, action) not in scopes:
            policy, user = self.policy, current_user
            allowed = "rows" if policy.allowed(user, action) else None
            scopes[self.resource, action] = "all" if policy.unrestricted(user, action) else allowed
        scope = scopes[self.resource, action]
        if scope is None:
            return False
        if scope == "all":
            return True
        cache = g.setdefault("cskh_row_allowed", {})
        if action not in cache:
            pk = self.model.__mapper__.primary_key[0]
            ids = [getattr(r, pk.key) for r in g.get("cskh_page_rows", [])]
            cache[action] = set(db.session.scalars(select(pk).where(pk.in_(ids), self.scope(action)))) if ids else set()
        return getattr(row, self.model.__mapper__.primary_key[0].key) in cache[action]

    def is_action_allowed(self, name: str) -> bool:
        needed = self.action_permissions.get(name)
        if needed is None:
            return False
        return self._allowed(needed) and name not in self.action_disallowed_list

    def handle_action(self, return_view=None):
        name = request.form.get("action", "")
        if not self.is_action_allowed(name):
            abort(403)
        ids = request.form.getlist("rowid")
        self.ensure_in_scope(ids, self.action_permissions[name])
        return super().handle_action(return_view)

    def ensure_in_scope(self, ids, action: str) -> None:
        """403 unless every id is a row the user may ``action``."""
        pk = self.model.__mapper__.primary_key[0]
        wanted = {pk_value(pk, i) for i in ids}
        if None in wanted:
            abort(400)
        if not wanted:
            return
        found = db.session.scalar(
            select(func.count()).select_from(self.model).where(pk.in_(wanted), self.scope(action))
        )
        if found != len(wanted):
            abort(403)

    def step_rows(self, action: str, arg: str, choices) -> tuple[str, list]:
        """A bulk step page (``?<arg>=…&id=…&id=…``): the chosen value and its rows, in the ids' order.

        The checks every such page needs: 403 without ``action`` or with a row outside its scope,
        400 on a value not in ``choices`` or no ids. One query for the rows, whatever their number.
        """
        if not self._allowed(action):
            abort(403)
        value = request.values.get(arg, "")
        if value not in choices:
            abort(400)
        ids = [i for i in request.values.getlist("id") if i]
        if not ids:
            abort(400)
        self.ensure_in_scope(ids, action)
        pk = self.model.__mapper__.primary_key[0]
        keys = list(dict.fromkeys(pk.type.python_type(i) for i in ids))
        found = {getattr(row, pk.key): row for row in db.session.scalars(select(self.model).where(pk.in_(keys)))}
        return value, [found[key] for key in keys]

    # ---- which columns ---------------------------------------------------
    def get_filters(self):
        """Flask-Admin filters on every column of a related model (``owner`` → all of User's):
        never on secrets such as password hashes and session tokens."""
        filters = super().get_filters() or []
        return [f for f in filters if getattr(getattr(f, "column", None), "key", None) not in self.never_columns]

    def search_placeholder(self):
        if hasattr(self.model, "search_text"):
            return _("Name, phone or email")
        return super().search_placeholder()

    def column_visible(self, name: str) -> bool:
        if name in self.never_columns:
            return False
        roles = self.column_roles.get(name)
        return roles is None or access.role_of(current_user) in roles

    def _visible_columns(self, columns):
        return [c for c in columns if self.column_visible(c[0] if isinstance(c, tuple) else c)]

    @property
    def _list_columns(self):
        return self._visible_columns(self.__dict__.get("_all_list_columns", []))

    @_list_columns.setter
    def _list_columns(self, value):
        self.__dict__["_all_list_columns"] = value

    @property
    def _details_columns(self):
        return self._visible_columns(self.__dict__.get("_all_details_columns", []))

    @_details_columns.setter
    def _details_columns(self, value):
        self.__dict__["_all_details_columns"] = value

    @property
    def _export_columns(self):
        return self._visible_columns(self.__dict__.get("_all_export_columns", []))

    @_export_columns.setter
    def _export_columns(self, value):
        self.__dict__["_all_export_columns"] = value

    def _strip_hidden_fields(self, form):
        for field in list(form):
            if field.name != "csrf_token" and not self.column_visible(field.name):
                del form[field.name]
        return form

    def create_form(self, obj=None):
        return self._strip_hidden_fields(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._strip_hidden_fields(super().edit_form(obj))

    def list_form(self, obj=None):
        return self._strip_hidden_fields(super().list_form(obj))

    # ---- search: diacritics and phone formats do not matter --------------
    def _apply_search(self, query, count_query, joins, count_joins, search):
        if not hasattr(self.model, "search_text"):
            return super()._apply_search(query, count_query, joins, count_joins, search)
        condition = folded_search(self.model, search)
        if condition is not None:
            query = query.filter(condition)
            if count_query is not None:
                count_query = count_query.filter(condition)
        return query, count_query, joins, count_joins

    # ---- lookups ---------------------------------------------------------
    def _create_ajax_loader(self, name, options):
        attr = getattr(self.model, name)
        remote = attr.prop.mapper.class_
        return ScopedAjaxLoader(name, self.session, remote, **options)

    # ---- changes: rules, scope after the change, audit -----------------
    def update_model(self, form, model):
        g.audit_before = audit.snapshot(model)
        return super().update_model(form, model)

    def apply_rules(self, form, model, is_created: bool) -> None:
        """Views put their business rules here by calling services (raise ValidationError)."""

    def on_model_change(self, form, model, is_created):
        g.admin_form = form
        with db.session.no_autoflush:
            self.apply_rules(form, model, is_created)
        action = "create" if is_created else "edit"
        if not self.policy.permits(current_user, action, model):
            raise NotAllowed()
        if is_created:
            db.session.flush()
            audit.record("create", model, changes=audit.diff(model, {}))
        else:
            changes = audit.diff(model, g.get("audit_before", {}))
            if changes:
                audit.record("update", model, changes=changes)

    def on_model_delete(self, model):
        snapshot = audit.snapshot(model)
        audit.record("delete", model, changes={k: v for k, v in snapshot.items() if self.column_visible(k)})

    def handle_view_exception(self, exc):
        if isinstance(exc, IntegrityError):
            db.session.rollback()
            log.warning("integrity error in %s: %s", self.endpoint, exc)
            if request.endpoint and request.endpoint.endswith(("delete_view", "action_view")):
                flash(
                    _("This record cannot be deleted: other records (history, orders, complaints…) refer to it."),
                    "error",
                )
            else:
                flash(_("This change conflicts with existing data (a duplicate or a missing related record)."), "error")
            return True
        if isinstance(exc, NotAllowed):
            db.session.rollback()
            abort(403)
        if isinstance(exc, ValidationError):
            form = g.get("admin_form")
            for name, messages in exc.errors.items():
                if form is not None and name in form:
                    form[name].errors = list(form[name].errors or []) + [str(m) for m in messages]
                else:
                    flash(f"{name}: " + "; ".join(str(m) for m in messages), "error")
            flash(str(exc.message), "error")
            return True
        return super().handle_view_exception(exc)

    # ---- exports are audited --------------------------------------------
    def _export_csv(self, return_url):
        self._audit_export("csv")
        return super()._export_csv(return_url)

    def _export_tablib(self, export_type, return_url):
        self._audit_export(export_type)
        return super()._export_tablib(export_type, return_url)

    def _audit_export(self, export_type: str) -> None:
        audit.record(
            "export", object_type=self.model.__name__, detail=f"{export_type} {request.query_string.decode()[:500]}"
        )
        db.session.commit()


def vnd_formatter(view, context, model, name):
    return format_vnd(getattr(model, name, None))


def folded_search(model, query: str):
    """Condition matching every folded word of ``query`` in ``model.search_text``."""
    return search_condition(model, search_terms(query), db.engine)


__all__ = ["SecureModelView", "SecureForm", "vnd_formatter", "folded_search", "fold", "Customer"]
