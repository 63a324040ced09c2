/* Canned replies: choosing one in a select[data-canned-target] appends its body to the target textarea.
   A select with data-canned-source loads its replies (JSON, placeholders filled by the server) on first use,
   again when the order chosen in data-canned-order changes. */
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
  function load(select, then) {
    var source = select.getAttribute("data-canned-source");
    var orderField = document.getElementById(select.getAttribute("data-canned-order") || "");
    var order = orderField ? orderField.value : "";
    if (select.getAttribute("data-loaded") === order) { if (then) { then(); } return; }
    fetch(source + (order ? "&order=" + encodeURIComponent(order) : ""), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (replies) {
        while (select.options.length > 1) { select.remove(1); }
        replies.forEach(function (reply) {
          var option = document.createElement("option");
          option.value = reply.id;
          option.textContent = reply.title;
          option.setAttribute("data-body", reply.body);
          option.setAttribute("data-folded", reply.folded);
          select.appendChild(option);
        });
        select.setAttribute("data-loaded", order);
        if (then) { then(); }
      });
  }
  document.querySelectorAll("select[data-canned-source]").forEach(function (select) {
    var box = document.querySelector('input[data-canned-filter="' + select.id + '"]');
    select.addEventListener("focus", function () { load(select); });
    if (box) {
      box.addEventListener("focus", function () { load(select); });
      box.addEventListener("input", function () { load(select, function () { box.dispatchEvent(new Event("filter")); }); });
    }
  });
  // The search box above the select keeps the replies whose accent-free title and text contain what is typed.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  document.querySelectorAll("input[data-canned-filter]").forEach(function (box) {
    function apply() {
      var select = document.getElementById(box.getAttribute("data-canned-filter"));
      if (!select) { return; }
      var wanted = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = Boolean(option.value) && Boolean(wanted) &&
          (option.getAttribute("data-folded") || "").indexOf(wanted) === -1;
      });
    }
    box.addEventListener("input", apply);
    box.addEventListener("filter", apply);  // after the replies loaded on demand
  });
})();
