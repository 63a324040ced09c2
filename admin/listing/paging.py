"""Fast list pages: counts and paging that stay near the raw SQL at a million rows.

Part of ``admin.listing.BigListMixin``, which the big lists put before ``SecureModelView``. A list
page costs a fixed number of queries whatever its size: one capped count, one page
of rows with every shown many-to-one relationship joined in, one ``selectinload``
per shown collection, and the base's one query for the rows' edit/delete rights. The
view's own hooks (``get_query``/``get_count_query`` row scope, search, filters and
sorting) still build it.
"""

import time
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from flask import g, has_request_context, request
from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import InstrumentedAttribute
from sqlalchemy.orm.properties import ColumnProperty
from sqlalchemy.orm.relationships import RelationshipProperty

COUNT_CAP = 10_000
"""Counting stops here; the list then says "10 000+"."""
SEARCH_COUNT_CAP = 200
"""A search's count stops sooner ("200+"): past that, the user narrows the search rather than pages,
and counting a common word's matches would cost more than the page itself."""
KEYSET_ARG = "after"
"""URL argument holding the primary key of the previous page's last row."""


class CappedCount(int):
    """A row count that stopped at the cap: an ``int`` for the pager, "10 000+" on the page."""

    def __str__(self) -> str:
        return f"{int(self):,}".replace(",", " ") + "+"

    def __html__(self) -> str:
        return str(self)


CAPPED_FOR_SECONDS = 30
"""How long a count that reached its cap is believed without counting again (per process)."""
_capped_seen: WeakKeyDictionary = WeakKeyDictionary()
"""engine -> {statement key: believed until (monotonic seconds)}."""


def capped_count(count_query, cap: int = COUNT_CAP) -> int:
    """Rows matched by ``count_query`` (a ``count(*)`` query), counting at most ``cap + 1`` of them.

    A count that reached the cap is remembered for ``CAPPED_FOR_SECONDS`` per statement and
    parameters (so per scope, search and filter): the big lists' first pages skip the count, the
    costliest of their statements, and "10 000+" can only be stale by a mass delete of the last
    half minute. Counts under the cap are always exact and fresh.
    """
    limited = count_query.with_entities(literal_column("1"))
    statement = select(func.count()).select_from(limited.limit(cap + 1).subquery())
    key = _statement_key(statement)
    seen = _capped_seen.setdefault(count_query.session.get_bind(), {})
    now = time.monotonic()
    if key is not None and seen.get(key, 0) > now:
        return CappedCount(cap)
    found = count_query.session.execute(statement).scalar_one()
    if found <= cap:
        return found
    if key is not None:
        if len(seen) >= 1_000:
            seen.clear()
        seen[key] = now + CAPPED_FOR_SECONDS
    return CappedCount(cap)


def _statement_key(statement):
    """A hashable key of ``statement`` and its bound values, or None when they are not hashable."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:
        return None
    values = tuple(tuple(v) if isinstance(v, list) else v for v in (b.effective_value for b in cache_key.bindparams))
    key = (cache_key.key, values)
    try:
        hash(key)
    except TypeError:
        return None
    return key


class ListState:
    """What the list template needs beyond Flask-Admin's context, kept per request in ``g``."""

    def __init__(self, capped: bool = False, keyset: bool = False, after=None):
        self.capped, self.keyset, self.after = capped, keyset, after


