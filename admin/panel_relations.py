"""Foreign keys of a panel table read as the related row's label, linked, and picked by an AJAX lookup.

``services.panel`` finds the relations (reflected foreign keys between configured tables); here a
list or details cell shows "AC/DC" linking to the artist's page instead of "ArtistId 1", the form's
number box becomes a lookup searching the label, and a details page lists the rows pointing here.
Every query runs on the source's session and within the user's row scope of the related table.
"""

from flask import g, has_request_context, url_for
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.model.ajax import AjaxModelLoader
from flask_admin.model.fields import AjaxSelectField
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import String, cast, func, or_, select, tuple_
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.util import ClauseAdapter
from wtforms.validators import ValidationError as FieldError

from admin.input_guard import lookup_window, pk_value, refuse_control_term
from services import panel as panel_rules
from services.text import LIKE_ESCAPE, like_literal

BACK_REFERENCE_LIMIT = 20
"""Rows per back-reference on a details page."""


class Choice(tuple):
    """(key, label) of a related row, as the AJAX field shows it."""


def _target_column(relation):
    return relation.target.table.c[relation.remote[0]]


def _label_expression(target):
    label = target.label_column()
    return target.table.c[label] if label else None


def labels(relation, values) -> dict:
    """key value -> label of the related rows the user may view (one query)."""
    values = {v for v in values if v is not None}
    if not values or not panel_rules.allowed(current_user, relation.target, "view"):
        return {}
    label = _label_expression(relation.target)
    if label is None:
        return {}
    remote = [relation.target.table.c[c] for c in relation.remote]
    key = remote[0] if len(remote) == 1 else tuple_(*remote)
    statement = select(*remote, label).where(
        key.in_(sorted(values, key=str)), panel_rules.scope_clause(current_user, relation.target, "view")
    )
    session = relation.target.source.session
    try:
        rows = session.execute(statement).all()
    except SQLAlchemyError:
        session.rollback()
        return {}
    if len(remote) == 1:
        return {row[0]: row[-1] for row in rows}
    return {tuple(row[:-1]): row[-1] for row in rows}


def row_key(relation, model):
    """The row's foreign-key value (a tuple for a composite key), or None when a part is empty."""
    parts = [getattr(model, relation.table.attr(c)) for c in relation.columns]
    if any(p is None for p in parts):
        return None
    return parts[0] if len(parts) == 1 else tuple(parts)


def prefetch(view, rows) -> None:
    """Labels of every relation for ``rows`` (a page or an export batch), one query per relation."""
    if not has_request_context():
        return
    cache = g.setdefault("panel_labels", {})
    for relation in view.panel_table.relations:
        keys = {row_key(relation, r) for r in rows}
        cache.setdefault(id(relation), {}).update(labels(relation, keys))


def _label_for(relation, model):
    value = row_key(relation, model)
    if value is None:
        return None, None
    cache = g.setdefault("panel_labels", {}).setdefault(id(relation), {})
    if value not in cache:
        cache.update(labels(relation, [value]))
    return value, cache.get(value)


def details_url(target, value) -> str | None:
    if not panel_rules.allowed(current_user, target, "view"):
        return None
    from flask_admin.tools import iterencode

    key = iterencode(value) if isinstance(value, tuple) else value
    return url_for(f"panel_{target.key}.details_view", id=key)


def formatter(relation, linked: bool = True):
    """A column formatter: the related row's label (linked to its page), the raw value when it has none."""

    def format_cell(view, context, model, name):
        value, label = _label_for(relation, model)
        if value is None:
            return ""
        shown = f"{label}" if label not in (None, "") else str(value)
        if not linked:
            return shown
        url = details_url(relation.target, value) if label is not None else None
        if url is None:
            return shown
        return Markup('<a href="{}" data-panel-ref="{}">{}</a>').format(url, relation.target.key, escape(shown))

    return format_cell


def back_references(table, model) -> list[tuple]:
    """[(relation, total, [(key, label, url)])] of the rows of other tables pointing at ``model``."""
    found = []
    for relation in table.back_references:
        source = relation.table
        if not panel_rules.allowed(current_user, source, "view"):
            continue
        values = [getattr(model, table.attr(c)) for c in relation.remote]
        columns = [source.table.c[c] for c in relation.columns]
        condition = [c == v for c, v in zip(columns, values, strict=True)]
        keys = source.key_columns
        label = _label_expression(source)
        statement = select(*keys, *([label] if label is not None else [])).where(
            *condition, panel_rules.scope_clause(current_user, source, "view")
        )
        session = source.source.session
        try:
            rows = session.execute(statement.order_by(*keys).limit(BACK_REFERENCE_LIMIT + 1)).all()
        except SQLAlchemyError:
            session.rollback()
            continue
        items = []
        for row in rows[:BACK_REFERENCE_LIMIT]:
            key = tuple(row[: len(keys)])
            key = key[0] if len(key) == 1 else key
            shown = row[-1] if label is not None and row[-1] not in (None, "") else key
            url = details_url(source, key) if source.has_primary_key else None
            items.append((key, shown, url))
        found.append((relation, len(rows) > BACK_REFERENCE_LIMIT, items))
    return found


