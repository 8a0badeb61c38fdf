/**
 * Small, dependency-free SVG charts for the self-contained HTML report: line charts (linear or log
 * y-axis), grouped bars and parity (predicted vs measured) scatter plots. Hand-written because the
 * report must open offline with no script, and the charting packages on npm render in a browser (DOM)
 * rather than to a static string.
 */

export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Default 640. */
  width?: number;
  /** Default 360. */
  height?: number;
  /** Logarithmic y-axis (positive values only). Default false. */
  logY?: boolean;
}

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const margin = { left: 70, right: 150, top: 36, bottom: 48 };

/** Escapes text for SVG/HTML. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Tick label with few digits. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function frame(o: ChartOptions, body: string, legend: string[]): string {
  const w = o.width ?? 640;
  const h = o.height ?? 360;
  const legendItems = legend
    .map(
      (name, i) =>
        `<g transform="translate(${w - margin.right + 12},${margin.top + 16 * i})"><rect width="10" height="10" fill="${palette[i % palette.length]}"/>` +
        `<text x="14" y="9" font-size="11">${escapeXml(name)}</text></g>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, sans-serif" role="img" aria-label="${escapeXml(o.title)}">` +
    `<rect width="${w}" height="${h}" fill="white"/>` +
    `<text x="${margin.left}" y="20" font-size="14" font-weight="600">${escapeXml(o.title)}</text>` +
    `<text x="${margin.left + (w - margin.left - margin.right) / 2}" y="${h - 8}" font-size="12" text-anchor="middle">${escapeXml(o.xLabel)}</text>` +
    `<text transform="translate(16,${margin.top + (h - margin.top - margin.bottom) / 2}) rotate(-90)" font-size="12" text-anchor="middle">${escapeXml(o.yLabel)}</text>` +
    body +
    legendItems +
    '</svg>'
  );
}

interface Axes {
  x: (v: number) => number;
  y: (v: number) => number;
  svg: string;
}

function axes(o: ChartOptions, xRange: [number, number], yRange: [number, number], logY: boolean, xTicks = true): Axes {
  const w = o.width ?? 640;
  const h = o.height ?? 360;
  const x0 = margin.left;
  const x1 = w - margin.right;
  const y0 = h - margin.bottom;
  const y1 = margin.top;
  const [xlo, xhi] = xRange[0] === xRange[1] ? [xRange[0] - 1, xRange[1] + 1] : xRange;
  let [ylo, yhi] = yRange;
  if (logY) {
    ylo = Math.log10(ylo);
    yhi = Math.log10(yhi);
  }
  if (ylo === yhi) {
    ylo -= 1;
    yhi += 1;
  }
  const x = (v: number): number => x0 + ((v - xlo) / (xhi - xlo)) * (x1 - x0);
  const yRaw = (v: number): number => y0 - ((v - ylo) / (yhi - ylo)) * (y0 - y1);
  const y = (v: number): number => yRaw(logY ? Math.log10(v) : v);
  let svg = `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="#333"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="#333"/>`;
  for (const t of xTicks ? niceTicks(xlo, xhi) : []) {
    svg += `<line x1="${x(t)}" y1="${y0}" x2="${x(t)}" y2="${y0 + 4}" stroke="#333"/><text x="${x(t)}" y="${y0 + 16}" font-size="10" text-anchor="middle">${formatTick(t)}</text>`;
  }
  const yTicks = logY
    ? Array.from({ length: Math.floor(yhi) - Math.ceil(ylo) + 1 }, (_, i) => Math.ceil(ylo) + i)
    : niceTicks(ylo, yhi);
  for (const t of yTicks) {
    const py = yRaw(t);
    const label = logY ? formatTick(10 ** t) : formatTick(t);
    svg += `<line x1="${x0}" y1="${py}" x2="${x1}" y2="${py}" stroke="#eee"/><text x="${x0 - 6}" y="${py + 3}" font-size="10" text-anchor="end">${label}</text>`;
  }
  return { x, y, svg };
}

/** A line chart of one or more series. */
export function lineChart(series: readonly Series[], o: ChartOptions): string {
  const logY = o.logY ?? false;
  const pts = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!logY || y > 0));
  if (pts.length === 0) return frame(o, '<text x="100" y="100" font-size="12">no data</text>', []);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const a = axes(o, [Math.min(...xs), Math.max(...xs)], [Math.min(...ys), Math.max(...ys)], logY);
  const lines = series
    .map((s, i) => {
      const p = s.points.filter(([, y]) => Number.isFinite(y) && (!logY || y > 0));
      const d = p.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${a.x(x).toFixed(1)},${a.y(y).toFixed(1)}`).join('');
      const dots = p.map(([x, y]) => `<circle cx="${a.x(x).toFixed(1)}" cy="${a.y(y).toFixed(1)}" r="2" fill="${palette[i % palette.length]}"/>`).join('');
      return `<path d="${d}" fill="none" stroke="${palette[i % palette.length]}" stroke-width="1.8"/>${dots}`;
    })
    .join('');
  return frame(o, a.svg + lines, series.map((s) => s.name));
}

/** Grouped bars: one group per category, one bar per series (values ≥ 0). */
export function barChart(categories: readonly string[], series: readonly { name: string; values: readonly number[] }[], o: ChartOptions): string {
  const w = o.width ?? 640;
  const h = o.height ?? 360;
  const values = series.flatMap((s) => s.values).filter(Number.isFinite);
  const logY = o.logY ?? false;
  const yMax = Math.max(...values, 1e-300);
  const yMin = logY ? Math.min(...values.filter((v) => v > 0)) / 2 : 0;
  const plotW = w - margin.left - margin.right;
  const a = axes(o, [0, 1], [yMin, yMax * 1.05], logY, false);
  const groupW = plotW / Math.max(categories.length, 1);
  const barW = (groupW * 0.8) / Math.max(series.length, 1);
  let body = a.svg;
  categories.forEach((c, g) => {
    const gx = margin.left + g * groupW + groupW * 0.1;
    series.forEach((s, i) => {
      const v = s.values[g];
      if (!Number.isFinite(v) || (logY && v <= 0)) return;
      const top = a.y(v);
      const base = logY ? a.y(yMin) : a.y(0);
      body += `<rect x="${(gx + i * barW).toFixed(1)}" y="${top.toFixed(1)}" width="${(barW * 0.92).toFixed(1)}" height="${Math.max(base - top, 0).toFixed(1)}" fill="${palette[i % palette.length]}"><title>${escapeXml(`${s.name} · ${c}: ${formatTick(v)}`)}</title></rect>`;
    });
    body += `<text x="${(gx + groupW * 0.4).toFixed(1)}" y="${h - margin.bottom + 16}" font-size="11" text-anchor="middle">${escapeXml(c)}</text>`;
  });
  return frame(o, body, series.map((s) => s.name));
}

/** Predicted vs measured with the identity line. */
export function parityPlot(series: readonly Series[], o: ChartOptions): string {
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0) return frame(o, '', []);
  const lo = Math.min(...pts.flat());
  const hi = Math.max(...pts.flat());
  const a = axes(o, [lo, hi], [lo, hi], false);
  let body = a.svg + `<line x1="${a.x(lo)}" y1="${a.y(lo)}" x2="${a.x(hi)}" y2="${a.y(hi)}" stroke="#999" stroke-dasharray="4 3"/>`;
  series.forEach((s, i) => {
    for (const [x, y] of s.points) {
      if (Number.isFinite(x) && Number.isFinite(y)) body += `<circle cx="${a.x(x).toFixed(1)}" cy="${a.y(y).toFixed(1)}" r="2.2" fill="${palette[i % palette.length]}" fill-opacity="0.6"/>`;
    }
  });
  return frame(o, body, series.map((s) => s.name));
}
