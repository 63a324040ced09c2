/* Draws the dashboard charts from the JSON block #dashboard-data and makes [data-print] buttons print
   (no inline script: the CSP forbids it). Numbers in the charts follow the user's language (data.locale). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var block = document.getElementById("dashboard-data");
  if (!block || typeof Chart === "undefined") { return; }
  var data = JSON.parse(block.textContent);
  var text = data.text || {};
  if (data.locale) { Chart.defaults.locale = data.locale; }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }

  draw("chart-trend", {
    type: "bar",
    data: {
      labels: data.trend.labels,
      datasets: [
        { type: "bar", label: text.opened, data: data.trend.opened, yAxisID: "y" },
        { type: "bar", label: text.resolved, data: data.trend.resolved, yAxisID: "y" },
        { type: "line", label: text.nps, data: data.trend.nps, yAxisID: "nps", spanGaps: true }
      ]
    },
    options: {
      scales: {
        y: { beginAtZero: true, position: "left" },
        nps: { min: -100, max: 100, position: "right", grid: { drawOnChartArea: false } }
      }
    }
  });
  draw("chart-moods", {
    type: "doughnut",
    data: {
      labels: data.moods.labels,
      datasets: [{
        label: text.entries,
        data: data.moods.values,
        backgroundColor: ["#1e7e34", "#28a745", "#6c757d", "#ffc107", "#fd7e14", "#dc3545"]
      }]
    }
  });
  draw("chart-categories", {
    type: "bar",
    data: { labels: data.categories.labels, datasets: [{ label: text.opened, data: data.categories.values }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } } }
  });
})();
