"""The listing wing: what keeps the big lists near their raw SQL at a million rows, and Flask-Admin's internals.

``BigListMixin`` goes before ``SecureModelView`` in the bases of the big lists only (customers,
interactions, complaints, orders, the audit log, every panel table): capped counts and keyset pages (``paging.py``),
rows drawn in one Python call (``list_rows.py``) with string row buttons and one shared delete form
(``row_buttons.py``), and ``url_for`` remembered (``fragments.py``). Other lists are Flask-Admin's own
``admin/model/list.html``; row scope, row buttons, hidden columns, exports and lookups are the base's.
Also here, for every view: streamed exports (``exports.py``), the private hooks the base's security
goes through (``seams.py``), and the cached page chrome (``fragments.py``: menu, static blocks).

Flask-Admin 2.2.1 private names, used here only (``tests/admin/test_private_names.py``): ``paging.py``:
``_search_supported``, ``_apply_search``, ``_filters``, ``_apply_filters``, ``_apply_sorting``,
``_apply_pagination``, ``_get_default_order``, ``_sortable_columns``, ``_sortable_joins``, ``_auto_joins``,
``_list_columns``, ``_get_list_extra_args``, ``_get_list_url``; ``list_rows.py``: ``_column_choices_map``;
``exports.py``: ``_export_csv``, ``_export_tablib``, ``_get_column_by_idx``, ``_get_field_value``,
``_get_list_extra_args``, ``_column_choices_map``, ``_export_columns``; ``seams.py`` (why, there):
``_handle_view``, ``_list_columns``, ``_details_columns``, ``_export_columns``, ``_apply_search``,
``_search_fields``, ``_apply_path_joins``, ``_get_list_extra_args``, ``_get_list_filter_args``, ``_filters``,
``_filter_args``, ``_filter_groups``, ``_get_filter_groups``, ``_create_ajax_loader``, ``_form_ajax_refs``,
``_refresh_cache``, ``_refresh_forms_cache``. Templates following Flask-Admin 2.2.1's bootstrap4 ones:
``admin/cskh_list.html`` (extends ``admin/model/list.html``) and the CSP-safe copies (no inline handlers)
``admin/model/layout.html``, ``inline_list_base.html`` and ``row_actions.html``.
"""

from admin.listing.exports import StreamingExportMixin
from admin.listing.fragments import cached_url_for
from admin.listing.list_rows import FastRowsMixin
from admin.listing.paging import FastListMixin


class BigListMixin(FastListMixin, FastRowsMixin):
    """For the lists that reach a million rows: put it before ``SecureModelView`` in the view's bases."""

    list_template = "admin/cskh_list.html"

    def get_url(self, endpoint: str, **kwargs) -> str:
        """Flask-Admin's ``url_for``, remembered per process (``fragments.cached_url_for``)."""
        return cached_url_for(endpoint, **kwargs)


__all__ = ["BigListMixin", "StreamingExportMixin"]
