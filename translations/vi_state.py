"""Vietnamese for concurrency answers and the scheduler's clock (English msgid -> Vietnamese); see tools/po_fill.py."""

# ruff: noqa: E501
VI = {
    "Already done: someone made this change a moment ago. The page shows the current state.": "Đã được thực hiện: vừa có người khác thực hiện thay đổi này. Trang đang hiển thị trạng thái hiện tại.",
}
