"""Low-code panels over existing databases: reflect the configured tables, map them, and say who sees which rows.

``services.panel_config`` reads the TOML file; here each source gets an engine and a
session of its own, each table is reflected (``Table(..., autoload_with=engine)``) and
mapped imperatively, with no model code. Permissions come from the file, not from
``services.access.MATRIX``: ``allowed`` (role × action), ``scope_clause`` / ``row_allowed``
(the row rule). An unreachable source or a bad entry becomes a ``Problem`` (logged, shown on
the data-sources page) and never stops the rest of the product.
"""

import keyword
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, has_app_context
from markupsafe import escape
from sqlalchemy import (
    ARRAY,
    JSON,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    create_engine,
    event,
    false,
    func,
    inspect,
    select,
    true,
)
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError
from sqlalchemy.orm import registry, scoped_session, sessionmaker

from services import access, phones
from services.panel_config import STAFF_MAP, WRITE_ACTIONS, PanelConfig, Problem, SourceConfig, TableConfig, load
from services.text import fold
from services.view_policy import ViewPolicy

log = logging.getLogger("cskh.panel")
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "panel.toml"
"""Where the file is looked for when PANEL_CONFIG is not set: its absence means "no panels", silently."""
LINK_LIMIT = 20
"""Rows per table shown on a customer's 360 page."""
_RESERVED = {"metadata", "registry", "query", "query_class", "search_text"}
"""Names a mapped class uses itself (and the base view's folded-search column); such columns get a ``c_`` key."""


class LocalizedText:
    """A label in Vietnamese and English, rendered in the request's language."""

    def __init__(self, vi: str, en: str):
        self.vi, self.en = vi, en

    def __str__(self) -> str:
        return self.en if _language() == "en" else self.vi

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __eq__(self, other) -> bool:
        return isinstance(other, LocalizedText) and (self.vi, self.en) == (other.vi, other.en)

    def __hash__(self) -> int:
        return hash((self.vi, self.en))

    def __repr__(self) -> str:
        return f"LocalizedText({self.vi!r}, {self.en!r})"


def _language() -> str:
    try:
        from flask_babel import get_locale

        locale = get_locale()
    except (RuntimeError, KeyError, AttributeError):
        return "vi"
    return locale.language if locale is not None else "vi"


@dataclass
class Source:
    config: SourceConfig
    engine: object = None
    session: scoped_session | None = None
    error: str | None = None
    tables: list[str] = field(default_factory=list)
    metadata: MetaData = field(default_factory=MetaData)
    """One per source, so a table's foreign keys find the tables they point to."""
    state: object = None
    """The last live check (``services.panel_drift.SourceState``), reused for a minute."""

    @property
    def key(self) -> str:
        return self.config.key


@dataclass
class PanelTable:
    """A configured table or view, reflected and mapped to ``model``."""

    config: TableConfig
    source: Source
    table: Table
    model: type
    keys: dict[str, str]
    """Column name in the database -> attribute name on ``model`` (safe for forms and URLs)."""
    has_primary_key: bool
    is_view: bool
    relations: list["Relation"] = field(default_factory=list, repr=False)
    """This table's foreign keys to other configured tables of the same source."""
    back_references: list["Relation"] = field(default_factory=list, repr=False)
    """Foreign keys of other configured tables that point here (an album's tracks)."""

    @property
    def key(self) -> str:
        return self.config.key

    @property
    def read_only_reason(self) -> str | None:
        """ "view", "no_pk", "config" or None when rows may be changed."""
        if self.is_view:
            return "view"
        if not self.has_primary_key:
            return "no_pk"
        return "config" if self.config.read_only else None

    def label(self) -> LocalizedText:
        return LocalizedText(self.config.label_vi, self.config.label_en)

    def category(self) -> LocalizedText | None:
        if not self.config.category_vi:
            return None
        return LocalizedText(self.config.category_vi, self.config.category_en or self.config.category_vi)

    def attr(self, column: str) -> str:
        return self.keys[column]

    def list_columns(self) -> list[str]:
        return self.config.column_list or [c.name for c in self.table.columns]

    def column_label(self, column: str) -> str:
        return self.config.column_labels.get(column, column)

    @property
    def key_columns(self) -> list:
        """The mapped key: the primary key, or every plain column of a key-less table or view."""
        return list(self.model.__mapper__.primary_key)

    def label_column(self) -> str | None:
        """The column naming a row: the configured ``label_column`` or the first name/title-like text column."""
        if self.config.label_column:
            return self.config.label_column
        from services.panel_inspect import label_column

        pk = [c.name for c in self.table.primary_key.columns]
        return label_column([{"name": c.name, "type": c.type} for c in self.table.columns], pk)

    def generated(self, column) -> bool:
        """Whether the database fills ``column`` itself (auto-increment/serial/identity key, computed column)."""
        if column.computed is not None or column.identity is not None:
            return True
        pk = list(self.table.primary_key.columns)
        return (
            len(pk) == 1
            and column is pk[0]
            and isinstance(column.type, Integer)
            and column.autoincrement in (True, "auto")
        )


