"""Vietnamese for concurrency answers and the scheduler's clock (English msgid -> Vietnamese); see tools/po_fill.py."""

# ruff: noqa: E501
VI = {
    "Already done: someone made this change a moment ago. The page shows the current state.": "Đã được thực hiện: vừa có người khác thực hiện thay đổi này. Trang đang hiển thị trạng thái hiện tại.",
    "This budget line is of another quarter or year: choose a line of the period the spending is in.": "Dòng ngân sách này thuộc quý hoặc năm khác: hãy chọn dòng ngân sách của kỳ phát sinh khoản chi.",
    "Budget line %(id)s is not of %(quarter)s, the quarter of this run.": "Dòng ngân sách %(id)s không thuộc %(quarter)s, quý của lần chạy này.",
    "%(field)s: “%(before)s” → “%(after)s”": "%(field)s: “%(before)s” → “%(after)s”",
    "Someone else saved this record while you were editing it; your changes are not saved yet and are still in the form. Changed meanwhile: %(changes)s. Check them, then save again to keep your version.": "Có người khác đã lưu bản ghi này trong lúc bạn đang sửa; thay đổi của bạn chưa được lưu và vẫn còn trong biểu mẫu. Đã thay đổi trong lúc đó: %(changes)s. Hãy kiểm tra, rồi lưu lại nếu muốn giữ phiên bản của bạn.",
    "(fields you cannot see)": "(các trường bạn không được xem)",
    "Someone else saved this record at the same moment; your changes were not saved.": "Có người khác lưu bản ghi này cùng lúc; thay đổi của bạn chưa được lưu.",
}
