/* List pages: ask before a row's delete button submits the page's shared delete form.
   getAttribute, not form.id: the buttons are named "id", so form.id is the clicked button. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.getAttribute || form.getAttribute("id") !== "cskh-row-delete") {
      return;
    }
    if (!window.confirm(form.getAttribute("data-confirm") || "")) {
      event.preventDefault();
    }
  });
})();
