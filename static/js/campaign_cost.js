/* The campaign form's projected cost: per channel and for the gifts, against the budget line's remainder,
   from /admin/campaign-audience/cost/ (services.campaign_cost). */
(function () {
  var lineField = document.querySelector("[name='budget_line']");
  if (!lineField || !document.querySelector("[name^='aud_']")) { return; }
  var vi = document.documentElement.lang === "vi";
  var names = ["audience", "channel", "channel_order", "purpose", "zns_template", "sms_template", "email_template",
               "message_template", "gift_item", "gift_value", "budget_line"];
  function inputs() {
    return Array.prototype.slice.call(document.querySelectorAll("[name^='aud_']")).concat(
      names.map(function (n) { return document.querySelector("[name='" + n + "']"); }).filter(Boolean));
  }
  var box = document.createElement("div");
  box.id = "campaign-cost";
  box.setAttribute("aria-live", "polite");
  (lineField.closest(".form-group") || lineField.parentNode).appendChild(box);
  function cell(tag, text, cls) { var c = document.createElement(tag); c.textContent = text; if (cls) { c.className = cls; } return c; }
  function render(data) {
    box.textContent = "";
    if (data.errors) { box.appendChild(cell("p", Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); }).join(" "), "text-danger")); return; }
    box.appendChild(cell("h6", vi ? "Chi phí dự kiến (mỗi khách hàng phù hợp một tin)" : "Projected cost (one message to each matching customer)", "mt-2"));
    var table = document.createElement("table");
    table.className = "table table-sm";
    table.id = "campaign-cost-table";
    var head = document.createElement("tr");
    [vi ? "Kênh" : "Channel", vi ? "Số lượng" : "Quantity", vi ? "Chi phí" : "Cost"].forEach(function (t, i) { head.appendChild(cell("th", t, i ? "text-right" : "")); });
    table.appendChild(head);
    data.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.appendChild(cell("td", row.label));
      tr.appendChild(cell("td", row.messages, "text-right"));
      tr.appendChild(cell("td", row.cost, "text-right"));
      table.appendChild(tr);
    });
    var total = document.createElement("tr");
    total.className = "font-weight-bold";
    total.appendChild(cell("td", vi ? "Tổng" : "Total"));
    total.appendChild(cell("td", ""));
    total.appendChild(cell("td", data.total, "text-right"));
    total.id = "campaign-cost-total";
    table.appendChild(total);
    box.appendChild(table);
    if (data.line) {
      box.appendChild(cell("p", (vi ? "Dòng ngân sách " : "Budget line ") + data.line + (vi ? " còn " : " has ") + data.remaining + (vi ? "." : " left."), "small"));
    } else {
      box.appendChild(cell("p", vi ? "Chưa chọn dòng ngân sách." : "No budget line chosen.", "small text-muted"));
    }
    if (data.warning) { var w = cell("div", data.warning, "alert alert-warning"); w.id = "cost-warning"; box.appendChild(w); }
  }
  var asked = 0;  /* answers can arrive out of order: only the latest question's answer is shown */
  function refresh() {
    var mine = ++asked;
    var query = inputs().map(function (f) { return encodeURIComponent(f.name) + "=" + encodeURIComponent(f.value || ""); }).join("&");
    fetch("/admin/campaign-audience/cost/?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (mine === asked) { render(data); } });
  }
  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 400); }
  inputs().forEach(function (f) {
    f.addEventListener("change", later);
    f.addEventListener("input", later);
    if (window.jQuery) { window.jQuery(f).on("change", later); }  /* select2 fires jQuery events only */
  });
  refresh();
})();
