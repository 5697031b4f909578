/**
 * A job's report as one printable HTML page: summary, parameters, item timings and errors, tile
 * issues, the event log and a map thumbnail of the extent (inline SVG).
 *
 * Self-contained on purpose: inline CSS, no scripts, no external resources, and a CSP that
 * forbids both, so the file is safe to open from disk or mail around, and prints the same
 * anywhere. Every piece of text is escaped: job names, paths and error messages come from users
 * and from the files being checked.
 */
import { ITEM_STATES, JOB_STATES } from '../../shared/contract.js';
import type { ReportData } from './report.js';
import { MAX_FOOTPRINTS } from './report-map.js';
import {
  type Bounds,
  type ReportModel,
  type Thumbnail,
  type TimelineRow,
  extentOf,
  formatBounds,
  reportModel,
  stateColour,
  thumbnail,
} from './report-parts.js';

/** Tile issues and events an HTML report lists; the JSON report has all of them. */
const LIMITS = { issues: 500, eventsHead: 500, eventsTail: 500 };
const MAP_WIDTH = 340;
const MAP_HEIGHT = 250;

/** A complete HTML page for a job's report: no scripts, no external resources. */
export async function htmlReport(data: ReportData): Promise<string> {
  const m = reportModel(data, await extentOf(data), LIMITS);
  const title = `Tessera job ${m.jobId} – ${m.name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Tessera">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main class="page">
<header>
  <div>
    <div class="eyebrow">Tessera · job report</div>
    <h1>Job ${m.jobId} <span class="name">${esc(m.name)}</span></h1>
    <div class="sub">${esc(m.kind)} job · report generated ${esc(m.generatedAt)} UTC · all times UTC</div>
  </div>
  <div class="state state-${esc(m.state)}">${esc(m.state)}</div>
</header>
${m.jobError ? `<div class="callout"><strong>${esc(m.jobError.code)}</strong> ${esc(m.jobError.message)}</div>` : ''}
<section class="overview">
  <div>
    <h2>Summary</h2>
    <table class="kv"><tbody>
${m.summary.map(([k, v]) => `      <tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n')}
    </tbody></table>
  </div>
  <figure>
    <h2>Extent</h2>
${extentFigure(m)}
  </figure>
</section>
<section>
  <h2>Parameters</h2>
${
  m.params.length === 0
    ? '  <p class="none">No parameters.</p>'
    : table(
        ['Parameter', 'Value'],
        m.params.map(([k, v]) => [cell(k, 'mono key'), cell(v, 'mono')]),
      )
}
</section>
<section>
  <h2>Items and timings</h2>
${
  m.items.length === 0
    ? '  <p class="none">The job has no items (it was never planned).</p>'
    : table(
        ['Item', 'State', 'Started', 'Finished', 'Duration', 'Attempts', m.unitLabel],
        m.items.map((i) => [
          cell(i.label),
          `<td class="item-state state-text-${esc(i.state)}">${esc(i.state)}</td>`,
          cell(i.started, 'nowrap'),
          cell(i.finished, 'nowrap'),
          cell(i.duration, 'num'),
          cell(i.attempts, 'num'),
          cell(i.amount, 'num'),
        ]),
        [4, 5, 6],
      )
}
</section>
<section>
  <h2>Item errors</h2>
${
  m.itemErrors.length === 0
    ? '  <p class="none">No item failed.</p>'
    : table(
        ['Item', 'Code', 'Message'],
        m.itemErrors.map((e) => [cell(e.label), cell(e.code, 'mono code'), cell(e.message)]),
      )
}
</section>
<section>
  <h2>Tile issues <span class="count">${esc(m.issueCounts)}</span></h2>
${
  m.issues.length === 0
    ? '  <p class="none">No tile issues.</p>'
    : table(
        ['Tile (z/x/y)', 'Issue', 'Item', 'Detail'],
        m.issues.map((t) => [cell(t.tile, 'mono nowrap'), cell(t.issue, `issue issue-${esc(t.issue)}`), cell(t.item), cell(t.detail)]),
      ) + (m.issuesLeftOut > 0 ? `\n  <p class="more">… and ${m.issuesLeftOut.toLocaleString('en-US')} more in the JSON report.</p>` : '')
}
</section>
<section>
  <h2>Event timeline</h2>
${timeline(m.timeline)}
</section>
<footer><span>${esc(title)}</span><span>Generated ${esc(m.generatedAt)} UTC</span></footer>
</main>
</body>
</html>
`;
}

function extentFigure(m: ReportModel): string {
  const { bounds, note, footprints } = m.extent;
  if (bounds === null) {
    return `    <div class="unknown-extent">Extent unknown</div>\n    <figcaption>${esc(note)}.</figcaption>`;
  }
  const t = thumbnail(bounds, MAP_WIDTH, MAP_HEIGHT, { footprints });
  return `${svgThumbnail(t, bounds)}
    <figcaption>${esc(formatBounds(bounds))}<br>${esc(note)}. Land: Natural Earth.${footprintLegend(t, footprints.length)}</figcaption>`;
}

/** "▭ footprints of its 3 items:" and, when they are few, their numbered list (the map's numbers). */
function footprintLegend(t: Thumbnail, total: number): string {
  if (total === 0) return '';
  const drawn = total > MAX_FOOTPRINTS ? ` (the first ${MAX_FOOTPRINTS} drawn)` : '';
  const head = `<br><span class="footprint-key"></span> ${total === 1 ? 'the footprint of its item' : `footprints of its ${total.toLocaleString('en-US')} items${drawn}`}`;
  if (t.footprints.length > FOOTPRINTS_LISTED) return `${head}.`;
  return `${head}:<ol class="footprints">${t.footprints.map((f) => `<li>${esc(f.label)}</li>`).join('')}</ol>`;
}

/** Footprints numbered on the map and listed under it: more would be unreadable at this size. */
const FOOTPRINTS_LISTED = 12;

/** The thumbnail as inline SVG: sea, land, graticule with labels, the items' footprints, and the extent's rectangle on top. */
function svgThumbnail(t: Thumbnail, bounds: Bounds): string {
  const label = formatBounds(bounds);
  const land = t.land.map((ring) => `M${pairs(ring)}Z`).join('');
  const lines = [...t.meridians.map((g) => `M${g.x} 0V${t.height}`), ...t.parallels.map((g) => `M0 ${g.y}H${t.width}`)].join('');
  const labels = [
    ...t.meridians.map((g) => `<text x="${g.x + 2}" y="${t.height - 4}">${esc(g.label)}</text>`),
    ...t.parallels.map((g) => `<text x="3" y="${g.y - 3}">${esc(g.label)}</text>`),
  ].join('');
  const numbered = t.footprints.length <= FOOTPRINTS_LISTED;
  const footprints = t.footprints
    .map((f) =>
      f.dot
        ? `<circle class="footprint" cx="${f.dot.x}" cy="${f.dot.y}" r="2.5" fill-opacity="1" stroke="none"><title>${f.n}. ${esc(f.label)}</title></circle>`
        : `<rect class="footprint" x="${f.x}" y="${f.y}" width="${f.width}" height="${f.height}"><title>${f.n}. ${esc(f.label)}</title></rect>`,
    )
    .join('');
  // Inside a rectangle's corner; beside a dot.
  const numbers = numbered
    ? t.footprints
        .map((f) => (f.dot ? `<text x="${f.dot.x + 4}" y="${f.dot.y - 3}">${f.n}</text>` : `<text x="${f.x + 2}" y="${f.y + 9}">${f.n}</text>`))
        .join('')
    : '';
  const r = t.extent;
  return `    <svg class="thumbnail" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${t.width} ${t.height}" width="${t.width}" height="${t.height}" role="img" aria-label="Map of the extent: ${esc(label)}" data-bounds="${bounds.join(',')}">
      <defs><clipPath id="thumbnail-box"><rect width="${t.width}" height="${t.height}"/></clipPath></defs>
      <g clip-path="url(#thumbnail-box)">
        <rect class="sea" width="${t.width}" height="${t.height}" fill="#dbe7f1"/>
        <path class="land" d="${land}" fill="#f5f2ea" fill-rule="evenodd" stroke="#98a2ab" stroke-width="0.6" stroke-linejoin="round"/>
        <path class="graticule" d="${lines}" fill="none" stroke="#7f93a6" stroke-opacity="0.45" stroke-width="0.5" stroke-dasharray="2 2"/>
${footprints ? `        <g class="footprints" fill="${FOOTPRINT}" fill-opacity="0.08" stroke="${FOOTPRINT}" stroke-width="1" stroke-dasharray="3 2">${footprints}</g>\n` : ''}        <rect class="extent" x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" fill="#c2410c" fill-opacity="0.18" stroke="#c2410c" stroke-width="1.5"/>
${t.marker ? `        <circle class="marker" cx="${t.marker.x}" cy="${t.marker.y}" r="${t.marker.r}" fill="none" stroke="#c2410c" stroke-width="1.5"/>\n` : ''}${numbers ? `        <g class="footprint-numbers" font-family="system-ui, sans-serif" font-size="8" font-weight="600" fill="${FOOTPRINT}">${numbers}</g>\n` : ''}        <g class="labels" font-family="system-ui, sans-serif" font-size="9" fill="#4d5b69" stroke="#ffffff" stroke-width="2.5" stroke-opacity="0.8" paint-order="stroke">${labels}</g>
        <rect width="${t.width}" height="${t.height}" fill="none" stroke="#c7ced5"/>
      </g>
    </svg>`;
}

/** The footprints' colour: a blue that stays apart from the extent's orange and the land's greys. */
const FOOTPRINT = '#1f5f99';

function timeline(t: ReportModel['timeline']): string {
  if (t.head.length === 0) return '  <p class="none">No events.</p>';
  const row = (e: TimelineRow) => [cell(e.time, 'nowrap'), cell(e.type, 'mono nowrap'), cell(e.message)];
  const rows = [
    ...t.head.map(row),
    ...(t.leftOut > 0
      ? [`<td colspan="3" class="more">… ${t.leftOut.toLocaleString('en-US')} events left out here; the JSON report has the whole log.</td>`]
      : []),
    ...t.tail.map(row),
  ];
  return table(['Time', 'Event', 'Message'], rows);
}

/** A table; each row is either its cells or one pre-rendered <td> string; `numeric`: right-aligned columns. */
function table(headers: string[], rows: (string[] | string)[], numeric: number[] = []): string {
  const body = rows.map((r) => `      <tr>${Array.isArray(r) ? r.join('') : r}</tr>`).join('\n');
  return `  <table class="grid">
    <thead><tr>${headers.map((h, i) => `<th scope="col"${numeric.includes(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>
    <tbody>
${body}
    </tbody>
  </table>`;
}

function cell(text: string, className?: string): string {
  return className ? `<td class="${className}">${esc(text)}</td>` : `<td>${esc(text)}</td>`;
}

/** "x0,y0 x1,y1 …" from a flat ring: implicit line-tos after the move-to. */
function pairs(ring: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ring.length; i += 2) out.push(`${ring[i]},${ring[i + 1]}`);
  return out.join(' ');
}

/** Escapes text for HTML content and for quoted attribute values. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STATE_CSS = [...new Set([...JOB_STATES, ...ITEM_STATES])]
  .map((s) => `.state-${s} { background: ${stateColour(s)}; } .state-text-${s} { color: ${stateColour(s)}; }`)
  .join('\n');

const STYLE = `
:root { color-scheme: light; --fg: #1d2329; --muted: #6b7580; --line: #d9dde1; --soft: #f5f7f9; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #e8ebee; color: var(--fg); font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.page { display: block; max-width: 980px; margin: 24px auto; background: #fff; padding: 32px 40px 28px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.12); }
header { display: flex; justify-content: space-between; align-items: flex-end; gap: 24px; border-bottom: 2px solid var(--fg); padding-bottom: 12px; }
.eyebrow { font-size: 11px; letter-spacing: 0.08em; text-transform: uppercase; color: var(--muted); }
h1 { font-size: 22px; line-height: 1.25; margin: 4px 0 4px; overflow-wrap: anywhere; }
h1 .name { font-weight: 500; }
.sub { color: var(--muted); font-size: 12px; }
.state { flex: none; color: #fff; font-weight: 600; font-size: 12px; letter-spacing: 0.06em; text-transform: uppercase; padding: 4px 12px; border-radius: 999px; }
${STATE_CSS}
h2 { font-size: 13px; letter-spacing: 0.02em; margin: 26px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h2 .count { font-weight: 400; color: var(--muted); margin-left: 8px; }
.callout { margin: 16px 0 0; padding: 8px 12px; border-left: 3px solid #b3261e; background: #fbeeed; overflow-wrap: anywhere; }
.overview { display: grid; grid-template-columns: minmax(0, 1fr) ${MAP_WIDTH}px; gap: 32px; align-items: start; }
figure { margin: 0; }
svg.thumbnail { display: block; width: 100%; height: auto; border-radius: 3px; }
figcaption { margin-top: 6px; font-size: 11px; color: var(--muted); overflow-wrap: anywhere; }
.footprint-key { display: inline-block; width: 14px; height: 8px; border: 1px dashed ${FOOTPRINT}; background: rgba(31, 95, 153, 0.08); vertical-align: baseline; }
ol.footprints { margin: 2px 0 0; padding-left: 22px; }
.unknown-extent { display: flex; align-items: center; justify-content: center; aspect-ratio: ${MAP_WIDTH} / ${MAP_HEIGHT}; border: 1px dashed var(--line); border-radius: 3px; background: var(--soft); color: var(--muted); font-weight: 600; }
table { width: 100%; border-collapse: collapse; }
table.kv th { width: 104px; text-align: left; font-weight: 500; color: var(--muted); padding: 3px 12px 3px 0; vertical-align: top; }
table.kv td { padding: 3px 0; overflow-wrap: anywhere; }
table.grid { font-size: 12px; }
table.grid th { text-align: left; font-size: 11px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; padding: 6px 8px; border-bottom: 1px solid #b9c0c7; background: var(--soft); }
table.grid td { padding: 4px 8px; border-bottom: 1px solid #eceff2; vertical-align: top; overflow-wrap: anywhere; }
table.grid tbody tr:nth-child(even) td { background: #fafbfc; }
table.grid th.num, td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.key { width: 28%; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 11.5px; }
td.code { color: #b3261e; white-space: nowrap; }
td.item-state { font-weight: 600; }
td.issue-corrupt, td.issue-failed { color: #b3261e; }
td.issue-oversized { color: #a86b00; }
.none { color: var(--muted); margin: 6px 0; }
.more { color: var(--muted); font-style: italic; }
footer { display: flex; justify-content: space-between; gap: 16px; margin-top: 32px; padding-top: 8px; border-top: 1px solid var(--line); font-size: 11px; color: var(--muted); }
@media print {
  @page { size: A4; margin: 14mm 12mm 16mm; }
  body { background: #fff; font-size: 10pt; }
  .page { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  .overview { grid-template-columns: minmax(0, 1fr) 280px; }
  thead { display: table-header-group; }
  tr, figure, .callout { break-inside: avoid; }
  h2 { break-after: avoid; }
}
`;
