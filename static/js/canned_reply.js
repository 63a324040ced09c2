/* Canned replies: choosing one in a select[data-canned-target] appends its body to the target textarea. */
(function () {
  "use strict";
  function bodyOf(select) {
    var option = select.options[select.selectedIndex];
    return option ? option.getAttribute("data-body") || "" : "";
  }
  document.querySelectorAll("select[data-canned-target]").forEach(function (select) {
    select.addEventListener("change", function () {
      var target = document.getElementById(select.getAttribute("data-canned-target"));
      var body = bodyOf(select);
      if (!target || !body) { return; }
      target.value = target.value ? target.value.replace(/\s+$/, "") + "\n" + body : body;
      target.dispatchEvent(new Event("input", { bubbles: true }));
      select.selectedIndex = 0;
      target.focus();
    });
  });
  // The search box above the select keeps the replies whose accent-free title and text contain what is typed.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  document.querySelectorAll("input[data-canned-filter]").forEach(function (box) {
    box.addEventListener("input", function () {
      var select = document.getElementById(box.getAttribute("data-canned-filter"));
      if (!select) { return; }
      var wanted = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = Boolean(option.value) && Boolean(wanted) &&
          (option.getAttribute("data-folded") || "").indexOf(wanted) === -1;
      });
    });
  });
})();
