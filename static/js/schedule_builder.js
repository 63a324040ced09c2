/* The campaign form's schedule builder: only the fields of the chosen kind, and the schedule in words
   with its next runs (or the fields' errors) from /admin/campaign-audience/schedule/. */
(function () {
  var kind = document.querySelector("[name='sch_kind']");
  if (!kind) { return; }
  var vi = document.documentElement.lang === "vi";
  var names = ["sch_date", "sch_time", "sch_weekday", "sch_day", "sch_occasion"];
  var shown = {
    "": [], once: ["sch_date", "sch_time"], daily: ["sch_time"], weekly: ["sch_weekday", "sch_time"],
    monthly: ["sch_day", "sch_time"], occasion: ["sch_occasion"]
  };
  function field(name) { return document.querySelector("[name='" + name + "']"); }
  function group(node) { return node.closest(".form-group") || node.parentNode; }
  var out = document.createElement("p");
  out.id = "schedule-summary";
  out.className = "font-weight-bold";
  out.setAttribute("aria-live", "polite");
  group(kind).appendChild(out);
  function toggle() {
    var wanted = shown[kind.value] || [];
    names.forEach(function (n) { var f = field(n); if (f) { group(f).style.display = wanted.indexOf(n) >= 0 ? "" : "none"; } });
  }
  var asked = 0;  /* answers can arrive out of order: only the latest question's answer is shown */
  function refresh() {
    toggle();
    var mine = ++asked;
    if (!kind.value) { out.textContent = ""; return; }
    var query = ["sch_kind"].concat(shown[kind.value]).map(function (n) {
      return encodeURIComponent(n) + "=" + encodeURIComponent(field(n).value);
    }).join("&");
    fetch("/admin/campaign-audience/schedule/?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== asked) { return; }
        if (data.errors) {
          out.className = "text-danger";
          out.textContent = Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); }).join(" ");
          return;
        }
        out.className = "font-weight-bold";
        out.textContent = data.summary + (data.next.length ? (vi ? " · Lần gửi tới: " : " · Next: ") + data.next.join(", ") : "");
      });
  }
  [kind].concat(names.map(field)).forEach(function (f) {
    if (f) { f.addEventListener("change", refresh); f.addEventListener("input", refresh); }
  });
  refresh();
})();
