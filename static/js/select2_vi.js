/* The search boxes (select2, shipped by Flask-Admin) in the page's language: <html lang="vi">. */
(function ($) {
  if (!$ || !$.fn || !$.fn.select2 || document.documentElement.lang !== "vi") { return; }
  $.extend($.fn.select2.defaults, {
    formatNoMatches: function () { return "Không tìm thấy kết quả phù hợp"; },
    formatSearching: function () { return "Đang tìm…"; },
    formatLoadMore: function () { return "Đang tải thêm…"; },
    formatAjaxError: function () { return "Không tải được dữ liệu"; },
    formatInputTooShort: function (input, min) { return "Vui lòng nhập thêm " + (min - input.length) + " ký tự"; },
    formatInputTooLong: function (input, max) { return "Vui lòng xóa bớt " + (input.length - max) + " ký tự"; },
    formatSelectionTooBig: function (limit) { return "Chỉ chọn được " + limit + " mục"; },
    formatMatches: function (n) { return n + " kết quả, dùng phím lên xuống để chọn."; }
  });
})(window.jQuery);
