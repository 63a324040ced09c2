"""Vietnamese for the KPI registry, the period picker, the report, its print view and XLSX (English msgid -> Vietnamese)."""

# ruff: noqa: E501
VI = {
    # periods
    "Month %(month)s": "Tháng %(month)s",
    "Quarter %(q)s/%(year)s": "Quý %(q)s/%(year)s",
    "Year %(year)s": "Năm %(year)s",
    "This year": "Năm nay",
    "Quarters": "Theo quý",
    "Months": "Theo tháng",
    "Years": "Theo năm",
    "Unknown period; choose a month, a quarter or a range of dates.": "Không nhận ra kỳ báo cáo; hãy chọn một tháng, một quý hoặc một khoảng ngày.",
    "Quarter, month or year": "Quý, tháng hoặc năm",
    "%(period)s (%(dates)s), compared with %(previous)s (%(previous_dates)s)": "%(period)s (%(dates)s), so với %(previous)s (%(previous_dates)s)",
    "%(dates)s, compared with %(previous)s (%(previous_dates)s)": "%(dates)s, so với %(previous)s (%(previous_dates)s)",
    # numbers and units
    "%(value)s%%": "%(value)s %%",
    "%(value)s h": "%(value)s giờ",
    "hours": "giờ",
    "pp": "điểm %",
    # the registry's short column names and the new KPI
    "CSAT": "CSAT",
    "FCR": "FCR",
    "Resolved": "Đã giải quyết",
    "Open": "Đang mở",
    "Avg. time": "Thời gian TB",
    "Requests resolved in the period after their due time": "Số yêu cầu giải quyết trong kỳ nhưng sau hạn xử lý",
    # pages
    "My figures, %(period)s": "Số liệu của tôi, %(period)s",
    "Per agent, %(period)s": "Theo nhân viên, %(period)s",
    "Team figures, %(period)s": "Số liệu của nhóm, %(period)s",
    "Report of this period": "Báo cáo kỳ này",
    "How the indicators are computed": "Cách tính các chỉ số",
    "KPI report: %(period)s": "Báo cáo KPI: %(period)s",
    "Print": "In báo cáo",
    "Under each figure: the change against %(previous)s.": "Dưới mỗi số liệu: mức thay đổi so với %(previous)s.",
    "Budget: planned and spent, %(quarter)s": "Ngân sách: kế hoạch và đã chi, %(quarter)s",
    # the XLSX sheets
    "Budget": "Ngân sách",
    "Categories": "Loại yêu cầu",
}
