// The lead dashboard's charts, drawn by Chart.js (served from /static, so the CSP stays strict)
// from the figures the page carries as JSON.
(function () {
  "use strict";
  const source = document.getElementById("lead-stats");
  if (!source || typeof Chart === "undefined") return;
  const stats = JSON.parse(source.textContent);
  const colour = "#1f6f5c";
  const words = (text) => text.charAt(0).toUpperCase() + text.slice(1).replace(/_/g, " ");
  // A long product name would push its bar off the card: cut it (the tooltip keeps it whole).
  const short = (text) => (text.length > 20 ? text.slice(0, 19) + "…" : text);
  const draw = (id, type, labels, values, extra) => {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    canvas.dataset.points = String(values.length);
    new Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: [{ label: "Leads", data: values, backgroundColor: colour, borderColor: colour }] },
      options: Object.assign({ animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }, extra || {}),
    });
  };
  draw("chart-weeks", "bar", stats.weeks.map((w) => w.week), stats.weeks.map((w) => w.count));
  draw("chart-funnel", "bar", stats.funnel.map((f) => words(f.stage)), stats.funnel.map((f) => f.count), { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
  draw("chart-sources", "bar", stats.by_source.map((s) => words(s.source)), stats.by_source.map((s) => s.count));
  draw("chart-products", "bar", stats.by_product.map((p) => p.product), stats.by_product.map((p) => p.count), {
    indexAxis: "y",
    scales: {
      x: { beginAtZero: true, ticks: { precision: 0 } },
      y: { ticks: { callback: function (value) { return short(this.getLabelForValue(value)); } } },
    },
  });
  document.body.dataset.chartsDrawn = "true";
})();
