"""The one secure base view every model screen inherits.

Flask-Admin checks nothing per row: ``details/?id=``, ``delete/``, mass actions,
``/ajax/update/``, ``/ajax/lookup/`` and exports all reach rows that ``get_query``
hides. Here every endpoint asks ``services.access``: the endpoint's action for the
role, then the row itself (before and after a change). Forms are Flask-WTF forms
(CSRF), every change is audited, and user-caused errors land on the form's fields.
"""

import logging

from flask import abort, flash, g, request
from flask_admin import expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.form import BaseForm
from flask_admin.model.template import BaseListRowAction, DeleteRowAction, EditRowAction
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError

from admin.auth import SignInRequired
from admin.edit_conflicts import EditConflictMixin
from admin.fields import CSKHFilterConverter, CSKHModelConverter
from admin.filter_labels import RelationFilterLabelsMixin
from admin.form_messages import TRANSLATIONS
from admin.input_guard import (
    CleanTextForm,
    SafeInputMixin,
    lookup_condition,
    lookup_window,
    pk_value,
    refuse_control_term,
)
from admin.listing.exports import StreamingExportMixin
from admin.listing.seams import COLUMN_SEARCH, FlaskAdminSeams
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
                query = query.filter(lookup_condition(self.search_columns(), term))
        pk = self.model.__mapper__.primary_key[0]
        offset, limit = lookup_window(offset, limit)
        return query.order_by(pk).offset(offset).limit(limit).all()

    def search_columns(self) -> list:
        """The model attributes of the loader's ``fields`` (names or attributes)."""
        return [getattr(self.model, f) if isinstance(f, str) else f for f in self.fields]


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
    The big lists draw the same buttons without a template call (admin/listing/row_buttons.py).
    """

    def __init__(self, inner: BaseListRowAction, action: str):
        super().__init__(inner.title)
        self.inner, self.action = inner, action

    def render(self, context, row_id, row):
        if self.action != "view" and not context.resolve("admin_view").row_allowed(self.action, row):
            return ""
        return self.inner.render(context, row_id, row)


class SecureModelView(
    FlaskAdminSeams,
    SignInRequired,
    RelationFilterLabelsMixin,
    EditConflictMixin,
    SafeInputMixin,
    StreamingExportMixin,
    ModelView,
):
    """Declarative views on top; access, scope, CSRF, audit and formatting below.

    Lists render with Flask-Admin's own template; the big lists mix in ``admin.listing.BigListMixin``
    (capped counts, keyset pages, rows drawn in Python). Exports stream for every view: the export
    scope, formula-safe cells and numbers kept as numbers are the export's contract, not its speed.
    """

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
    details_template = "admin/cskh_details.html"

    def __init__(self, model, session=None, **kwargs):
        self.column_type_formatters = {
            **getattr(self, "column_type_formatters", {}),
            **self._type_formatters(),
        }
        self.column_type_formatters_export = dict(self.column_type_formatters)
        self.column_type_formatters_detail = dict(self.column_type_formatters)
        if not self.column_default_sort:  # pages that do not shift: the database's order is no order
            mapper = model.__mapper__
            self.column_default_sort = (mapper.get_property_by_column(mapper.primary_key[0]).key, False)
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

    def guard_endpoint(self, name: str):
        """Before every endpoint ``name``: signed in, then the endpoint's action for the role (else 403)."""
        if not current_user.is_authenticated or not self.is_accessible():
            return self.inaccessible_callback(name)
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
    @property
    def rows_session(self):
        """The session this view's rows live in: the product's, or a panel's source's (``PanelModelView``)."""
        return db.session if self.session is db else self.session

    def scope(self, action: str = "view"):
        return self.policy.clause(current_user, action)

    def get_query(self):
        """The rows the user may view; on the export endpoint only those the user may also export."""
        query = super().get_query().filter(self.scope("view"))
        return query.filter(self.scope("export")) if self.current_action() == "export" else query

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
            self.page_rows_loaded(data)
        return count, data

    def page_rows_loaded(self, rows) -> None:
        """A list page's rows are read: its row buttons ask ``row_allowed`` about them."""
        g.cskh_page_rows = rows

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

    row_permission_actions = ("edit", "delete")

    def row_allowed(self, action: str, row) -> bool:
        """Is ``row`` (on the current list page) one the user may ``action``? The first row asks, in ONE
        query, for every row of the page and every row action the user may take on some rows only."""
        scope = self._row_scope(action)
        if scope != "rows":
            return scope == "all"
        pk = self.model.__mapper__.primary_key[0]
        cache = g.setdefault("cskh_row_allowed", {})
        if action not in cache:
            actions = [a for a in dict.fromkeys((action, *self.row_permission_actions)) if self._row_scope(a) == "rows"]
            ids = [getattr(r, pk.key) for r in g.get("cskh_page_rows", [])]
            found = {a: set() for a in actions}
            flags = [case((self.scope(a), 1), else_=0) for a in actions]
            for line in self.rows_session.execute(select(pk, *flags).where(pk.in_(ids))) if ids else ():
                for each, flag in zip(actions, line[1:], strict=True):
                    if flag:
                        found[each].add(line[0])
            cache.update(found)
        return getattr(row, pk.key) in cache[action]

    def _row_scope(self, action: str) -> str | None:
        """ "all" rows, some "rows" or None for the user and ``action``, asked once per request."""
        scopes = g.setdefault("cskh_row_scope", {})
        if (self.resource, action) not in scopes:
            policy, user = self.policy, current_user
            allowed = "rows" if policy.allowed(user, action) else None
            scopes[self.resource, action] = "all" if policy.unrestricted(user, action) else allowed
        return scopes[self.resource, action]

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
        found = self.rows_session.scalar(
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
    def search_condition(self, search: str):
        """The list search's SQL condition (None: no condition), or ``COLUMN_SEARCH`` for Flask-Admin's
        search over the visible searchable columns (admin/listing/seams.py)."""
        if not hasattr(self.model, "search_text"):
            return COLUMN_SEARCH
        return folded_search(self.model, search)

    # ---- lookups ---------------------------------------------------------
    def ajax_loader(self, name, options):
        """The loader of a relationship lookup: only rows the user may pick."""
        attr = getattr(self.model, name)
        remote = attr.prop.mapper.class_
        return ScopedAjaxLoader(name, self.session, remote, **options)

    # ---- changes: rules, scope after the change, audit -----------------
    def update_model(self, form, model):
        audit.keep_before(model)
        return super().update_model(form, model)

    def apply_rules(self, form, model, is_created: bool, before: dict) -> None:
        """Views put their business rules here by calling services (raise ValidationError);
        ``before`` is the row as it was before the form was applied ({} on create)."""

    def on_model_change(self, form, model, is_created):
        g.admin_form = form
        before = {} if is_created else audit.taken_before(model)
        with db.session.no_autoflush:
            self.apply_rules(form, model, is_created, before)
        action = "create" if is_created else "edit"
        if not self.policy.permits(current_user, action, model):
            raise NotAllowed()
        if is_created:
            db.session.flush()
            audit.record("create", model, changes=audit.diff(model, {}))
        else:
            changes = audit.diff(model, before)
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
    @expose("/export/<export_type>/")
    def export(self, export_type):
        if self.can_export and export_type in self.export_types:
            self.audit_export(export_type)
        return super().export(export_type)

    def audit_export(self, export_type: str) -> None:
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
