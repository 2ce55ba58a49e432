// Bar charts on uPlot (served from node_modules as a classic script: window.uPlot).
// Each chart keeps a text equivalent next to it (figures), so the picture is a convenience.

const uPlot = window.uPlot;

function barOptions(target, { xLabel, yLabel, color, xValues }) {
  return {
    width: Math.max(280, target.clientWidth || 480),
    height: 170,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false, range: (_u, min, max) => [min - 0.6 * (xValues.step ?? 1), max + 0.6 * (xValues.step ?? 1)] },
      y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.15] },
    },
    axes: [
      // Ticks only on whole steps (turn 1, 2, 3 … or 100 ms bins).
      { label: xLabel, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].map((n) => n * (xValues.step ?? 1)).filter((n) => n >= (xValues.step ?? 1)), size: 40, labelSize: 18 },
      { label: yLabel, size: 55, labelSize: 18 },
    ],
    series: [
      {},
      { label: yLabel, stroke: color, fill: `${color}99`, width: 1, points: { show: false }, paths: uPlot.paths.bars({ size: [0.7, 48] }) },
    ],
  };
}

/** A bar chart that redraws on update(xs, ys) and follows its container's width. */
export function createBarChart(target, options) {
  let plot;
  let last = [[], []];
  const draw = () => {
    plot?.destroy();
    target.replaceChildren();
    plot = new uPlot(barOptions(target, options), last, target);
  };
  new ResizeObserver(() => plot?.setSize({ width: Math.max(280, target.clientWidth || 480), height: 170 })).observe(target);
  return {
    update(xs, ys) {
      last = [xs, ys];
      if (!plot) draw();
      else plot.setData(last);
    },
  };
}

/** Counts of `values` in `stepMs` bins from 0; the last bin collects everything at or above `maxMs`. */
export function histogram(values, stepMs = 100, maxMs = 2000) {
  const bins = Math.ceil(maxMs / stepMs) + 1;
  const xs = Array.from({ length: bins }, (_, i) => i * stepMs);
  const ys = new Array(bins).fill(0);
  for (const value of values) ys[Math.min(bins - 1, Math.max(0, Math.floor(value / stepMs)))] += 1;
  return [xs, ys];
}
