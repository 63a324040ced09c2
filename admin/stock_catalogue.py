"""Our Vietnamese for Flask-Admin's own strings, over its stock catalogue.

The stock catalogue says "Kỷ lục được tạo thành công" (a world record) for "Record was
successfully created.", "mặt hàng" (goods) for "items", and leaves some messages in English
(its entries are fuzzy). ``install`` makes Flask-Admin's translation domain lay ``VI`` over
its catalogue, once per language and process. The same words are checked by
tests/admin/test_vietnamese_pages.py.
"""

from flask_admin import babel as admin_babel
from flask_babel import get_locale

# ruff: noqa: E501
VI = {
    "Record was successfully created.": "Đã tạo bản ghi.",
    "Record was successfully saved.": "Đã lưu bản ghi.",
    "Record was successfully deleted.": "Đã xóa %(count)s bản ghi.",
    "Failed to create record.": "Không tạo được bản ghi.",
    "Failed to create record. %(error)s": "Không tạo được bản ghi. %(error)s",
    "Failed to update record. %(error)s": "Không lưu được bản ghi. %(error)s",
    "Failed to save record.": "Không lưu được bản ghi.",
    "Failed to delete record. %(error)s": "Không xóa được bản ghi. %(error)s",
    "Failed to delete records. %(error)s": "Không xóa được các bản ghi. %(error)s",
    "Failed to get model. %(error)s": "Không đọc được bản ghi. %(error)s",
    "Record does not exist.": "Bản ghi không tồn tại.",
    "items": "bản ghi",
    "With selected": "Với các bản ghi đã chọn",
    "Please select model": "Vui lòng chọn bản ghi",
    "Please select at least one record.": "Vui lòng chọn ít nhất một bản ghi.",
    "Save and Add Another": "Lưu và tạo bản ghi mới",
    "Save and Continue Editing": "Lưu và tiếp tục sửa",
    "Are you sure you want to delete selected records?": "Bạn có chắc muốn xóa các bản ghi đã chọn?",
    "Are you sure you want to delete this record?": "Bạn có chắc muốn xóa bản ghi này?",
    "View Record": "Xem bản ghi",
    "Create New Record": "Tạo bản ghi mới",
    "Select all records": "Chọn tất cả bản ghi",
    "Select record": "Chọn bản ghi",
    "There are no items in the table.": "Chưa có bản ghi nào.",
    "empty": "trống",
    "not contains": "không chứa",
    "not between": "không nằm trong khoảng",
    "Export": "Xuất dữ liệu",
    "Cancel": "Hủy",
    "Key": "Khóa",
    "Integrity error. %(message)s": "Dữ liệu bị trùng hoặc mâu thuẫn. %(message)s",
    "Invalid Choice: could not coerce": "Lựa chọn không hợp lệ",
    "Invalid Filter Value: %(value)s": "Giá trị lọc không hợp lệ: %(value)s",
    "Permission denied.": "Bạn không có quyền thực hiện thao tác này.",
}
OVERRIDES = {"vi": VI}


class _OverridingDomain(type(admin_babel.domain)):
    def get_translations(self):
        translations = super().get_translations()
        catalog = getattr(translations, "_catalog", None)
        if catalog is not None and not getattr(translations, "_cskh_overridden", False):
            catalog.update(OVERRIDES.get(str(get_locale()), {}))
            translations._cskh_overridden = True
        return translations


def install() -> None:
    """Idempotent: Flask-Admin's module-level domain gets our catalogue on top of its own."""
    domain = getattr(admin_babel, "domain", None)
    if domain is not None and not isinstance(domain, _OverridingDomain):
        domain.__class__ = _OverridingDomain
