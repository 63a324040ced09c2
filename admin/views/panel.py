"""Views over the tables of the panel configuration (docs/panel.md), and the "Data sources" page.

Each configured table becomes a ``PanelModelView``: the product's secure base view with its
permissions and row scope read from the configuration (``services.panel``) instead of
``services.access.MATRIX``, the source's own session, and the audit trail in the CSKH database.
"""

from flask import abort, flash, g, request
from flask_admin import expose
from flask_admin.contrib.sqla import ModelView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, func, select
from sqlalchemy.exc import (
    DBAPIError,
    InvalidRequestError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
    StatementError,
)

from admin import panel_relations as relations
from admin.base import SecureModelView
from admin.listing import BigListMixin
from admin.listing.paging import CappedCount
from admin.listing.seams import bind_session, refresh_declarations
from admin.panel_fields import PanelModelConverter, panel_datetime_formatter, retranslate_flashes
from models import db
from services import access, audit, panel_errors
from services import panel as panel_rules
from services.errors import NotAllowed, ValidationError
from services.panel_config import Problem
from services.panel_inspect import plain_type

READ_ONLY_NOTICES = {
    "no_pk": _l("Read only: the table has no primary key."),
    "view": _l("Read only: this is a database view."),
    "config": _l("Read only: set by the panel configuration."),
}
EXPORT_BATCH = 1000