@dataclass
class Relation:
    """A foreign key between two configured tables: ``table.columns`` -> ``target.remote``."""

    table: "PanelTable"
    columns: list[str]
    target: "PanelTable"
    remote: list[str]
    name: str | None = None


@dataclass
class Panel:
    config: PanelConfig
    sources: dict[str, Source] = field(default_factory=dict)
    tables: dict[str, PanelTable] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        return self.config.problems

    def remove_sessions(self, *_exc) -> None:
        for source in self.sources.values():
            if source.session is not None:
                source.session.remove()

    def dispose(self) -> None:
        self.remove_sessions()
        for source in self.sources.values():
            if source.engine is not None:
                source.engine.dispose()


# ---- start-up ----------------------------------------------------------------


def init_panel(app) -> Panel:
    """Load ``app.config["PANEL_CONFIG"]``, connect and reflect; log every problem."""
    panel = load_panel(app)
    app.extensions["cskh_panel"] = panel
    app.teardown_appcontext(_remove_sessions)
    return panel


def load_panel(app) -> Panel:
    """A new ``Panel`` from the file and the databases as they are now (start-up and **Tải lại**)."""
    path = app.config.get("PANEL_CONFIG")
    panel = build(load(path, required=bool(path) and Path(path).resolve() != DEFAULT_CONFIG.resolve()))
    for problem in panel.problems:
        log.error("panel configuration: %s", problem)
    return panel


def _remove_sessions(_exc=None) -> None:
    """The sessions of the panel in use now (a reload replaces it)."""
    panel = current_app.extensions.get("cskh_panel")
    if panel is not None:
        panel.remove_sessions()


def current_panel() -> Panel:
    panel = current_app.extensions.get("cskh_panel") if has_app_context() else None
    return panel or Panel(PanelConfig(path=""))


def build(config: PanelConfig) -> Panel:
    panel = Panel(config)
    for key, source_config in config.sources.items():
        panel.sources[key] = _connect(config, source_config)
    for key, table_config in config.tables.items():
        source = panel.sources.get(table_config.source)
        if source is None or source.engine is None:
            continue
        table = _reflect(config, source, table_config)
        if table is not None:
            panel.tables[key] = table
            source.tables.append(key)
    _link(panel)
    return panel


def _link(panel: Panel) -> None:
    """Turn reflected foreign keys between configured tables (same source) into ``Relation``s."""
    by_table = {}
    for table in panel.tables.values():
        by_table.setdefault((table.source.key, table.table.schema, table.table.name), table)
    for table in panel.tables.values():
        for fk in table.table.foreign_key_constraints:
            target = by_table.get((table.source.key, fk.referred_table.schema, fk.referred_table.name))
            if target is None or not target.has_primary_key:
                continue
            columns = [c.name for c in fk.columns]
            remote = [e.column.name for e in fk.elements]
            if sorted(remote) != sorted(c.name for c in target.table.primary_key.columns):
                continue
            relation = Relation(table, columns, target, remote, fk.name)
            table.relations.append(relation)
            target.back_references.append(relation)


def _engine_options(url: str) -> dict:
    options: dict = {"pool_pre_ping": True}
    if url.startswith(("postgresql", "mysql", "mariadb")):
        options["connect_args"] = {"connect_timeout": 5}
    return options


def _connect(config: PanelConfig, source_config: SourceConfig) -> Source:
    source = Source(source_config)
    engine = None
    try:
        engine = create_engine(source_config.url, **_engine_options(source_config.url))
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_foreign_keys)
        with engine.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - a driver missing, a refused connection, a bad file: all "unreachable"
        source.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        config.problems.append(Problem(config.path, f"sources.{source.key}", f"database unreachable: {source.error}"))
        if engine is not None:
            engine.dispose()
        return source
    source.engine = engine
    source.session = scoped_session(sessionmaker(bind=engine))
    return source


