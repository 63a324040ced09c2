/* A button with data-fill-field="name" data-fill-value="…" writes the value into the form's field of that name
   (the next free slot offered after a refused appointment time). Bound by delegation: no inline handlers (CSP). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("[data-fill-field]") : null;
    if (!button) {
      return;
    }
    event.preventDefault();
    var field = document.querySelector('[name="' + button.getAttribute("data-fill-field") + '"]');
    if (!field) {
      return;
    }
    field.value = button.getAttribute("data-fill-value");
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.focus();
    var box = button.closest(".alert");
    if (box) {
      box.classList.remove("alert-info");
      box.classList.add("alert-success");
    }
  });
})();
