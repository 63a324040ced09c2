/* The campaign form's live audience count: asks /admin/campaign-audience/ when a builder field changes. */
(function () {
  var fields = Array.prototype.slice.call(document.querySelectorAll("[name^='aud_']"));
  if (!fields.length) { return; }
  var out = document.createElement("p");
  out.id = "audience-count";
  out.className = "font-weight-bold";
  out.setAttribute("aria-live", "polite");
  var last = fields[fields.length - 1];
  (last.closest(".form-group") || last.parentNode).appendChild(out);
  var vi = document.documentElement.lang === "vi";
  function refresh() {
    var query = fields.map(function (f) { return encodeURIComponent(f.name.slice(4)) + "=" + encodeURIComponent(f.value); }).join("&");
    fetch("/admin/campaign-audience/?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.errors) { out.textContent = Object.values(data.errors).join(" "); return; }
        out.textContent = (vi ? "Số khách hàng phù hợp: " : "Matching customers: ") + data.count.toLocaleString(vi ? "vi-VN" : "en-GB");
      });
  }
  fields.forEach(function (f) { f.addEventListener("change", refresh); });
  refresh();
})();
