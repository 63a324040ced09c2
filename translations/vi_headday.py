"""Vietnamese for the head's and lead's day: the approvals inbox, the audit log, hand-over, jobs (see tools/po_fill.py)."""

# ruff: noqa: E501
VI = {
    # approvals inbox
    "Waiting for my decision": "Chờ tôi duyệt",
    "Nothing is waiting for your decision.": "Không có gì đang chờ bạn duyệt.",
    "%(count)s waiting, oldest first.": "%(count)s mục đang chờ, cũ nhất trước.",
    "The %(shown)s oldest are shown.": "Đang hiển thị %(shown)s mục cũ nhất.",
    "Waiting since": "Chờ từ",
    "What": "Nội dung",
    "Requested by": "Người đề nghị",
    "Budget or allowance left": "Ngân sách / hạn mức còn lại",
    "Decision": "Quyết định",
    "not enough left": "không đủ ngân sách",
    "no budget line": "chưa chọn dòng ngân sách",
    "Team allowance": "Hạn mức của nhóm",
    "over the allowance": "vượt hạn mức",
    "Approve and publish": "Duyệt và ban hành",
    "Not done: %(reason)s": "Chưa thực hiện: %(reason)s",
    "Approved: %(row)s.": "Đã duyệt: %(row)s.",
    "Rejected: %(row)s.": "Đã từ chối: %(row)s.",
    "Approved and published: %(row)s.": "Đã duyệt và ban hành: %(row)s.",
    "Policy": "Chính sách",
}