class PanelModelView(BigListMixin, SecureModelView):
    """A reflected table; the base view's security with the configuration's permissions."""

    list_template = "admin/panel/list.html"
    details_template = "admin/panel/details.html"
    create_template = "admin/panel/create.html"
    edit_template = "admin/panel/edit.html"
    action_permissions: dict[str, str] = {}
    column_display_pk = True
    model_form_converter = PanelModelConverter

    def __init__(self, table: panel_rules.PanelTable, **kwargs):
        self.panel_table = table
        config, attr = table.config, table.attr
        self.column_list = [attr(c) for c in table.list_columns()]
        self.column_export_list = list(self.column_list)
        self.column_details_list = list(self.column_list)  # Flask-Admin would leave foreign keys out
        plain = {c.name for c in table.table.columns if plain_type(c.type)}
        self.column_searchable_list = [attr(c) for c in config.searchable if c in plain] or None
        self.column_filters = [attr(c) for c in config.filterable if c in plain] or None
        self.skipped = [c for c in config.searchable + config.filterable if c not in plain]
        """Columns named for search or filters whose type cannot be (binary, arrays, SET, ...): left out."""
        self.column_labels = {attr(c.name): table.column_label(c.name) for c in table.table.columns}
        if config.default_sort:
            self.column_default_sort = (attr(config.default_sort[0]), config.default_sort[1])
        elif table.has_primary_key:
            self.column_default_sort = [(attr(c.name), False) for c in table.table.primary_key.columns]
        self.can_view_details = table.has_primary_key
        self.column_display_actions = table.has_primary_key  # no buttons, no empty header cell either
        pk = [attr(c.name) for c in table.table.primary_key.columns] if table.has_primary_key else []
        self.primary_key_fields = pk
        self._read_only_fields = [
            (table.column_label(c), reason) for c in config.editable if (reason := not_editable(table.table.c[c]))
        ]
        editable = [attr(c) for c in config.editable if not not_editable(table.table.c[c])]
        creatable_pk = [k for k, c in zip(pk, table.table.primary_key.columns, strict=True) if not table.generated(c)]
        self.form_columns = creatable_pk + [k for k in editable if k not in creatable_pk]
        self.shown_columns = frozenset(self.column_list) | set(editable) | set(pk)
        """What the configuration shows (its column_list, the editable columns and the key): the one rule
        for details, exports, filters, search, forms and audit snapshots (``column_visible``)."""
        self.relation_of = {attr(r.columns[0]): r for r in table.relations}
        self.column_formatters = {name: relations.formatter(r) for name, r in self.relation_of.items()}
        self.column_formatters_export = {
            name: relations.formatter(r, linked=False) for name, r in self.relation_of.items()
        }
        self.column_filters = (self.column_filters or []) + relations.label_filters(self) or None
        self.form_ajax_refs = {
            name: relations.RelationLoader(name, r) for name, r in self.relation_of.items() if len(r.columns) == 1
        }
        super().__init__(table.model, **kwargs)
        bind_session(self, table.source.session)  # the source's, not CSKH's: queries, forms and lookups use it

    def _type_formatters(self):
        formatters = SecureModelView._type_formatters()
        from datetime import datetime

        formatters[datetime] = panel_datetime_formatter(self.panel_table.source.config.timezone)
        formatters[set] = lambda view, value, name=None: ", ".join(sorted(map(str, value)))  # a MariaDB SET
        return formatters

    # ---- permissions and scope from the configuration --------------------
    @property
    def policy(self) -> panel_rules.PanelPolicy:
        """The table's rules from the panel configuration: the base asks only this (services/panel.py)."""
        return panel_rules.PanelPolicy(self.panel_table)

    def column_visible(self, name: str) -> bool:
        return name in self.shown_columns and super().column_visible(name)

    retired = False
    """Its entry left the configuration at a reload: the page answers 404 until the next start."""

    def is_accessible(self) -> bool:
        return not self.retired and super().is_accessible()

    def guard_endpoint(self, name):
        if self.retired:
            abort(404)
        return super().guard_endpoint(name)

    def row_allowed(self, action: str, row) -> bool:
        """The policy's rule on the row as loaded: a column compared in Python, no query to the source."""
        return self.policy.permits(current_user, action, row)

    def get_one(self, id):
        """The base's read (an id that cannot be a key never reaches the source; 403 outside the scope),
        with the source's own failures told apart: a changed table, or a value the source cannot take."""
        try:
            return super().get_one(id)
        except (OperationalError, ProgrammingError):
            self.session.rollback()
            raise  # the table changed or the source stopped answering: _guarded says so
        except (InvalidRequestError, StatementError):
            self.session.rollback()
            return None

    def read_only_notice(self):
        return READ_ONLY_NOTICES.get(self.panel_table.read_only_reason)

    # ---- every key column: order, pages, search ----------------------------
    def _key_columns(self) -> list:
        return list(self.model.__mapper__.primary_key)

    def keyset_key(self, sort_column, sort_desc):
        if len(self._key_columns()) != 1 or sort_column in self.relation_of:
            return None  # a related label is no column of this table: no "after this row" condition
        return super().keyset_key(sort_column, sort_desc)

    def sort_expression(self, sort_column):
        """A foreign key sorts by the related row's label (tracks by album title), not by the stored id."""
        relation = self.relation_of.get(sort_column)
        return relations.label_order(relation) if relation is not None else None

    def _ordered(self, query, joins, sort_column, sort_desc, key):
        query, joins = super()._ordered(query, joins, sort_column, sort_desc, key)
        rest = self._key_columns()[1:]
        if rest:
            desc = bool(sort_desc) if key is None else key[1]
            query = query.order_by(*(c.desc() if desc else c.asc() for c in rest))
        return query, joins

    def _search_page(self, query, sort_column, sort_desc, key, after, page, limit):
        if len(self._key_columns()) == 1:
            return super()._search_page(query, sort_column, sort_desc, key, after, page, limit)
        cap = self.search_count_cap
        found = len(query.with_entities(*self._key_columns()).limit(cap + 1).all())
        return (CappedCount(cap) if found > cap else found), None

    def _deferred_page(self, query, sort_column, sort_desc, key, offset, limit):
        if len(self._key_columns()) == 1:
            return super()._deferred_page(query, sort_column, sort_desc, key, offset, limit)
        return query.offset(offset).limit(limit)

    def get_list(self, *args, **kwargs):
        count, data = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True) and isinstance(data, list):
            relations.prefetch(self, data)
        return count, data

    def back_references(self, model):
        return relations.back_references(self.panel_table, model)

    # ---- forms: typed keys, lookups, the duplicate check on the source ----
    def scaffold_form(self):
        form_class = super().scaffold_form()
        by_attr = {v: k for k, v in self.panel_table.keys.items()}
        for name in self.form_columns or []:
            if not hasattr(form_class, name) and name in by_attr:
                column = self.panel_table.table.c[by_attr[name]]
                reason = _("the form has no field for its type (%(type)s)", type=type(column.type).__name__)
                entry = (self.panel_table.column_label(column.name), reason)
                if entry not in self._read_only_fields:
                    self._read_only_fields.append(entry)
        for name, relation in self.relation_of.items():
            field = getattr(form_class, name, None)
            if field is None or len(relation.columns) != 1:
                continue
            column = self.panel_table.table.c[relation.columns[0]]
            loader = self.form_ajax_refs.get(name)
            setattr(
                form_class,
                name,
                relations.RelationField(
                    loader,
                    label=self.column_labels.get(name, name),
                    allow_blank=bool(column.nullable),
                ),
            )
        return form_class

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        editable = {self.panel_table.attr(c) for c in self.panel_table.config.editable}
        for name in self.primary_key_fields:
            if name in form and name not in editable:
                del form[name]
        return self._role_fields(form, keep_keys=False)

    def create_form(self, obj=None):
        return self._role_fields(super().create_form(obj), keep_keys=True)

    def _role_fields(self, form, keep_keys: bool):
        """``editable_by_role``: a role changes only its columns (a posted other field is not in the form)."""
        allowed = self.panel_table.config.editable_by_role.get(access.role_of(current_user))
        if allowed is None:
            return form
        keep = {self.panel_table.attr(c) for c in allowed} | {"csrf_token"}
        if keep_keys:
            keep |= set(self.primary_key_fields)
        for field in list(form):
            if field.name not in keep:
                del form[field.name]
        return form

    def read_only_fields(self) -> list[tuple[str, str]]:
        """(label, reason) of editable columns the form cannot offer (binary data, a type with no field)."""
        return self._read_only_fields

    def export_models(self):
        batch = []
        for row in self.export_query().yield_per(EXPORT_BATCH):
            batch.append(row)
            if len(batch) >= EXPORT_BATCH:
                relations.prefetch(self, batch)
                yield from batch
                batch = []
        relations.prefetch(self, batch)
        yield from batch

    def _numeric_columns(self) -> set[str]:
        from sqlalchemy import Float, Integer, Numeric

        table = self.panel_table
        return {table.attr(c.name) for c in table.table.columns if isinstance(c.type, Integer | Numeric | Float)}

    # ---- changes: scope after the change, audit in the CSKH database ----
    def _snapshot(self, model) -> dict:
        return {key: getattr(model, key, None) for key in self.panel_table.keys.values() if self.column_visible(key)}

    def update_model(self, form, model):
        g.panel_before = self._snapshot(model)
        return super().update_model(form, model)

    def on_model_change(self, form, model, is_created):
        g.admin_form = form
        if not self.policy.permits(current_user, "create" if is_created else "edit", model):
            raise NotAllowed()
        if is_created:
            self._refuse_duplicate(model)

    def _refuse_duplicate(self, model) -> None:
        """A key typed on create that a row already has: a field message, checked on the source."""
        columns = self._key_columns() if self.panel_table.has_primary_key else []
        values = [getattr(model, c.key) for c in columns]
        if not columns or any(v is None for v in values):
            return
        with self.session.no_autoflush:
            found = self.session.scalar(
                select(func.count())
                .select_from(self.panel_table.table)
                .where(and_(*(c == v for c, v in zip(columns, values, strict=True))))
            )
        if found:
            names = ", ".join(f"“{self.column_labels.get(c.key, c.key)}”" for c in columns)
            raise ValidationError(
                {columns[0].key: [_("Already used by another row.")]},
                _("A row with this %(column)s already exists.", column=names),
            )

    def after_model_change(self, form, model, is_created):
        if is_created and not self._stored(model):
            self._keep_rerouted(form, model)
        after = self._snapshot(model)
        before = {} if is_created else g.get("panel_before", {})
        changes = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
        if is_created or changes:
            self._audit("create" if is_created else "update", model, changes)

    def _stored(self, model) -> bool:
        """Whether a just-created row is in this table (a rule or trigger may have sent it elsewhere)."""
        from sqlalchemy import inspect as state_of

        identity = state_of(model).identity
        if not identity or any(v is None for v in identity):
            return True
        columns = self._key_columns()
        statement = select(func.count()).select_from(self.panel_table.table)
        statement = statement.where(and_(*(c == v for c, v in zip(columns, identity, strict=True))))
        try:
            return bool(self.session.scalar(statement))
        except SQLAlchemyError:
            self.session.rollback()
            return True

    def _keep_rerouted(self, form, model) -> None:
        """The row went elsewhere: say so, and keep what was typed for the audit (nothing to reload)."""
        from sqlalchemy import inspect as state_of
        from sqlalchemy.orm import make_transient

        identity = state_of(model).identity
        make_transient(model)
        form.populate_obj(model)
        for column, value in zip(self._key_columns(), identity, strict=True):
            setattr(model, column.key, value)
        flash(
            _("Saved, but the database put the row elsewhere (a rule or trigger): it is not in this list."), "warning"
        )

    def on_model_delete(self, model):
        if not self.policy.permits(current_user, "delete", model):
            raise NotAllowed()
        g.panel_deleted = (self.get_pk_value(model), self._snapshot(model))
        g.panel_deleted_refs = [
            str(r.table.label()) for r, _more, items in relations.back_references(self.panel_table, model) if items
        ]

    def after_model_delete(self, model):
        pk, snapshot = g.pop("panel_deleted", (None, {}))
        self._audit("delete", model, snapshot, object_id=pk)

    def _audit(self, action: str, model, changes, object_id=None) -> None:
        table = self.panel_table
        audit.record(
            action,
            changes=changes,
            object_type=f"panel:{table.key}",
            object_id=object_id if object_id is not None else self.get_pk_value(model),
            detail=f"{table.source.key}.{table.table.name}",
        )
        db.session.commit()

    def audit_export(self, export_type: str) -> None:
        detail = f"{export_type} {request.query_string.decode()[:500]}"
        audit.record("export", object_type=f"panel:{self.panel_table.key}", detail=detail)
        db.session.commit()

    def handle_view_exception(self, exc):
        if isinstance(exc, NotAllowed):
            self.panel_table.source.session.rollback()
        if isinstance(exc, DBAPIError):
            self.panel_table.source.session.rollback()
            action = self.current_action()
            panel_rules.log.warning("panel %s: %s refused: %s", self.panel_table.key, action, str(exc).splitlines()[0])
            refs = g.pop("panel_deleted_refs", None) if action == "delete" else None
            flash(panel_errors.message(exc, self.panel_table, action, refs), "error")
            return True
        if isinstance(exc, SQLAlchemyError):
            self.panel_table.source.session.rollback()
            panel_rules.log.warning("panel %s: %s", self.panel_table.key, str(exc).splitlines()[0])
            flash(_("The database refused the change; nothing was saved."), "error")
            return True
        return super().handle_view_exception(exc)

    # ---- Flask-Admin's own messages in the product's words ---------------
    # ---- a table that changed under us, or a source that stopped answering ----
    @expose("/")
    def index_view(self):
        return self._guarded(super().index_view)

    @expose("/details/")
    def details_view(self):
        return self._guarded(super().details_view)

    def _guarded(self, view):
        try:
            return view()
        except (OperationalError, ProgrammingError) as exc:
            self.panel_table.source.session.rollback()
            panel_rules.log.error("panel %s: %s", self.panel_table.key, str(exc).splitlines()[0])
            page = self.render("admin/panel/unavailable.html", table=self.panel_table)
            return page, 503

    def csv_chunks(self, chunks):
        """The CSV download, ending with a plain error line if the source fails mid-way (never a silent cut)."""
        session = self.panel_table.source.session
        note = _("EXPORT INCOMPLETE: the database stopped answering; rows after this line are missing.")
        try:
            yield from chunks
        except SQLAlchemyError as exc:
            session.rollback()
            panel_rules.log.error("panel export cut: %s", str(exc).splitlines()[0])
            yield f"\n{note}\n".encode()

    def render(self, template, **kwargs):
        retranslate_flashes(None)
        return super().render(template, **kwargs)

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        return retranslate_flashes(super().create_view())

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        return retranslate_flashes(super().edit_view())

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        return retranslate_flashes(super().delete_view())


