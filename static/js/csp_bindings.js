/* Behaviour that Flask-Admin's templates wire with inline handlers (onclick="…", href="javascript:…"), which our
   Content-Security-Policy (script-src 'self' 'nonce-…') refuses to run. Our copies of those templates
   (admin/templates/admin/actions.html, model/inline_list_base.html, model/layout.html) carry data attributes
   instead, bound here by delegation on the document, so rows and inline forms added later work too.
   Loaded on every admin page by admin/cskh_base.html. */
(function () {
  "use strict";

  function closest(event, selector) {
    var target = event.target;
    return target && target.closest ? target.closest(selector) : null;
  }

  document.addEventListener("click", function (event) {
    // "With selected" menu: Flask-Admin's actions.js checks a row is ticked, asks the action's confirmation
    // (actions_confirmation) and submits the hidden #action_form.
    var action = closest(event, "[data-model-action]");
    if (action) {
      event.preventDefault();
      if (window.modelActions) {
        window.modelActions.execute(action.getAttribute("data-model-action"));
      }
      return;
    }
    // Inline forms' "Add …" button (order lines, budget lines): Flask-Admin's form.js clones the template.
    var add = closest(event, "[data-add-inline]");
    if (add) {
      event.preventDefault();
      if (window.faForm) {
        window.faForm.addInlineField(add, add.getAttribute("data-add-inline"));
      }
      return;
    }
  });

  // Links that only carry a behaviour must not navigate: our href="#" role="button" links (menu toggles, filter
  // items, inline forms' remove links) would add "#" to the address, and those Flask-Admin still renders with
  // href="javascript:void(0)" (current tab, pager's current and disabled pages, menu toggles) would make the
  // browser refuse, and report, the javascript: URL. The handlers bound on them still run.
  // Capture phase, so it runs even when a handler below stops the event (Bootstrap's dropdown does).
  window.addEventListener(
    "click",
    function (event) {
      var link = closest(event, "a[href]");
      if (!link) {
        return;
      }
      var href = link.getAttribute("href");
      if (/^\s*javascript:/i.test(href) || (href === "#" && link.getAttribute("role") === "button")) {
        event.preventDefault();
      }
    },
    true
  );
})();