def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite checks foreign keys only when asked, per connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _reflect(config: PanelConfig, source: Source, table_config: TableConfig) -> PanelTable | None:
    entry = f"tables.{table_config.key}"
    name, schema = table_config.table, table_config.schema
    try:
        table = Table(name, source.metadata, autoload_with=source.engine, schema=schema, extend_existing=True)
        views = set(inspect(source.engine).get_view_names(schema=schema))
    except NoSuchTableError:
        config.problems.append(Problem(config.path, f"{entry}.table", f"no table or view {name!r} in {source.key!r}"))
        return None
    except SQLAlchemyError as exc:
        config.problems.append(Problem(config.path, entry, f"cannot read {name!r}: {str(exc).splitlines()[0]}"))
        return None
    bad = False
    for where, column in table_config.columns_named():
        if column not in table.c:
            known = ", ".join(c.name for c in table.columns)
            config.problems.append(Problem(config.path, where, f"unknown column {column!r} in {name!r} ({known})"))
            bad = True
    reason = scope_type_problem(table_config, table)
    if reason:
        config.problems.append(Problem(config.path, f"{entry}.scope", reason))
        bad = True
    if bad:
        return None
    keys = attribute_keys([c.name for c in table.columns])
    is_view = name in views
    if not is_view and _has_insert_rule(source.engine, name, schema):
        table.implicit_returning = False  # PostgreSQL refuses INSERT ... RETURNING on a table with such a rule
    primary_key = list(table.primary_key.columns)
    has_pk = bool(primary_key) and not is_view
    if not has_pk:
        primary_key = [c for c in table.columns if not isinstance(c.type, JSON | ARRAY | LargeBinary)]
    model = type(f"Panel_{table_config.key}", (), {"__doc__": f"{source.key}.{name} (reflected)"})
    registry().map_imperatively(
        model, table, properties={keys[c.name]: c for c in table.columns}, primary_key=primary_key
    )
    return PanelTable(table_config, source, table, model, keys, has_pk, is_view)


def _has_insert_rule(engine, name: str, schema: str | None) -> bool:
    """Whether a PostgreSQL rule rewrites inserts into ``name`` (the row may land in another table)."""
    if engine.dialect.name != "postgresql":
        return False
    from sqlalchemy import text

    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT 1 FROM pg_rules WHERE tablename = :name AND schemaname = COALESCE(:schema, current_schema())"
                " AND definition ILIKE '%ON INSERT%'"
            ),
            {"name": name, "schema": schema},
        ).first()
    return found is not None


def scope_type_problem(table_config: TableConfig, table: Table) -> str | None:
    """Why the scope cannot compare the user with its column (``user.email`` against an integer...), or None."""
    if table_config.scope is None:
        return None
    name, equals = table_config.scope
    column = table.c[name]
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return None
    if equals == "user.email" and python_type is not str:
        return f"compares user.email (text) with {name!r}, a {python_type.__name__} column"
    if equals in ("user.id", "user.team_id") and python_type not in (int, str):
        return f"compares {equals} (a number) with {name!r}, a {python_type.__name__} column"
    values = table_config.scope_values if equals == "in" else []
    if equals == STAFF_MAP:
        values = [v for found in table_config.staff_map.values() for v in found]
    for value in values or []:
        try:
            python_type(value)
        except (TypeError, ValueError, ArithmeticError):
            return f"{value!r} cannot be a value of {name!r} ({python_type.__name__})"
    return None


def attribute_keys(names: list[str]) -> dict[str, str]:
    """A Python/HTML-safe attribute name per column: "Tên khách" -> "ten_khach", "from" -> "c_from"."""
    keys, taken = {}, set()
    for name in names:
        key = name
        if not (name.isascii() and name.isidentifier()) or name.startswith("_") or name in _RESERVED:
            key = re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_") or "column"
        if keyword.iskeyword(key) or key[0].isdigit() or key in _RESERVED:
            key = f"c_{key}"
        base, n = key, 2
        while key in taken:
            key, n = f"{base}_{n}", n + 1
        taken.add(key)
        keys[name] = key
    return keys


# ---- who may do what to which rows -------------------------------------------


def actions_for(table: PanelTable, role: str | None) -> set[str]:
    actions = set(table.config.permissions.get(role, set())) if role else set()
    if table.read_only_reason is not None:
        actions -= set(WRITE_ACTIONS)
    return actions


def allowed(user, table: PanelTable, action: str) -> bool:
    return action in actions_for(table, access.role_of(user))


