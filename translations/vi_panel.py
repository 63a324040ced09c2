"""Vietnamese for the panels over existing databases (English msgid -> Vietnamese); see tools/po_fill.py."""

VI = {
    "Read only: the table has no primary key.": "Chỉ xem: bảng không có khóa chính.",
    "Read only: this is a database view.": "Chỉ xem: đây là một view của cơ sở dữ liệu.",
    "Read only: set by the panel configuration.": "Chỉ xem: theo cấu hình của bảng.",
    "Data sources": "Nguồn dữ liệu",
    "Configuration file: %(path)s": "Tệp cấu hình: %(path)s",
    "Source": "Nguồn",
    "Database": "Cơ sở dữ liệu",
    "Status": "Trạng thái",
    "Pages": "Trang",
    "Unreachable": "Không kết nối được",
    "Connected": "Đã kết nối",
    "No data sources are configured.": "Chưa cấu hình nguồn dữ liệu nào.",
    "Configuration problems": "Lỗi cấu hình",
    "None.": "Không có.",
}
