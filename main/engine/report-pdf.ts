/**
 * A job's report as an A4 PDF (pdfkit): the HTML report's content, laid out for paper. Tables
 * repeat their header on every page they run onto, pages are numbered, the extent thumbnail is
 * drawn as vector paths from the same projected outline, and the event log is cut in the middle
 * when long (the JSON report has everything).
 *
 * Only pdfkit's built-in Helvetica is used, so no font files ship. It covers Windows-1252, not
 * Unicode: other characters are spelled without their accents where possible, else shown as "?".
 */
import PDFDocument from 'pdfkit';
import type { ReportData } from './report.js';
import { type ReportModel, type Thumbnail, extentOf, formatBounds, reportModel, stateColour, thumbnail } from './report-parts.js';

/** Tile issues and events a PDF lists: enough to act on, few enough to print. */
const LIMITS = { issues: 500, eventsHead: 60, eventsTail: 40 };

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { top: 48, bottom: 54, left: 48, right: 48 };
const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
const MAP = { width: 224, height: 165 };
const COLOUR = { fg: '#1d2329', muted: '#6b7580', line: '#d9dde1', rowLine: '#eceff2', soft: '#f5f7f9', zebra: '#fafbfc', bad: '#b3261e', warn: '#a86b00', extent: '#c2410c' };
const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', oblique: 'Helvetica-Oblique' };
const CELL_PAD = { x: 4, y: 3 };

type Doc = InstanceType<typeof PDFDocument>;

interface Column {
  header: string;
  /** Share of the table's width. */
  width: number;
  align?: 'left' | 'right';
  font?: string;
  colour?: (value: string) => string;
}

