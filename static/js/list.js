/* List pages: ask before a row's delete button deletes. The big lists' buttons submit the page's shared
   delete form (#cskh-row-delete); Flask-Admin's own lists have a form per row (admin/model/row_actions.html).
   Both carry the question in data-confirm (no inline handler: our CSP blocks them). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.getAttribute || !form.hasAttribute("data-confirm")) {
      return;
    }
    if (!window.confirm(form.getAttribute("data-confirm") || "")) {
      event.preventDefault();
    }
  });
})();