class FastListMixin:
    """``get_list`` with a capped count, keyset paging on (sort column, id) and eager loading."""

    count_cap: int = COUNT_CAP
    search_count_cap: int = SEARCH_COUNT_CAP

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        joins: dict = {}
        count_joins: dict = {}
        query = self.get_query()
        wants_count = execute and not self.simple_list_pager
        count_query = self.get_count_query() if wants_count else None

        if self._search_supported and search:
            query, count_query, joins, count_joins = self._apply_search(query, count_query, joins, count_joins, search)
        if filters and self._filters:
            query, count_query, joins, count_joins = self._apply_filters(
                query, count_query, joins, count_joins, filters
            )

        if count_query is None or search:
            count = None  # a search is counted below, from its first matches in the list's order
        else:
            count = capped_count(count_query, self.count_cap)

        key = self.keyset_key(sort_column, sort_desc)
        pk = self._primary_key_column()
        query, joins = self._ordered(query, joins, sort_column, sort_desc, key)

        after = _keyset_after(pk) if key is not None and execute else None
        limit = page_size if page_size is not None else self.page_size
        if search and count_query is not None:
            count, page_query = self._search_page(query, sort_column, sort_desc, key, after, page or 0, limit)
        else:
            page_query = None
        state = ListState(capped=isinstance(count, CappedCount), keyset=key is not None, after=after)
        if has_request_context() and execute:
            g.cskh_list_state = state

        if page_query is not None:
            query = page_query
        elif after is not None:
            query = query.filter(keyset_condition(key[0], key[1], pk, after))
            if limit:
                query = query.limit(limit)
        elif execute and limit and page:
            query = self._deferred_page(query, sort_column, sort_desc, key, page * limit, limit)
        else:
            query = self._apply_pagination(query, page, page_size)

        options = self.eager_load_options()
        if options:
            query = query.options(*options)

        if execute:
            query = query.all()
            self.page_rows_loaded(query)
        return count, query

    def sort_expression(self, sort_column):
        """A SQL expression to order by for the list's ``sort_column`` instead of Flask-Admin's, or None."""
        return None

    def _apply_sorting(self, query, joins, sort_column, sort_desc):
        order = self.sort_expression(sort_column) if sort_column is not None else None
        if order is None:
            return super()._apply_sorting(query, joins, sort_column, sort_desc)
        return query.order_by(order.desc() if sort_desc else order.asc()), joins

    def _ordered(self, query, joins, sort_column, sort_desc, key):
        """Flask-Admin's sorting, then the primary key as the tie-breaker (stable pages, keyset)."""
        query, joins = self._apply_sorting(query, joins, sort_column, sort_desc)
        pk = self._primary_key_column()
        if key is None or key[0] is not pk or not self._orders_by_pk(sort_column):
            tie_desc = key[1] if key is not None else bool(sort_desc)
            query = query.order_by(pk.desc() if tie_desc else pk.asc())
        return query, joins

    def _search_page(self, query, sort_column, sort_desc, key, after, page: int, limit):
        """(capped count, page query or None) of a search from ONE pass over its matches.

        The first ``search_count_cap + 1`` matching ids in the list's order give the count
        ("200+") and, for any page among them, the page's ids: the page is then read by
        primary key instead of matching the search a second time (a common word's trigram
        lists are the costliest part of the page). Deeper pages and keyset pages match again.
        """
        pk = self._primary_key_column()
        cap = self.search_count_cap
        ids = [row[0] for row in query.with_entities(pk).limit(cap + 1)]
        count = CappedCount(cap) if len(ids) > cap else len(ids)
        offset = page * limit if limit else 0
        if after is not None or not limit or (offset + limit > len(ids) and len(ids) > cap):
            return count, None
        page_query = self.get_query().filter(pk.in_(ids[offset : offset + limit]))
        page_query, _joins = self._ordered(page_query, {}, sort_column, sort_desc, key)
        return count, page_query

    def _deferred_page(self, query, sort_column, sort_desc, key, offset: int, limit: int):
        """OFFSET over the primary keys only, then the page's rows with their relationships by id.

        Joined relationships would otherwise be joined for every skipped row too. The inner
        SELECT is wrapped once more because MariaDB refuses LIMIT inside ``IN (subquery)``.
        """
        pk = self._primary_key_column()
        page_ids = query.with_entities(pk.label("page_id")).limit(limit).offset(offset).subquery()
        outer = self.get_query().filter(pk.in_(select(page_ids.c.page_id)))
        outer, _joins = self._ordered(outer, {}, sort_column, sort_desc, key)
        return outer

    # ---- keyset ----------------------------------------------------------
    def _primary_key_column(self):
        return self.model.__mapper__.primary_key[0]

    def _orders_by_pk(self, sort_column) -> bool:
        """Whether Flask-Admin's own sorting already ends on the primary key."""
        if sort_column is not None:
            return True
        return bool(list(self._get_default_order()))

    def keyset_key(self, sort_column, sort_desc):
        """(column, descending) when the order can be continued by keyset, else None.

        Only a NOT NULL column of the model itself (or the primary key) qualifies: NULLs
        and joined columns have no simple "after this row" condition.
        """
        if sort_column is not None:
            field = self._sortable_columns.get(sort_column)
            if field is None or isinstance(field, list) or self._sortable_joins.get(sort_column):
                return None
            return _own_column(self.model, field, bool(sort_desc))
        order = list(self._get_default_order())
        if len(order) != 1:
            return None if order else (self._primary_key_column(), False)
        field, field_joins, desc = order[0]
        if field_joins:
            return None
        return _own_column(self.model, field, bool(desc))

    def list_state(self) -> ListState:
        return g.get("cskh_list_state") or ListState()

    def keyset_next_url(self, page, data, page_size=None):
        """URL of the page after ``data`` by keyset, or None when this order cannot use it."""
        state = self.list_state()
        if not state.keyset or not data:
            return None
        args = self._get_list_extra_args()
        url = self._get_list_url(args.clone(page=(page or 0) + 1))
        return url + ("&" if "?" in url else "?") + urlencode({KEYSET_ARG: self.get_pk_value(data[-1])})

    def _get_list_url(self, view_args):
        """Pager, sort and filter links start from an offset again: they never carry ``after``."""
        if KEYSET_ARG in view_args.extra_args:
            view_args = view_args.clone(extra_args={k: v for k, v in view_args.extra_args.items() if k != KEYSET_ARG})
        return super()._get_list_url(view_args)

    # ---- eager loading ---------------------------------------------------
    def eager_load_options(self) -> list:
        """Loader options for every relationship the list shows (``owner``, ``customer.name``)."""
        options = [joinedload(j) for j in self._auto_joins] if self.column_select_related_list else []
        return options + loader_options(self.model, self._list_columns)