/** An A4 PDF of a job's report. */
export async function pdfReport(data: ReportData): Promise<Buffer> {
  const m = reportModel(data, await extentOf(data), LIMITS);
  const title = `Tessera job ${m.jobId} – ${m.name}`;
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    info: { Title: pdfText(title), Author: 'Tessera', Subject: `Report of ${m.kind} job ${m.jobId}`, CreationDate: new Date(data.generatedAt) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  header(doc, m);
  overview(doc, m);

  section(doc, 'Parameters');
  if (m.params.length === 0) note(doc, 'No parameters.');
  else table(doc, [{ header: 'Parameter', width: 0.3, font: FONT.bold }, { header: 'Value', width: 0.7 }], m.params);

  section(doc, 'Items and timings');
  if (m.items.length === 0) note(doc, 'The job has no items (it was never planned).');
  else
    table(
      doc,
      [
        { header: 'Item', width: 0.09 },
        { header: 'State', width: 0.11, font: FONT.bold, colour: (s) => stateColourOf(s) },
        { header: 'Started', width: 0.18 },
        { header: 'Finished', width: 0.18 },
        { header: 'Duration', width: 0.1, align: 'right' },
        { header: 'Attempts', width: 0.1, align: 'right' },
        { header: 'Tiles', width: 0.24, align: 'right' },
      ],
      m.items.map((i) => [i.label, i.state, i.started, i.finished, i.duration, i.attempts, i.tiles]),
    );

  section(doc, 'Item errors');
  if (m.itemErrors.length === 0) note(doc, 'No item failed.');
  else table(doc, [{ header: 'Item', width: 0.12 }, { header: 'Code', width: 0.2, font: FONT.bold, colour: () => COLOUR.bad }, { header: 'Message', width: 0.68 }], m.itemErrors.map((e) => [e.label, e.code, e.message]));

  section(doc, 'Tile issues', m.issueCounts);
  if (m.issues.length === 0) note(doc, 'No tile issues.');
  else {
    table(
      doc,
      [
        { header: 'Tile (z/x/y)', width: 0.17 },
        { header: 'Issue', width: 0.12, colour: (s) => (s === 'corrupt' || s === 'failed' ? COLOUR.bad : s === 'oversized' ? COLOUR.warn : COLOUR.fg) },
        { header: 'Item', width: 0.09 },
        { header: 'Detail', width: 0.62 },
      ],
      m.issues.map((t) => [t.tile, t.issue, t.item, t.detail]),
    );
    if (m.issuesLeftOut > 0) note(doc, `… and ${m.issuesLeftOut.toLocaleString('en-US')} more in the JSON report.`, true);
  }

  section(doc, 'Event timeline');
  if (m.timeline.head.length === 0) note(doc, 'No events.');
  else {
    const columns: Column[] = [{ header: 'Time', width: 0.22 }, { header: 'Event', width: 0.18 }, { header: 'Message', width: 0.6 }];
    const row = (e: { time: string; type: string; message: string }) => [e.time, e.type, e.message];
    table(doc, columns, m.timeline.head.map(row));
    if (m.timeline.leftOut > 0) {
      note(doc, `… ${m.timeline.leftOut.toLocaleString('en-US')} events left out here; the JSON report has the whole log.`, true);
      table(doc, columns, m.timeline.tail.map(row));
    }
  }

  footers(doc, title);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

function header(doc: Doc, m: ReportModel): void {
  const x = MARGIN.left;
  const state = m.state.toUpperCase();
  doc.font(FONT.bold).fontSize(8.5);
  const pillW = doc.widthOfString(state, { characterSpacing: 0.6 }) + 18;
  doc.font(FONT.regular).fontSize(7.5).fillColor(COLOUR.muted).text('TESSERA · JOB REPORT', x, MARGIN.top, { characterSpacing: 1 });
  const titleY = doc.y + 3;
  doc.font(FONT.bold).fontSize(17).fillColor(COLOUR.fg).text(`Job ${m.jobId}  `, x, titleY, { width: CONTENT_WIDTH - pillW - 16, continued: true });
  doc.font(FONT.regular).text(pdfText(m.name));
  const afterTitle = doc.y;
  doc.roundedRect(x + CONTENT_WIDTH - pillW, titleY + 1, pillW, 18, 9).fill(stateColour(m.state));
  doc.font(FONT.bold).fontSize(8.5).fillColor('#ffffff').text(state, x + CONTENT_WIDTH - pillW, titleY + 6, { width: pillW, align: 'center', characterSpacing: 0.6 });
  doc.font(FONT.regular).fontSize(8.5).fillColor(COLOUR.muted).text(`${m.kind} job · report generated ${m.generatedAt} UTC · all times UTC`, x, Math.max(afterTitle, titleY + 20) + 2, { width: CONTENT_WIDTH });
  const ruleY = doc.y + 6;
  doc.moveTo(x, ruleY).lineTo(x + CONTENT_WIDTH, ruleY).lineWidth(1.5).strokeColor(COLOUR.fg).stroke();
  doc.y = ruleY + 10;
  if (m.jobError) {
    const text = `${m.jobError.code}  ${pdfText(m.jobError.message)}`;
    doc.font(FONT.regular).fontSize(9);
    const h = doc.heightOfString(text, { width: CONTENT_WIDTH - 20 }) + 12;
    const y = doc.y;
    doc.rect(x, y, CONTENT_WIDTH, h).fill('#fbeeed');
    doc.rect(x, y, 3, h).fill(COLOUR.bad);
    doc.fillColor(COLOUR.fg).font(FONT.bold).text(`${m.jobError.code}  `, x + 12, y + 6, { width: CONTENT_WIDTH - 20, continued: true });
    doc.font(FONT.regular).text(pdfText(m.jobError.message));
    doc.y = y + h + 8;
  }
}

/** Summary on the left, the extent thumbnail on the right. */
function overview(doc: Doc, m: ReportModel): void {
  const top = doc.y;
  const left = MARGIN.left;
  const mapX = MARGIN.left + CONTENT_WIDTH - MAP.width;
  const leftWidth = mapX - left - 24;

  heading(doc, 'Summary', left, top, leftWidth);
  let y = doc.y;
  for (const [label, value] of m.summary) {
    doc.font(FONT.regular).fontSize(8.5).fillColor(COLOUR.muted).text(label, left, y, { width: 70 });
    doc.font(FONT.regular).fontSize(9).fillColor(COLOUR.fg).text(pdfText(value), left + 74, y, { width: leftWidth - 74 });
    y = Math.max(doc.y, y + 11) + 2.5;
  }
  const leftBottom = y;

  heading(doc, 'Extent', mapX, top, MAP.width);
  const mapY = doc.y;
  if (m.extent.bounds === null) {
    doc.rect(mapX, mapY, MAP.width, MAP.height).fill(COLOUR.soft);
    doc.rect(mapX, mapY, MAP.width, MAP.height).dash(3, { space: 3 }).lineWidth(0.75).strokeColor(COLOUR.line).stroke().undash();
    doc.font(FONT.bold).fontSize(10).fillColor(COLOUR.muted).text('Extent unknown', mapX, mapY + MAP.height / 2 - 6, { width: MAP.width, align: 'center' });
    doc.font(FONT.regular).fontSize(7.5).fillColor(COLOUR.muted).text(`${pdfText(m.extent.note)}.`, mapX, mapY + MAP.height + 5, { width: MAP.width });
  } else {
    drawThumbnail(doc, thumbnail(m.extent.bounds, MAP.width, MAP.height), mapX, mapY);
    doc.font(FONT.regular).fontSize(7.5).fillColor(COLOUR.muted).text(pdfText(formatBounds(m.extent.bounds)), mapX, mapY + MAP.height + 5, { width: MAP.width });
    doc.text(`${pdfText(m.extent.note)}. Land: Natural Earth.`, { width: MAP.width });
  }
  doc.x = MARGIN.left;
  doc.y = Math.max(leftBottom, doc.y) + 6;
}

/** The thumbnail as vector paths: sea, land (even-odd), graticule, labels, the extent on top. */
function drawThumbnail(doc: Doc, t: Thumbnail, x: number, y: number): void {
  doc.save();
  doc.rect(x, y, t.width, t.height).clip();
  doc.rect(x, y, t.width, t.height).fill('#dbe7f1');
  for (const ring of t.land) {
    doc.moveTo(x + ring[0]!, y + ring[1]!);
    for (let i = 2; i < ring.length; i += 2) doc.lineTo(x + ring[i]!, y + ring[i + 1]!);
    doc.closePath();
  }
  if (t.land.length > 0) doc.lineWidth(0.4).lineJoin('round').fillAndStroke('#f5f2ea', '#98a2ab', 'even-odd');
  doc.save();
  doc.lineWidth(0.4).dash(1.5, { space: 1.5 }).strokeColor('#7f93a6').strokeOpacity(0.5);
  for (const g of t.meridians) doc.moveTo(x + g.x, y).lineTo(x + g.x, y + t.height);
  for (const g of t.parallels) doc.moveTo(x, y + g.y).lineTo(x + t.width, y + g.y);
  if (t.meridians.length + t.parallels.length > 0) doc.stroke();
  doc.restore();
  const r = t.extent;
  doc.save();
  doc.rect(x + r.x, y + r.y, r.width, r.height).fillOpacity(0.18).fill(COLOUR.extent);
  doc.restore();
  doc.rect(x + r.x, y + r.y, r.width, r.height).lineWidth(1.2).stroke(COLOUR.extent);
  if (t.marker) doc.circle(x + t.marker.x, y + t.marker.y, t.marker.r).lineWidth(1.2).stroke(COLOUR.extent);
  doc.font(FONT.regular).fontSize(6);
  const label = (text: string, lx: number, ly: number) => {
    const w = doc.widthOfString(text);
    doc.save().rect(lx - 1, ly - 1, w + 2, 7.5).fillOpacity(0.7).fill('#ffffff').restore();
    doc.fillColor('#4d5b69').text(text, lx, ly, { lineBreak: false });
  };
  for (const g of t.meridians) label(pdfText(g.label), x + g.x + 2, y + t.height - 9);
  for (const g of t.parallels) label(pdfText(g.label), x + 3, y + g.y - 8);
  doc.restore();
  doc.rect(x, y, t.width, t.height).lineWidth(0.5).stroke('#c7ced5');
}

/** A section heading with a rule, on a new page when there is no room for it and a few rows. */
function section(doc: Doc, title: string, aside?: string): void {
  if (doc.y + 70 > bottom(doc)) doc.addPage();
  doc.y += 10;
  heading(doc, title, MARGIN.left, doc.y, CONTENT_WIDTH, aside);
  doc.outline.addItem(title);
}

function heading(doc: Doc, title: string, x: number, y: number, width: number, aside?: string): void {
  doc.font(FONT.bold).fontSize(10.5).fillColor(COLOUR.fg).text(title, x, y, { width, continued: aside !== undefined });
  if (aside !== undefined) doc.font(FONT.regular).fontSize(9).fillColor(COLOUR.muted).text(`   ${pdfText(aside)}`);
  const ruleY = doc.y + 2;
  doc.moveTo(x, ruleY).lineTo(x + width, ruleY).lineWidth(0.6).strokeColor(COLOUR.line).stroke();
  doc.y = ruleY + 6;
}

function note(doc: Doc, text: string, italic = false): void {
  if (doc.y + 14 > bottom(doc)) doc.addPage();
  doc.font(italic ? FONT.oblique : FONT.regular).fontSize(8.5).fillColor(COLOUR.muted).text(pdfText(text), MARGIN.left, doc.y + 2, { width: CONTENT_WIDTH });
  doc.y += 4;
}

/** A table that breaks across pages, repeating its header row on each. */
function table(doc: Doc, columns: Column[], rows: string[][]): void {
  const widths = columns.map((c) => c.width * CONTENT_WIDTH);
  const xs = widths.map((_, i) => MARGIN.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const headerHeight = 15;
  const drawHeader = () => {
    const y = doc.y;
    doc.rect(MARGIN.left, y, CONTENT_WIDTH, headerHeight).fill(COLOUR.soft);
    doc.moveTo(MARGIN.left, y + headerHeight).lineTo(MARGIN.left + CONTENT_WIDTH, y + headerHeight).lineWidth(0.6).strokeColor('#b9c0c7').stroke();
    doc.font(FONT.bold).fillColor(COLOUR.muted);
    columns.forEach((c, i) => {
      const label = c.header.toUpperCase();
      const room = widths[i]! - 2 * CELL_PAD.x;
      // Headers stay on one line: a narrow column's header is set smaller rather than wrapped.
      doc.fontSize(7);
      const size = Math.max(5, Math.min(7, (7 * room) / doc.widthOfString(label, { characterSpacing: 0.3 })));
      doc.fontSize(size).text(label, xs[i]! + CELL_PAD.x, y + 4.5 + (7 - size) / 2, { width: room, align: c.align ?? 'left', characterSpacing: 0.3, lineBreak: false });
    });
    doc.y = y + headerHeight;
  };

  if (doc.y + headerHeight + 16 > bottom(doc)) doc.addPage();
  drawHeader();
  rows.forEach((raw, r) => {
    const cells = raw.map(pdfText);
    doc.fontSize(8);
    const height =
      Math.max(...cells.map((text, i) => doc.font(columns[i]!.font ?? FONT.regular).heightOfString(text || ' ', { width: widths[i]! - 2 * CELL_PAD.x }))) + 2 * CELL_PAD.y;
    if (doc.y + height > bottom(doc)) {
      doc.addPage();
      drawHeader();
    }
    const y = doc.y;
    if (r % 2 === 1) doc.rect(MARGIN.left, y, CONTENT_WIDTH, height).fill(COLOUR.zebra);
    cells.forEach((text, i) => {
      const c = columns[i]!;
      doc
        .font(c.font ?? FONT.regular)
        .fontSize(8)
        .fillColor(c.colour ? c.colour(raw[i] ?? '') : COLOUR.fg)
        .text(text, xs[i]! + CELL_PAD.x, y + CELL_PAD.y, { width: widths[i]! - 2 * CELL_PAD.x, align: c.align ?? 'left' });
    });
    doc.moveTo(MARGIN.left, y + height).lineTo(MARGIN.left + CONTENT_WIDTH, y + height).lineWidth(0.4).strokeColor(COLOUR.rowLine).stroke();
    doc.y = y + height;
  });
  doc.x = MARGIN.left;
  doc.y += 4;
}

/** "Tessera job 12 – name" and "Page 2 of 5" at the foot of every page. */
function footers(doc: Doc, title: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Text placed in the bottom margin makes pdfkit start a new page (foliojs/pdfkit#1240);
    // lifting the margin while the footer is written keeps it on this page.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = A4.height - 34;
    doc.moveTo(MARGIN.left, y - 6).lineTo(MARGIN.left + CONTENT_WIDTH, y - 6).lineWidth(0.5).strokeColor(COLOUR.line).stroke();
    doc.font(FONT.regular).fontSize(7.5).fillColor(COLOUR.muted);
    doc.text(pdfText(title), MARGIN.left, y, { width: CONTENT_WIDTH - 90, lineBreak: false, ellipsis: true, height: 10 });
    doc.text(`Page ${i - range.start + 1} of ${range.count}`, MARGIN.left + CONTENT_WIDTH - 90, y, { width: 90, align: 'right', lineBreak: false });
    doc.page.margins.bottom = margin;
  }
}

function bottom(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

function stateColourOf(state: string): string {
  return STATE_COLOURS.get(state) ?? COLOUR.fg;
}
const STATE_COLOURS = new Map((['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const).map((s) => [s as string, stateColour(s)]));

/** Characters Helvetica's Windows-1252 encoding has beyond Latin-1 (pdfkit maps these). */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
/** Symbols the engine's own messages use ("queued → running") and a few letters, spelled with what Helvetica has. */
const SPELLED: Record<string, string> = { '→': '->', '←': '<-', '↔': '<->', '≤': '<=', '≥': '>=', '≠': '!=', '−': '-', '‐': '-', '‑': '-', '′': "'", '″': '"', '\u202f': ' ', '\u2009': ' ',
  // Letters with a stroke have no decomposition to drop an accent from.
  Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŧ: 'T', ŧ: 't' };

/**
 * Text Helvetica can show: tabs and line breaks become spaces, other control characters go,
 * arrows and comparisons are spelled out (→ as ->), accented letters outside Windows-1252 lose
 * their accents (ő → o), anything else becomes "?".
 */
export function pdfText(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0)!;
    if (ch === '\t' || ch === '\n' || ch === '\r') out += ' ';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) continue;
    else if (code <= 0xff || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else if (SPELLED[ch] !== undefined) out += SPELLED[ch];
    else {
      const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base !== '' && [...base].every((c) => c.codePointAt(0)! <= 0xff) ? base : '?';
    }
  }
  return out;
}
