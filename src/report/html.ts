/**
 * The self-contained HTML report: sections of text, tables and inline SVG figures, one file with no
 * external resources, readable offline. `writeReport` writes it atomically (temp file + rename).
 *
 * @example
 * const html = renderReport({ title: 'Run 7', sections: [{ heading: 'Accuracy', blocks: [{ kind: 'table', columns: ['plant', 'R²'], rows: [['a', 0.98]] }] }] });
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.js';
import { escapeXml, formatTick } from './svg.js';

export type ReportBlock =
  | { kind: 'text'; text: string }
  | { kind: 'table'; caption?: string; columns: string[]; rows: (string | number)[][] }
  | { kind: 'figure'; svg: string; caption?: string }
  | { kind: 'keyValues'; entries: [string, string | number][] };

export interface ReportSection {
  heading: string;
  blocks: ReportBlock[];
}

export interface Report {
  title: string;
  subtitle?: string;
  sections: ReportSection[];
}

function cell(v: string | number): string {
  return typeof v === 'number' ? `<td class="num">${escapeXml(Number.isFinite(v) ? formatNumberCell(v) : String(v))}</td>` : `<td>${escapeXml(v)}</td>`;
}

function formatNumberCell(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  return formatTick(v) === v.toExponential(1) ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}

function block(b: ReportBlock): string {
  switch (b.kind) {
    case 'text':
      return `<p>${escapeXml(b.text)}</p>`;
    case 'table':
      return (
        `<table>${b.caption ? `<caption>${escapeXml(b.caption)}</caption>` : ''}<thead><tr>${b.columns.map((c) => `<th>${escapeXml(c)}</th>`).join('')}</tr></thead>` +
        `<tbody>${b.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`
      );
    case 'figure':
      return `<figure>${b.svg}${b.caption ? `<figcaption>${escapeXml(b.caption)}</figcaption>` : ''}</figure>`;
    case 'keyValues':
      return `<table class="kv"><tbody>${b.entries.map(([k, v]) => `<tr><th>${escapeXml(k)}</th>${cell(v)}</tr>`).join('')}</tbody></table>`;
  }
}

/** The report as one HTML string. */
export function renderReport(report: Report): string {
  const style = `body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:0}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:2em}.subtitle{color:#666;margin-top:4px}
table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ddd;padding:4px 10px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}thead th{background:#f4f4f4}caption{text-align:left;font-weight:600;padding:4px 0}
figure{margin:1em 0}figcaption{color:#555;font-size:13px}table.kv th{background:#f8f8f8;font-weight:500}`;
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(report.title)}</title><style>${style}</style></head><body>` +
    `<h1>${escapeXml(report.title)}</h1>${report.subtitle ? `<p class="subtitle">${escapeXml(report.subtitle)}</p>` : ''}` +
    report.sections.map((s) => `<section><h2>${escapeXml(s.heading)}</h2>${s.blocks.map(block).join('\n')}</section>`).join('\n') +
    '</body></html>\n'
  );
}

/** Writes `report.html` into `dir` atomically and returns its path. */
export async function writeReport(dir: string, report: Report, fileName = 'report.html'): Promise<string> {
  const path = join(dir, fileName);
  await writeFileAtomic(path, [renderReport(report)]);
  return path;
}
