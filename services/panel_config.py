"""Reading the panel configuration (TOML): data sources, exposed tables, built-in view overrides.

Static checks only (keys, roles, actions, types); whether tables and columns exist is
checked against the database in ``services.panel``. Every problem names the file, the
entry and the reason; a bad entry is skipped, the rest of the file still applies.
"""

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from services.access import CRUD as ACTIONS
from services.access import ROLES

WRITE_ACTIONS = ("create", "edit", "delete")
USER_ATTRIBUTES = ("user.email", "user.team_id", "user.id")
STAFF_MAP = "staff_map"
"""``scope.equals`` of a scope given by ``staff_map``: external staff id -> CSKH user email."""
LINK_MATCHES = ("phone", "email")
BUILTIN_ATTRIBUTES = (
    "column_list",
    "column_details_list",
    "column_export_list",
    "column_filters",
    "column_searchable_list",
    "column_sortable_list",
    "column_labels",
)
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_TABLE_KEYS = {
    "source",
    "table",
    "schema",
    "label_vi",
    "label_en",
    "category_vi",
    "category_en",
    "category",
    "column_list",
    "searchable",
    "filterable",
    "editable",
    "default_sort",
    "read_only",
    "permissions",
    "scope",
    "unscoped_roles",
    "customer_link",
    "column_labels",
    "label_column",
    "editable_by_role",
    "types",
}


@dataclass(frozen=True)
class Problem:
    """One configuration error: where it is and why it is wrong."""

    file: str
    entry: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: [{self.entry}] {self.reason}"


@dataclass
class SourceConfig:
    key: str
    url: str | None
    described_as: str
    """``$SHOP_DATABASE_URL`` or the literal URL without its password: what the status page shows."""
    timezone: str = "local"
    """The zone of the source's naive times: "local" (the app's TIMEZONE) or a zone name such as "UTC"."""


@dataclass
class TableConfig:
    key: str
    source: str
    table: str
    schema: str | None = None
    label_vi: str = ""
    label_en: str = ""
    category_vi: str | None = None
    category_en: str | None = None
    column_list: list[str] | None = None
    searchable: list[str] = field(default_factory=list)
    filterable: list[str] = field(default_factory=list)
    editable: list[str] = field(default_factory=list)
    default_sort: tuple[str, bool] | None = None
    read_only: bool = False
    permissions: dict[str, set[str]] = field(default_factory=dict)
    scope: tuple[str, str] | None = None
    """(column, "user.email" | "user.team_id" | "user.id")."""
    unscoped_roles: set[str] = field(default_factory=set)
    customer_link: tuple[str, str] | None = None
    """(column, "phone" | "email")."""
    column_labels: dict[str, str] = field(default_factory=dict)
    label_column: str | None = None
    """The column that names a row where another table points to it (a foreign key shows it)."""
    staff_map: dict[str, list[str]] = field(default_factory=dict)
    """CSKH user email (lower case) -> the external values of the scope column that are theirs."""
    editable_by_role: dict[str, list[str]] = field(default_factory=dict)
    """role -> the only editable columns that role may change (others keep ``editable``)."""
    scope_values: list | None = None
    """``scope = {column = ..., in = [...]}``: the fixed values a scoped role may see."""
    types: dict[str, str] = field(default_factory=dict)
    """column -> type as the database wrote it when the file was made (``flask panel inspect``): what
    ``flask panel check`` compares the live schema with (new, gone and retyped columns)."""

    def columns_named(self) -> list[tuple[str, str]]:
        """(entry, column) for every column the entry names, to check against the database."""
        named = [(f"tables.{self.key}.column_list", c) for c in self.column_list or []]
        for attr in ("searchable", "filterable", "editable"):
            named += [(f"tables.{self.key}.{attr}", c) for c in getattr(self, attr)]
        named += [(f"tables.{self.key}.column_labels", c) for c in self.column_labels]
        if self.default_sort:
            named.append((f"tables.{self.key}.default_sort", self.default_sort[0]))
        if self.scope:
            named.append((f"tables.{self.key}.scope", self.scope[0]))
        for role, names in self.editable_by_role.items():
            named += [(f"tables.{self.key}.editable_by_role.{role}", c) for c in names]
        if self.label_column:
            named.append((f"tables.{self.key}.label_column", self.label_column))
        if self.customer_link:
            named.append((f"tables.{self.key}.customer_link", self.customer_link[0]))
        return named


@dataclass
class PanelConfig:
    path: str
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    tables: dict[str, TableConfig] = field(default_factory=dict)
    builtin: dict[str, dict] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class _Entry:
    """Collects problems for one entry; ``ok`` is False once one was found."""

    def __init__(self, config: PanelConfig, entry: str):
        self.config, self.entry, self.ok = config, entry, True

    def problem(self, reason: str, entry: str | None = None) -> None:
        self.config.problems.append(Problem(self.config.path, entry or self.entry, reason))
        self.ok = False

    def names(self, data: dict, key: str, allowed=None) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problem("must be a list of names", f"{self.entry}.{key}")
            return []
        if allowed is not None:
            for v in value:
                if v not in allowed:
                    self.problem(f"unknown value {v!r}; choose from {', '.join(allowed)}", f"{self.entry}.{key}")
        return value