def _own_column(model, field, desc: bool):
    prop = getattr(field, "property", None)
    if not isinstance(field, InstrumentedAttribute) or not isinstance(prop, ColumnProperty):
        return None
    if not issubclass(model, field.class_) or len(prop.columns) != 1:
        return None
    column = prop.columns[0]
    if getattr(column, "primary_key", False):
        return model.__mapper__.primary_key[0], desc
    if getattr(column, "nullable", True):
        return None
    return field, desc


def _keyset_after(pk):
    if not has_request_context():
        return None
    raw = request.args.get(KEYSET_ARG)
    if raw in (None, ""):
        return None
    from admin.input_guard import pk_value

    return pk_value(pk, raw)


def keyset_condition(column, desc: bool, pk, after):
    """Rows after the row ``pk == after`` in the order (column, pk), both in the same direction."""
    if column is pk:
        return pk < after if desc else pk > after
    anchor = select(column).where(pk == after).scalar_subquery()
    if desc:
        return and_(column <= anchor, or_(column < anchor, pk < after))
    return and_(column >= anchor, or_(column > anchor, pk > after))


def loader_options(model, columns) -> list:
    """One loader option per relationship path that ``columns`` ((name, label) pairs) show."""
    options, seen = [], set()
    for name, _label in columns:
        option, path = _loader_for_path(model, name)
        if option is not None and path not in seen:
            seen.add(path)
            options.append(option)
    return options


def _loader_for_path(model, name: str):
    """A joinedload (many-to-one) / selectinload (collection) chain for a dotted column name."""
    option, path, current = None, [], model
    for part in name.split("."):
        attr = getattr(current, part, None)
        prop = getattr(attr, "property", None)
        if not isinstance(prop, RelationshipProperty):
            break
        loader = selectinload if prop.uselist else joinedload
        if prop.lazy == "dynamic" or prop.lazy == "write_only":
            break
        option = loader(attr) if option is None else getattr(option, loader.__name__)(attr)
        path.append(part)
        current = prop.mapper.class_
    return option, ".".join(path)


__all__ = ["COUNT_CAP", "CappedCount", "FastListMixin", "capped_count", "keyset_condition"]
