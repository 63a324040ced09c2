/* The campaign form: the audience's live count and the message as its first customer would read it,
   from /admin/campaign-audience/ (count) and /admin/campaign-audience/preview/. */
(function () {
  var fields = Array.prototype.slice.call(document.querySelectorAll("[name^='aud_']"));
  if (!fields.length) { return; }
  var vi = document.documentElement.lang === "vi";
  function after(node, id) {
    var out = document.createElement("p");
    out.id = id;
    out.setAttribute("aria-live", "polite");
    (node.closest(".form-group") || node.parentNode).appendChild(out);
    return out;
  }
  var count = after(fields[fields.length - 1], "audience-count");
  count.className = "font-weight-bold";
  var template = document.querySelector("[name='message_template']");
  var preview = template ? after(template, "message-preview") : null;
  if (preview) { preview.className = "border rounded p-2 bg-light"; }
  function query(prefix) {
    return fields.map(function (f) {
      return encodeURIComponent(prefix ? f.name : f.name.slice(4)) + "=" + encodeURIComponent(f.value);
    }).join("&");
  }
  function errors(data) { return Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); }).join(" "); }
  var counted = 0, previewed = 0;  /* answers can arrive out of order: only the latest is shown */
  function refreshCount() {
    var mine = ++counted;
    fetch("/admin/campaign-audience/?" + query(false), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== counted) { return; }
        if (data.errors) { count.textContent = errors(data); return; }
        count.textContent = (vi ? "Số khách hàng phù hợp: " : "Matching customers: ") + data.count.toLocaleString(vi ? "vi-VN" : "en-GB");
      });
  }
  function refreshPreview() {
    var mine = ++previewed;
    if (!preview || !template.value.trim()) { if (preview) { preview.textContent = ""; } return; }
    var url = "/admin/campaign-audience/preview/?" + query(true) + "&message_template=" + encodeURIComponent(template.value);
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== previewed) { return; }
        if (data.errors) { preview.textContent = errors(data); return; }
        if (!data.customer) { preview.textContent = vi ? "Không có khách hàng nào phù hợp để xem trước." : "No matching customer to preview."; return; }
        preview.textContent = (vi ? "Xem trước cho " : "Preview for ") + data.customer + ": " + data.text;
      });
  }
  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(refreshPreview, 400); }
  fields.forEach(function (f) { f.addEventListener("change", function () { refreshCount(); refreshPreview(); }); });
  if (template) { template.addEventListener("input", later); }
  refreshCount();
  refreshPreview();
})();