# ---- built-in views: columns, labels and filters from the same file --------


def apply_builtin_overrides(admin, panel: panel_rules.Panel) -> None:
    views = {view.endpoint: view for view in admin._views}
    for endpoint, attrs in panel.config.builtin.items():
        view = views.get(endpoint)
        if not isinstance(view, ModelView) or isinstance(view, PanelModelView):
            panel.problems.append(Problem(panel.config.path, f"builtin.{endpoint}", "no built-in view with this name"))
            continue
        reason = _override(view, attrs)
        if reason:
            panel.problems.append(Problem(panel.config.path, f"builtin.{endpoint}", reason))


def _override(view, attrs: dict) -> str | None:
    for attr, names in attrs.items():
        names = names.keys() if attr == "column_labels" else names
        unknown = [n for n in names if not hasattr(view.model, str(n).split(".")[0])]
        if unknown:
            return f"{attr}: unknown column(s) {', '.join(map(str, unknown))}"
    saved = {attr: getattr(view, attr, None) for attr in attrs}
    for attr, value in attrs.items():
        if attr == "column_labels":
            labels = {
                k: panel_rules.LocalizedText(v.get("vi", ""), v.get("en", "")) if isinstance(v, dict) else v
                for k, v in value.items()
            }
            value = {**(view.column_labels or {}), **labels}
        setattr(view, attr, value)
    try:
        refresh_declarations(view)
    except Exception as exc:  # noqa: BLE001 - Flask-Admin raises plain Exception for a bad field
        for attr, value in saved.items():
            setattr(view, attr, value)
        refresh_declarations(view)
        return str(exc)
    return None


