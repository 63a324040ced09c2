/* The inbox's staff picker: typing "tran" keeps the options whose accent-free name (data-folded, folded on
   the server by services.text.fold) contains it, and selects the first. No inline handlers (CSP). */
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
  }
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box || !box.getAttribute || !box.getAttribute("data-filter-select")) {
      return;
    }
    var select = document.getElementById(box.getAttribute("data-filter-select"));
    if (!select) {
      return;
    }
    var wanted = fold(box.value.trim());
    var first = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var match = !wanted || (option.getAttribute("data-folded") || "").indexOf(wanted) !== -1;
      option.hidden = !match;
      if (match && first === null) {
        first = option;
      }
    });
    if (first) {
      select.value = first.value;
    }
  });
})();