def load(path: str | os.PathLike | None, required: bool = False) -> PanelConfig:
    """The configuration at ``path``; a missing file means no extra panels, or a problem when ``required``."""
    config = PanelConfig(path=str(path or ""))
    if not path or not Path(path).is_file():
        if path and required:
            config.problems.append(Problem(str(path), "(file)", "no such file (PANEL_CONFIG points to it)"))
        return config
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        config.problems.append(Problem(str(path), "(file)", f"cannot be read: {exc}"))
        return config
    return parse(data, str(path), config)


def parse(data: dict, path: str = "<panel>", config: PanelConfig | None = None) -> PanelConfig:
    config = config or PanelConfig(path=path)
    for key in sorted(set(data) - {"sources", "tables", "builtin"}):
        config.problems.append(Problem(path, key, "unknown section; use [sources.*], [tables.*] or [builtin.*]"))
    for key, raw in _section(config, data, "sources").items():
        source = _source(config, key, raw)
        if source is not None:
            config.sources[key] = source
    for key, raw in _section(config, data, "tables").items():
        table = _table(config, key, raw)
        if table is not None:
            config.tables[key] = table
    for key, raw in _section(config, data, "builtin").items():
        entry = _Entry(config, f"builtin.{key}")
        if not isinstance(raw, dict):
            entry.problem("must be a table of view attributes")
            continue
        for attr in sorted(set(raw) - set(BUILTIN_ATTRIBUTES)):
            entry.problem(f"unknown attribute; choose from {', '.join(BUILTIN_ATTRIBUTES)}", f"builtin.{key}.{attr}")
        attrs = {k: v for k, v in raw.items() if k in BUILTIN_ATTRIBUTES}
        for attr, value in attrs.items():
            if attr != "column_labels":
                entry.names(attrs, attr)
            elif not isinstance(value, dict):
                entry.problem("must map a column to a label or to {vi = ..., en = ...}", f"builtin.{key}.{attr}")
        if entry.ok:
            config.builtin[key] = attrs
    return config


def _section(config: PanelConfig, data: dict, name: str) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        config.problems.append(Problem(config.path, name, "must be a TOML table"))
        return {}
    return value


def _source(config: PanelConfig, key: str, raw) -> SourceConfig | None:
    entry = _Entry(config, f"sources.{key}")
    if not isinstance(raw, dict) or not _KEY.match(key):
        entry.problem('a source needs a lower-case name and `url_env = "NAME"` or `url = "..."`')
        return None
    for unknown in sorted(set(raw) - {"url", "url_env", "timezone"}):
        entry.problem("unknown setting; use url_env, url or timezone", f"sources.{key}.{unknown}")
    zone = raw.get("timezone", "local")
    if not _zone_ok(zone):
        entry.problem('must be "local" or a time zone name such as "UTC"', f"sources.{key}.timezone")
    if not entry.ok:
        return None
    source = _source_url(entry, key, raw)
    if source is not None:
        source.timezone = zone
    return source


def _zone_ok(zone) -> bool:
    if zone == "local":
        return True
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(zone)
    except (ValueError, TypeError, KeyError, OSError):
        return False
    return True


def _source_url(entry: "_Entry", key: str, raw: dict) -> SourceConfig | None:
    if "url_env" in raw:
        name = raw["url_env"]
        url = os.environ.get(name) if isinstance(name, str) else None
        if not url:
            entry.problem(f"environment variable {name!r} is not set", f"sources.{key}.url_env")
            return None
        return SourceConfig(key, url, f"${name}")
    if isinstance(raw.get("url"), str) and raw["url"]:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            shown = make_url(raw["url"]).render_as_string(hide_password=True)
        except ArgumentError as exc:
            entry.problem(f"not a database URL: {exc}", f"sources.{key}.url")
            return None
        return SourceConfig(key, raw["url"], shown)
    entry.problem("needs `url_env` (an environment variable holding the URL) or `url`")
    return None


