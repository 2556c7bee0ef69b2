// The compliance report's charts, drawn by Chart.js (served from /static, so the CSP stays
// strict) from the figures the page carries as JSON.
(function () {
  "use strict";
  const source = document.getElementById("grievance-stats");
  if (!source || typeof Chart === "undefined") return;
  const stats = JSON.parse(source.textContent);
  const colour = "#1f6f5c";
  const draw = (id, rows, extra) => {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    canvas.dataset.points = String(rows.length);
    new Chart(canvas, {
      type: "bar",
      data: { labels: rows.map((r) => r.label), datasets: [{ label: "Complaints", data: rows.map((r) => r.count), backgroundColor: colour }] },
      options: Object.assign({ animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }, extra || {}),
    });
  };
  draw("chart-categories", stats.categories, { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
  draw("chart-clocks", stats.clocks);
  document.body.dataset.chartsDrawn = "true";
})();
