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
})();