def register(admin):
    panel = panel_rules.init_panel(admin.app)
    logged = len(panel.problems)
    for key, table in panel.tables.items():
        view = table_view(panel, key, table)
        if view is not None:
            admin.add_view(view)
    apply_builtin_overrides(admin, panel)
    for problem in panel.problems[logged:]:
        panel_rules.log.error("panel configuration: %s", problem)


def table_view(panel: panel_rules.Panel, key: str, table: panel_rules.PanelTable) -> PanelModelView | None:
    """The page of one table, or None with the reason among the panel's problems."""
    try:
        return PanelModelView(
            table, name=table.label(), category=table.category(), endpoint=f"panel_{key}", url=f"panel/{key}"
        )
    except Exception as exc:  # noqa: BLE001 - a column type Flask-Admin cannot handle must not stop the app
        panel.problems.append(Problem(panel.config.path, f"tables.{key}", f"cannot build the page: {exc}"))
        return None


def not_editable(column) -> str | None:
    """Why a column is shown but never offered in a form, or None."""
    from sqlalchemy import LargeBinary

    if column.computed is not None:
        return _("computed by the database")
    if isinstance(column.type, LargeBinary) or type(column.type).__name__ in ("BYTEA", "BLOB", "LONGBLOB", "BINARY"):
        return _("binary data")
    if type(column.type).__name__ in ("YEAR", "INTERVAL", "ARRAY", "NullType", "TSVECTOR", "JSON", "JSONB"):
        return _("the form has no field for its type (%(type)s)", type=type(column.type).__name__)
    return None
