"""Vietnamese for rights on staff targets, sessions, hostile input and text (issue #14); see tools/po_fill.py."""

# ruff: noqa: E501
VI = {
    # hostile input
    "Contains an invisible control character (such as NUL); remove it and type the text again.": "Có ký tự điều khiển ẩn (ví dụ NUL); hãy xóa ký tự đó và nhập lại.",
    "The search or filter text contains an invisible control character (such as NUL); it was not used.": "Nội dung tìm kiếm hoặc lọc có ký tự điều khiển ẩn (ví dụ NUL) nên không được dùng.",
    "Must be a number from %(low)s to %(high)s.": "Phải là số từ %(low)s đến %(high)s.",
    "Must be a number between %(low)s and %(high)s.": "Phải là số trong khoảng từ %(low)s đến %(high)s.",
    "A value is not valid (too long, out of range or with invisible characters). Please check it.": "Có giá trị không hợp lệ (quá dài, vượt giới hạn hoặc chứa ký tự ẩn). Vui lòng kiểm tra lại.",
    "The request is too large (at most %(n)d MB).": "Yêu cầu gửi lên quá lớn (tối đa %(n)d MB).",
    # rights on the target of a hand-over or deactivation
    "You may not deactivate or hand over this account.": "Bạn không được khóa hoặc bàn giao tài khoản này.",
    "You cannot deactivate or hand over your own account.": "Bạn không thể tự khóa hoặc bàn giao tài khoản của chính mình.",
    "Only an administrator can deactivate or hand over this account.": "Chỉ quản trị viên mới được khóa hoặc bàn giao tài khoản này.",
    "The last active administrator cannot be deactivated or lose the role.": "Không thể khóa hoặc đổi vai trò của quản trị viên cuối cùng còn hoạt động.",
    # customers
    "You can only add customers you look after yourself: choose yourself as the owner.": "Bạn chỉ được thêm khách hàng do bạn tự phụ trách: hãy chọn chính bạn làm người phụ trách.",
    # imports
    "The file is too large.": "Tệp quá lớn.",
    "The file could not be read as %(codec)s.": "Không đọc được tệp theo bảng mã %(codec)s.",
    "The workbook unpacks to more than %(n)d MB; split it into smaller files.": "Tệp XLSX khi giải nén lớn hơn %(n)d MB; hãy chia thành các tệp nhỏ hơn.",
    "Longer than %(n)d characters.": "Dài hơn %(n)d ký tự.",
    "The file was read as %(encoding)s.": "Tệp được đọc theo bảng mã %(encoding)s.",
}