class RelationLoader(AjaxModelLoader):
    """The lookup behind a foreign-key field: related rows whose label (or key) contains the typed text."""

    def __init__(self, name: str, relation):
        super().__init__(name, {"minimum_input_length": 0, "placeholder": _l("Type to search")})
        self.relation = relation

    def format(self, item):
        if item is None:
            return None
        if isinstance(item, Choice):
            return (item[0], str(item[1]))
        found = labels(self.relation, [item]).get(item)
        return (item, str(found if found is not None else item))

    def get_one(self, pk):
        column = _target_column(self.relation)
        value = pk_value(column, pk)
        if value is None:
            return None
        found = labels(self.relation, [value])
        if value in found:
            return value
        target = self.relation.target
        statement = select(column).where(column == value)
        if panel_rules.allowed(current_user, target, "view"):
            statement = statement.where(panel_rules.scope_clause(current_user, target, "view"))
        # else: the user cannot open the related table; the value only has to exist (as the database checks)
        exists = target.source.session.execute(statement).first()
        return value if exists else None

    def get_list(self, term, offset=0, limit=10):
        refuse_control_term(term)
        target = self.relation.target
        if not panel_rules.allowed(current_user, target, "view"):
            return []
        column = _target_column(self.relation)
        label = _label_expression(target)
        shown = label if label is not None else column
        statement = select(column, shown).where(panel_rules.scope_clause(current_user, target, "view"))
        if term:
            pattern = f"%{like_literal(term)}%"
            statement = statement.where(
                or_(
                    cast(shown, String).ilike(pattern, escape=LIKE_ESCAPE),
                    cast(column, String).ilike(pattern, escape=LIKE_ESCAPE),
                )
            )
        offset, limit = lookup_window(offset, limit)
        rows = target.source.session.execute(statement.order_by(shown, column).offset(offset).limit(limit)).all()
        return [Choice((row[0], row[1] if row[1] is not None else row[0])) for row in rows]


class RelationField(AjaxSelectField):
    """An AJAX lookup whose data is the foreign key's value itself (what the column stores)."""

    def pre_validate(self, form):
        if self._formdata not in (None, "") and self.data is None:
            raise FieldError(str(_l("No such row in %(table)s.", table=str(self.loader.relation.target.label()))))
        if not self.allow_blank and self.data is None:
            raise FieldError(str(_l("This field is required.")))

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] in ("", "__None"):
            self._data, self._formdata = None, None
            return
        super().process_formdata(valuelist)


# ---- sorting and filtering a list by the related row's label ----------------


def _target_alias(relation):
    """The related table under an alias (a self-reference compares a row with another of its table)."""
    alias = relation.target.table.alias()
    scope = ClauseAdapter(alias).traverse(panel_rules.scope_clause(current_user, relation.target, "view"))
    return alias, scope


def label_order(relation):
    """The related row's label as a correlated subquery, for ORDER BY (NULL for rows the user may not view)."""
    name = relation.target.label_column()
    if name is None:
        return None
    alias, scope = _target_alias(relation)
    local = relation.table.table
    match = [alias.c[r] == local.c[c] for c, r in zip(relation.columns, relation.remote, strict=True)]
    return select(alias.c[name]).where(*match, scope).limit(1).scalar_subquery()


class LabelFilter(BaseSQLAFilter):
    """Rows whose related row's label contains (or equals) the typed text, among related rows the user may view."""

    def __init__(self, relation, name, exact: bool = False):
        column = relation.table.model.__mapper__.columns[relation.table.attr(relation.columns[0])]
        super().__init__(column, name)
        self.relation, self.exact = relation, exact

    def apply(self, query, value, alias=None):
        target = self.relation.target
        label = target.table.c[target.label_column()]
        if self.exact:
            condition = func.lower(label) == str(value).strip().lower()
        else:
            condition = label.ilike(f"%{like_literal(str(value).strip())}%", escape=LIKE_ESCAPE)
        remote = [target.table.c[r] for r in self.relation.remote]
        local = [self.relation.table.table.c[c] for c in self.relation.columns]
        matching = select(*remote).where(condition, panel_rules.scope_clause(current_user, target, "view"))
        if len(local) == 1:
            return query.filter(local[0].in_(matching))
        return query.filter(tuple_(*local).in_(matching))

    def operation(self):
        return _l("equals") if self.exact else _l("contains")


def label_filters(view) -> list:
    """Two filters per shown relation whose target has a label: "<column> (<label column>)" contains / equals."""
    found = []
    for name, relation in view.relation_of.items():
        label = relation.target.label_column()
        if label is None or name not in view.column_list:
            continue
        title = f"{view.panel_table.column_label(relation.columns[0])} ({relation.target.column_label(label)})"
        found += [LabelFilter(relation, title), LabelFilter(relation, title, exact=True)]
    return found