def _scoped(user, table: PanelTable) -> bool:
    return table.config.scope is not None and access.role_of(user) not in table.config.unscoped_roles


def _typed(table: PanelTable, column: str, value):
    try:
        return table.table.c[column].type.python_type(value)
    except (TypeError, ValueError, NotImplementedError, ArithmeticError):
        return value


def _user_values(user, table: PanelTable) -> list:
    """The scope column's values that are ``user``'s rows (empty: none)."""
    column, equals = table.config.scope
    if equals == STAFF_MAP:
        email = (getattr(user, "email", None) or "").strip().lower()
        return [_typed(table, column, v) for v in table.config.staff_map.get(email, [])]
    if equals == "in":
        return [_typed(table, column, v) for v in table.config.scope_values or []]
    value = getattr(user, equals.split(".", 1)[1], None)
    return [] if value is None else [_typed(table, column, value)]


def scope_clause(user, table: PanelTable, action: str = "view"):
    """SQL condition selecting the rows of ``table`` that ``user`` may ``action``."""
    if not allowed(user, table, action):
        return false()
    if not _scoped(user, table):
        return true()
    values = _user_values(user, table)
    column = table.table.c[table.config.scope[0]]
    if not values:
        return false()
    return column == values[0] if len(values) == 1 else column.in_(values)


def row_allowed(user, table: PanelTable, action: str, obj) -> bool:
    """The same rule on a loaded (or just edited) row, so a form cannot move a row out of scope."""
    if not allowed(user, table, action):
        return False
    if not _scoped(user, table):
        return True
    values = {str(v) for v in _user_values(user, table)}
    current = getattr(obj, table.attr(table.config.scope[0]), None)
    return current is not None and str(current) in values


class PanelPolicy(ViewPolicy):
    """A panel table's permissions from its configuration: the role's actions, and the scope column
    (``scope``/``staff_map``/``in``) for the roles it applies to. ``PanelModelView``'s one door."""

    def __init__(self, table: PanelTable):
        self.table = table

    def allowed(self, user, action: str) -> bool:
        return allowed(user, self.table, action)

    def clause(self, user, action: str):
        return scope_clause(user, self.table, action)

    def permits(self, user, action: str, obj) -> bool:
        return row_allowed(user, self.table, action, obj)

    def unrestricted(self, user, action: str) -> bool:
        return allowed(user, self.table, action) and not _scoped(user, self.table)


# ---- customer 360 ------------------------------------------------------------


def linked_rows(customer, user=None) -> list[tuple[LocalizedText, list[str], list[list]]]:
    """(label, column labels, rows) of every linked table the user may view that has rows of ``customer``."""
    from flask_login import current_user

    user = user if user is not None else current_user
    found = []
    for table in current_panel().tables.values():
        if table.config.customer_link is None or not allowed(user, table, "view"):
            continue
        condition = _link_condition(table, customer)
        if condition is None:
            continue
        columns = table.list_columns()
        statement = select(table.model).where(condition, scope_clause(user, table, "view"))
        statement = statement.order_by(*_default_order(table)).limit(LINK_LIMIT)
        try:
            rows = table.source.session.scalars(statement).all()
        except SQLAlchemyError as exc:
            table.source.session.rollback()
            log.error("panel %s: customer link failed: %s", table.key, str(exc).splitlines()[0])
            continue
        if rows:
            labels = [table.column_label(c) for c in columns]
            found.append((table.label(), labels, [[getattr(r, table.attr(c)) for c in columns] for r in rows]))
    return found


def _default_order(table: PanelTable) -> list:
    if table.config.default_sort:
        column = table.table.c[table.config.default_sort[0]]
        return [column.desc() if table.config.default_sort[1] else column.asc()]
    return list(table.table.primary_key.columns)


def _link_condition(table: PanelTable, customer):
    column_name, match = table.config.customer_link
    column = table.table.c[column_name]
    if match == "email":
        email = (getattr(customer, "email", None) or "").strip().lower()
        return func.lower(func.trim(column)) == email if email else None
    numbers = set()
    for raw in (getattr(customer, "phone", None), getattr(customer, "alt_phone", None)):
        national = phones.national_or_none(raw)
        if national:
            numbers |= phones.stored_forms(national)
    if not numbers:
        return None
    stripped = column
    for char in phones.PUNCTUATION:
        stripped = func.replace(stripped, char, "")
    return stripped.in_(sorted(numbers))