def _table(config: PanelConfig, key: str, raw) -> TableConfig | None:
    entry = _Entry(config, f"tables.{key}")
    if not isinstance(raw, dict):
        entry.problem("must be a TOML table")
        return None
    if not _KEY.match(key):
        entry.problem("the name must be lower-case letters, digits and _ (it becomes the page's URL)")
    for unknown in sorted(set(raw) - _TABLE_KEYS):
        entry.problem("unknown setting", f"tables.{key}.{unknown}")
    source = raw.get("source")
    if source not in config.sources:
        entry.problem(f"unknown or unusable source {source!r}", f"tables.{key}.source")
    table = TableConfig(key=key, source=source or "", table=str(raw.get("table") or key))
    table.schema = raw.get("schema")
    table.label_vi = str(raw.get("label_vi") or raw.get("label_en") or key)
    table.label_en = str(raw.get("label_en") or raw.get("label_vi") or key)
    category = raw.get("category")
    table.category_vi = raw.get("category_vi") or category or raw.get("category_en")
    table.category_en = raw.get("category_en") or category or raw.get("category_vi")
    if "column_list" in raw:
        table.column_list = entry.names(raw, "column_list")
    table.searchable = entry.names(raw, "searchable")
    table.filterable = entry.names(raw, "filterable")
    table.editable = entry.names(raw, "editable")
    table.read_only = raw.get("read_only", False)
    if not isinstance(table.read_only, bool):
        entry.problem("must be true or false (without quotes)", f"tables.{key}.read_only")
    label = raw.get("label_column")
    if label is not None and not (isinstance(label, str) and label):
        entry.problem("must be a column name", f"tables.{key}.label_column")
    table.label_column = label or None
    by_role = raw.get("editable_by_role", {})
    if not isinstance(by_role, dict):
        entry.problem("must map a role to a list of columns", f"tables.{key}.editable_by_role")
        by_role = {}
    for role in by_role:
        if role not in ROLES:
            entry.problem(f"unknown role {role!r}; choose from {', '.join(ROLES)}", f"tables.{key}.editable_by_role")
            continue
        columns = entry.names(by_role, role)
        outside = [c for c in columns if c not in table.editable]
        if outside:
            entry.problem(f"not in editable: {', '.join(outside)}", f"tables.{key}.editable_by_role.{role}")
        table.editable_by_role[role] = columns
    table.unscoped_roles = set(entry.names(raw, "unscoped_roles", ROLES))
    sort = raw.get("default_sort")
    if sort is not None:
        if isinstance(sort, str) and sort.lstrip("-"):
            table.default_sort = (sort.lstrip("-"), sort.startswith("-"))
        else:
            entry.problem('must be a column name, "-name" for descending', f"tables.{key}.default_sort")
    permissions = raw.get("permissions", {})
    if not isinstance(permissions, dict):
        entry.problem("must map a role to a list of actions", f"tables.{key}.permissions")
        permissions = {}
    for role, actions in permissions.items():
        where = f"tables.{key}.permissions.{role}"
        if role not in ROLES:
            entry.problem(f"unknown role {role!r}; choose from {', '.join(ROLES)}", where)
            continue
        sub = _Entry(config, f"tables.{key}.permissions")
        table.permissions[role] = set(sub.names({role: actions}, role, ACTIONS))
        entry.ok = entry.ok and sub.ok
    labels = raw.get("column_labels", {})
    if isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values()):
        table.column_labels = dict(labels)
    else:
        entry.problem("must map a column to a label", f"tables.{key}.column_labels")
    types = raw.get("types", {})
    if isinstance(types, dict) and all(isinstance(v, str) and v for v in types.values()):
        table.types = dict(types)
    else:
        entry.problem('must map a column to its type: { id = "INTEGER", name = "VARCHAR(50)" }', f"tables.{key}.types")
    scope = raw.get("scope")
    if scope is not None:
        _scope(entry, table, scope)
    link = raw.get("customer_link")
    if link is not None:
        if isinstance(link, dict) and isinstance(link.get("column"), str) and link.get("match") in LINK_MATCHES:
            table.customer_link = (link["column"], link["match"])
        else:
            entry.problem('must be {column = "...", match = "phone" | "email"}', f"tables.{key}.customer_link")
    return table if entry.ok else None


def _scope(entry: _Entry, table: TableConfig, scope) -> None:
    """``{column, equals = "user.email"}``, ``{column, in = [...]}`` or ``{column, staff_map = {value = "email"}}``."""
    where = f"tables.{table.key}.scope"
    ways = {"equals", "in", STAFF_MAP} & set(scope) if isinstance(scope, dict) else set()
    if not isinstance(scope, dict) or not isinstance(scope.get("column"), str) or len(ways) != 1:
        entry.problem(
            f'must be {{column = "...", equals = one of {", ".join(USER_ATTRIBUTES)}}}, {{column = "...", in = [...]}}'
            ' or {column = "...", staff_map = { "<external id>" = "<CSKH user email>", ... }}',
            where,
        )
        return
    for unknown in sorted(set(scope) - {"column", "equals", "in", STAFF_MAP}):
        entry.problem("unknown key; use column with equals, in or staff_map", f"{where}.{unknown}")
    column = scope["column"]
    if "equals" in scope:
        if scope["equals"] not in USER_ATTRIBUTES:
            entry.problem(f"equals must be one of {', '.join(USER_ATTRIBUTES)}", where)
        table.scope = (column, scope["equals"])
    elif "in" in scope:
        values = scope["in"]
        if not isinstance(values, list) or not values or not all(isinstance(v, str | int) for v in values):
            entry.problem("in must be a list of values", where)
        table.scope, table.scope_values = (column, "in"), values
    else:
        mapping = scope[STAFF_MAP]
        if (
            not isinstance(mapping, dict)
            or not mapping
            or not all(isinstance(v, str) and "@" in v for v in mapping.values())
        ):
            entry.problem('staff_map must map an external value to a CSKH user email: { "3" = "an@cskh.vn" }', where)
            return
        table.scope = (column, STAFF_MAP)
        for external, email in mapping.items():
            table.staff_map.setdefault(email.strip().lower(), []).append(external)
