"""Vietnamese for the agent's day: the inbox, call planning, the navbar search (English msgid -> Vietnamese)."""

# ruff: noqa: E501
VI = {
    # inbox
    "Inbox": "Hộp việc",
    "My inbox": "Hộp việc của tôi",
    "All": "Tất cả",
    "Call-backs due": "Cuộc gọi đến hạn",
    "Requests at or past SLA": "Yêu cầu sắp/quá hạn SLA",
    "Customer's wait is over": "Hết thời gian chờ khách",
    "Birthdays today": "Sinh nhật hôm nay",
    "Open item": "Mở",
    "Open the record": "Mở hồ sơ",
    "Select": "Chọn",
    "Nothing due. Well done!": "Không có việc đến hạn. Tốt lắm!",
    "Reassign the ticked items to": "Giao các mục đã chọn cho",
    "Reassign": "Giao lại",
    "Done, call next": "Xong, gọi tiếp",
    "Move the call to": "Dời cuộc gọi sang",
    "Reschedule": "Dời lịch",
    "Use this time": "Dùng giờ này",
    "Next free slot:": "Giờ trống gần nhất:",
    "Call recorded.": "Đã ghi nhận cuộc gọi.",
    "Call moved to %(when)s.": "Đã dời cuộc gọi sang %(when)s.",
    "%(n)d items reassigned.": "Đã giao lại %(n)d mục.",
    "Tick at least one item.": "Hãy chọn ít nhất một mục.",
    "Choose an agent of your team.": "Hãy chọn một nhân viên trong nhóm của bạn.",
    "%(name)s already has a call at that time.": "%(name)s đã có cuộc gọi vào giờ đó.",
    "Only a planned call can be moved.": "Chỉ dời được cuộc gọi đang chờ thực hiện.",
    "Write what came out of the call.": "Hãy ghi kết quả cuộc gọi.",
    # planning and appointments
    "The agent already has a call booked %(start)s–%(end)s. Next free slot: %(slot)s.": "Nhân viên đã có cuộc gọi lúc %(start)s–%(end)s. Giờ trống gần nhất: %(slot)s.",
    # dates people type
    "Write the date and time as dd/mm/yyyy HH:MM.": "Hãy nhập ngày giờ dạng dd/mm/yyyy HH:MM.",
    "This date or time does not exist: %(value)s.": "Ngày giờ này không tồn tại: %(value)s.",
    # search
    "Search": "Tìm kiếm",
    "Phone, name, KN-, DH-, invoice…": "SĐT, tên, KN-, DH-, hoá đơn…",
    "Nothing found in your scope. Try a phone number, a name without accents, or a code such as KN-000123 or DH-0004567.": "Không tìm thấy trong phạm vi của bạn. Thử số điện thoại, tên không dấu, hoặc mã như KN-000123, DH-0004567.",
    "Code KN-…, subject, customer name or phone": "Mã KN-…, tiêu đề, tên hoặc SĐT khách",
    "Code DH-…, invoice, tracking, customer name or phone": "Mã DH-…, hoá đơn, mã vận đơn, tên hoặc SĐT khách",
    # returns and refunds
    "Amount (VND)": "Số tiền (VND)",
    "At most %(left)s can be refunded (paid less already refunded).": "Chỉ được hoàn tối đa %(left)s (đã thanh toán trừ phần đã hoàn).",
    "Choose return or refund.": "Hãy chọn trả hàng hoặc hoàn tiền.",
    "I have checked the order and confirm this %(what)s.": "Tôi đã kiểm tra đơn hàng và xác nhận: %(what)s.",
    "Reason": "Lý do",
    "Refundable": "Có thể hoàn",
    "Return window (days after delivery)": "Thời hạn đổi trả (ngày sau khi giao)",
    "The amount must be more than 0 ₫.": "Số tiền phải lớn hơn 0 ₫.",
    "The return window of %(days)d days from delivery (%(date)s) has passed.": "Đã quá thời hạn đổi trả %(days)d ngày kể từ ngày giao (%(date)s).",
    "Tick the box to confirm.": "Hãy đánh dấu ô xác nhận.",
    "Write the reason (at least 5 characters).": "Hãy ghi lý do (ít nhất 5 ký tự).",
    # canned replies
    "Search canned replies": "Tìm câu trả lời mẫu",
}
