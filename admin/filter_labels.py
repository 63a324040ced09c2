"""Filter names on a related row read as the field and its part ("Người phụ trách / Email"), translated.

Flask-Admin names a filter on a relationship from the table and the column ("Users / Email",
"Teams / Gift Allowance"), in English whatever the language. Here the group is the view's own
label for the relationship and the part a translated label of the related column; the name is
lazy, so it follows the user's language.
"""

from flask_admin.contrib.sqla import tools
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import RelationshipProperty

RELATED_COLUMNS = {
    "name": _l("Name"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "role": _l("Role"),
    "active": _l("Active"),
    "last_login_at": _l("Last login"),
    "created_at": _l("Created"),
    "updated_at": _l("Updated"),
    "gift_allowance": _l("Gift allowance (VND)"),
}

TABLE_COLUMNS = {("teams", "name"): _l("Team name"), ("campaigns", "name"): _l("Campaign name")}
"""Where "Name" would read as a person's full name ("Họ tên")."""


def _joined(group, part) -> LazyString:
    return LazyString(lambda: f"{group} / {part}")


class RelationFilterLabelsMixin:
    """For SecureModelView: relationship filters named after the view's labels."""

    def scaffold_filters(self, name):
        filters = super().scaffold_filters(name)
        if not filters or not isinstance(name, str):
            return filters
        attr, _joins = tools.get_field_with_path(self.model, name)
        if attr is None or not isinstance(getattr(attr, "property", None), RelationshipProperty):
            return filters
        group = (self.column_labels or {}).get(name) or name.replace("_", " ").capitalize()
        for flt in filters:
            key = getattr(flt.column, "key", "")
            table = getattr(getattr(flt.column, "table", None), "name", "")
            part = TABLE_COLUMNS.get((table, key)) or RELATED_COLUMNS.get(key, key.replace("_", " "))
            flt.name = _joined(group, part)
        return filters
