"""The Flask-Admin private names the secure base cannot do without, each turned into a public hook of ours.

Flask-Admin 2.2.1 has no public hook for these; the rules live in ``admin.base.SecureModelView`` and
``admin.input_guard.SafeInputMixin``, which define the hooks:

- ``BaseView._handle_view(name)``: the one place every endpoint passes, with its name (each endpoint
  needs its own action) -> ``guard_endpoint(name)``.
- ``_list_columns``, ``_details_columns``, ``_export_columns``: computed once at start-up and read by the
  templates and exports; hidden columns are per role, so per request -> ``column_visible(name)``.
- ``ModelView._apply_search`` (and its ``_search_fields``, ``_apply_path_joins``): the list's search has
  no hook -> ``search_condition(search)``.
- ``_get_list_extra_args``: the page and search of the URL, before use -> ``clean_list_args(args)``.
- ``_get_list_filter_args``, ``_get_filter_groups`` (``_filters``, ``_filter_args``, ``_filter_groups``):
  which URL filters count and which the menu offers -> ``filter_visible(flt)``, ``filter_value_ok(flt, value)``.
- ``ModelView._create_ajax_loader``: a lookup's loader, scoped -> ``ajax_loader(name, options)``.
- ``_form_ajax_refs``: a form prefilled with a lookup's row -> ``form_lookup(name)``.
- ``_refresh_cache()``: a built-in view changed by the panel file -> ``refresh_declarations(view)``.
- ``_refresh_forms_cache()``: a panel table's view on its source's session (Flask-Admin 2.2.1 deprecates a
  session at construction and wants a Flask-SQLAlchemy ``db``, which a source has not) -> ``bind_session``.

Keep in step with Flask-Admin when upgrading it.
"""

from flask import flash, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import Unicode, false, or_
from sqlalchemy import cast as sql_cast

from admin.input_guard import like_pattern
from services import access
from services.input_rules import TERM_MESSAGE, has_control
from services.text import LIKE_ESCAPE

COLUMN_SEARCH = object()
"""``search_condition``'s answer for "no search of my own": Flask-Admin's search over the visible
``column_searchable_list`` columns, with ``%`` and ``_`` as plain characters."""


class FlaskAdminSeams:
    """First among ``SecureModelView``'s bases: every private hook below hands over to a public one."""

    # ---- every endpoint ------------------------------------------------------
    def _handle_view(self, name, **kwargs):
        return self.guard_endpoint(name)

    # ---- columns hidden per role ----------------------------------------------
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

    # ---- search ------------------------------------------------------------------
    def _apply_search(self, query, count_query, joins, count_joins, search):
        condition = self.search_condition(search)
        if condition is COLUMN_SEARCH:
            return self._column_search(query, count_query, joins, count_joins, search)
        if condition is not None:
            query = query.filter(condition)
            if count_query is not None:
                count_query = count_query.filter(condition)
        return query, count_query, joins, count_joins

    def _column_search(self, query, count_query, joins, count_joins, search):
        """Flask-Admin's search over the searchable columns the user may see; ``%`` and ``_`` match themselves."""
        fields = [(f, p) for f, p in (self._search_fields or []) if self.column_shown(f)]
        for term in search.split():
            pattern = like_pattern(term)
            matches, count_matches = [], []
            for field, path in fields:
                query, joins, alias = self._apply_path_joins(query, joins, path, inner_join=False)
                column = field if alias is None else getattr(alias, field.key)
                matches.append(sql_cast(column, Unicode).ilike(pattern, escape=LIKE_ESCAPE))
                if count_query is not None:
                    count_query, count_joins, count_alias = self._apply_path_joins(
                        count_query, count_joins, path, inner_join=False
                    )
                    column = field if count_alias is None else getattr(count_alias, field.key)
                    count_matches.append(sql_cast(column, Unicode).ilike(pattern, escape=LIKE_ESCAPE))
            query = query.filter(or_(*matches) if matches else false())
            if count_query is not None:
                count_query = count_query.filter(or_(*count_matches) if count_matches else false())
        return query, count_query, joins, count_joins

    # ---- list arguments and filters ---------------------------------------------
    def _get_list_extra_args(self):
        return self.clean_list_args(super()._get_list_extra_args())

    def _get_list_filter_args(self):
        """Flask-Admin's, plus: a filter the role may not see is no filter; a refused value is a message."""
        if not self._filters:
            return None
        found = []
        for arg in request.args:
            if not arg.startswith("flt") or "_" not in arg:
                continue
            pos, key = arg[3:].split("_", 1)
            if key not in self._filter_args:
                continue
            idx, flt = self._filter_args[key]
            if not self.filter_visible(flt):
                continue
            value = request.args[arg]
            if has_control(value):
                flash(str(TERM_MESSAGE), "error")
            elif self.filter_value_ok(flt, value):
                found.append((pos, (idx, str(flt.name), value)))
        return [v[1] for v in sorted(found, key=lambda n: n[0])]

    def _get_filter_groups(self):
        """The filter menu: translated once per language (its entries are fixed at start-up, only the language
        changes them), then only the filters the role may see."""
        groups = self._translated_filter_groups()
        if not groups or not self._filters:
            return groups
        hidden = self._hidden_filters()
        if not hidden:
            return groups
        shown = {name: [e for e in entries if e.get("index") not in hidden] for name, entries in groups.items()}
        return {name: entries for name, entries in shown.items() if entries}

    def _hidden_filters(self) -> frozenset[int]:
        """Indexes of the filters on columns the role may not see. What a column shows depends on the role
        alone, so this is worked out once per role and filter set: asking every filter on every list page
        cost ~0.5 ms of a list page's CPU (about 100 permission lookups)."""
        role = access.role_of(current_user)
        held = self.__dict__.get("_cskh_hidden_filters")
        if held is None or held[0] is not self._filters:
            held = self.__dict__["_cskh_hidden_filters"] = (self._filters, {})
        by_role = held[1]
        if role not in by_role:
            by_role[role] = frozenset(i for i, flt in enumerate(self._filters) if not self.filter_visible(flt))
        return by_role[role]

    def _translated_filter_groups(self):
        groups = getattr(self, "_filter_groups", None)
        if not groups or not has_request_context():
            return super()._get_filter_groups()
        cache = self.__dict__.setdefault("_cskh_filter_groups", {})
        key = (id(groups), str(get_locale()))
        if key not in cache:
            cache[key] = super()._get_filter_groups()
        return cache[key]

    # ---- lookups -----------------------------------------------------------------
    def _create_ajax_loader(self, name, options):
        return self.ajax_loader(name, options)

    def form_lookup(self, name: str):
        """The lookup loader of form field ``name`` (``form_ajax_refs``), or None."""
        return (self._form_ajax_refs or {}).get(name)


def refresh_declarations(view) -> None:
    """Rebuild ``view``'s columns, filters and forms after its declarations (``column_list``, ...) changed."""
    view._refresh_cache()


def bind_session(view, session) -> None:
    """Point ``view`` at another database's session and rebuild its forms (their lookups and checks use it)."""
    view.session = session
    view._refresh_forms_cache()
