"""A list page's rows in one Python call instead of a Jinja loop of macro calls per row and cell.

Flask-Admin's ``get_list_value`` looks up the column's formatter, choice map and type
formatter again for every cell, and ``choices_map.get(value) or value`` translates the
choice's lazy label just to test it. Here a page resolves each column once (formatter,
choices, ``<td>`` head), each value type's formatter once per view, and translates each
shared label (choices, yes/no, empty) once per page; the output is the same HTML the
template wrote cell by cell (``tests/admin/test_list_rows.py`` compares them).
"""

from flask_admin.babel import gettext as admin_text  # Flask-Admin's own catalogue: not ours to extract
from flask_admin.tools import rec_getattr
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup, escape

from admin.listing.row_buttons import row_function

_UNSET = object()
_SHARED_VALUES = (type(None), bool)
"""Values whose formatted text depends on the value alone, so a page formats each once per column."""


class FastRowsMixin:
    """``list_header`` and ``list_rows``: the list table's HTML for ``admin/cskh_list.html`` (big lists only)."""

    @pass_context
    def list_header(self, context, columns, checkbox: bool) -> Markup:
        """The header cells: Flask-Admin's ``list_header`` block (sort links, sort arrow, descriptions)."""
        parts = []
        if checkbox:
            title = escape(admin_text("Select all records"))
            parts.append(
                f'<th class="list-checkbox-column"><input type="checkbox" name="rowtoggle" '
                f'class="action-rowtoggle" title="{title}" /></th>'
            )
        if self.column_display_actions:
            parts.append('<th class="">&nbsp;</th>')
        sort_url, sort_column, sort_desc = (context.resolve(n) for n in ("sort_url", "sort_column", "sort_desc"))
        for index, (name, text) in enumerate(columns):
            label = escape(text)
            parts.append(f'<th class="column-header col-{escape(name.replace(".", "-"))}">')
            if self.is_sortable(name):
                title = escape(admin_text("Sort by %(name)s", name=str(text)))
                if sort_column == index:
                    arrow = "down" if sort_desc else "up"
                    parts.append(
                        f'<a href="{escape(sort_url(index, True))}" title="{title}">{label} '
                        f'<span class="fa fa-chevron-{arrow} glyphicon glyphicon-chevron-{arrow}"></span></a>'
                    )
                else:
                    parts.append(f'<a href="{escape(sort_url(index))}" title="{title}">{label}</a>')
            else:
                parts.append(str(label))
            description = self.column_descriptions.get(name)
            if description:
                parts.append(
                    f'<a class="fa fa-question-circle glyphicon glyphicon-question-sign" title="{escape(description)}" '
                    'href="javascript:void(0)" data-role="tooltip"></a>'
                )
            parts.append("</th>")
        return Markup("".join(parts))

    @pass_context
    def list_rows(self, context, rows, columns, row_actions, checkbox: bool, buttons) -> Markup:
        """The rows' HTML: checkbox, row buttons, then one cell per column, like the template's loop."""
        row_class = getattr(self, "row_class", None)
        get_pk = self.get_pk_value
        cells = [self._cell_renderer(context, name) for name, _label in columns]
        buttons = [_row_function(action, context) for action in row_actions] if buttons else ()
        checkbox_tail = f'" title="{escape(admin_text("Select record"))}"></td>' if checkbox else ""
        out = []
        for row in rows:
            row_id = get_pk(row)
            parts = [f'<tr class="{escape(row_class(row))}">' if row_class else "<tr>"]
            if checkbox:
                parts.append(f'<td><input type="checkbox" name="rowid" class="action-checkbox" value="{escape(row_id)}')
                parts.append(checkbox_tail)
            if buttons:
                parts.append('<td class="list-buttons-column">')
                parts.extend(button(row_id, row) for button in buttons)
                parts.append("</td>")
            parts.extend(cell(row) for cell in cells)
            parts.append("</tr>")
            out.append("".join(parts))
        return Markup("\n".join(out))

    def _cell_renderer(self, context, name: str):
        """A function row -> ``<td>`` for column ``name``, with everything per column looked up once."""
        formatter = self.column_formatters.get(name)
        choices = self._column_choices_map.get(name) or None
        head = f'<td class="col-{escape(name)}">'
        by_value: dict = {}  # None/True/False -> escaped text
        by_label: dict = {}  # id(lazy label) -> (the label, kept alive for its id; escaped text)
        view = self

        def cell(row) -> str:
            value = formatter(view, context, row, name) if formatter is not None else rec_getattr(row, name)
            if choices is not None:  # Flask-Admin: the label when there is one, and no type formatter
                label = choices.get(value)
                if label is not None and not (type(label) is str and not label):  # no `or`: it would translate
                    value = label
            elif type(value) in _SHARED_VALUES:
                text = by_value.get(value)
                if text is None:
                    text = by_value[value] = escape(view._type_format(value, name))
                return f"{head}{text}</td>"
            else:
                value = view._type_format(value, name)
            if isinstance(value, LazyString):
                known = by_label.get(id(value))
                if known is None:
                    known = by_label[id(value)] = (value, escape(value))
                return f"{head}{known[1]}</td>"
            return f"{head}{escape(value)}</td>"

        return cell

    def _type_format(self, value, name: str):
        """``value`` through the first of ``column_type_formatters`` it is an instance of (found once per type)."""
        formatters = self.column_type_formatters
        cache = self.__dict__.setdefault("_cskh_type_formatters", {})
        key = (id(formatters), type(value))
        formatter = cache.get(key, _UNSET)
        if formatter is _UNSET:
            formatter = cache[key] = next((f for t, f in formatters.items() if isinstance(value, t)), None)
        return value if formatter is None else formatter(self, value, name)


def _row_function(action, context):
    """(row id, row) -> the row action's HTML: set up once per page when it can (admin/listing/row_buttons.py)."""
    draw = row_function(action, context)
    if draw is not None:
        return draw
    return lambda row_id, row: str(escape(action.render(context, row_id, row)))
