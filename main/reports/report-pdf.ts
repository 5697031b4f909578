/**
 * A job's report as an A4 PDF (pdfkit): the HTML report's content, laid out for paper. Tables
 * repeat their header on every page they run onto, pages are numbered, the extent thumbnail is
 * drawn as vector paths from the same projected outline, and the event log is cut in the middle
 * when long (the JSON report has everything).
 *
 * Text is set in DejaVu Sans, embedded (subset) from the npm package the app ships, so names in
 * Latin, Greek or Cyrillic script and symbols such as "→" print as they are; characters it has no
 * glyph for (CJK) print as code points, and the report says so (report-pdf-text.ts). Lines break
 * at word boundaries, and table columns are widened to the longest word they hold, so a file name
 * is never cut in the middle.
 */
import PDFDocument from 'pdfkit';
import type { ReportData } from './report.js';
import { MAX_FOOTPRINTS } from './report-map.js';
import { type ReportModel, type Thumbnail, extentOf, formatBounds, reportModel, stateColour, thumbnail } from './report-parts.js';
import { fitColumns, hasUnprintable, pdfText as printableText, reportFonts, unbreakableWidth, wrapText } from './report-pdf-text.js';

/** Tile issues and events a PDF lists: enough to act on, few enough to print. */
const LIMITS = { issues: 500, eventsHead: 60, eventsTail: 40 };

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { top: 48, bottom: 54, left: 48, right: 48 };
const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
const MAP = { width: 224, height: 165 };
const COLOUR = {
  fg: '#1d2329',
  muted: '#6b7580',
  line: '#d9dde1',
  rowLine: '#eceff2',
  soft: '#f5f7f9',
  zebra: '#fafbfc',
  bad: '#b3261e',
  warn: '#a86b00',
  extent: '#c2410c',
};
const FONT = { regular: 'DejaVuSans', bold: 'DejaVuSans-Bold', oblique: 'DejaVuSans-Oblique' };
const FOOTPRINT = '#1f5f99';
/** Footprints numbered on the map and listed under it; beyond this many they are only drawn. */
const FOOTPRINTS_LISTED = 12;
/** Table text: DejaVu Sans is wider than Helvetica, so a size smaller keeps the columns the same. */
const TABLE_SIZE = 7.5;
/** The smallest a column header is set to stay on one line (its column is at least this wide). */
const HEADER_MIN_SIZE = 5.5;
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
  const fonts = reportFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    // A PDF's info strings are Unicode (UTF-16) in pdfkit: the title keeps every character.
    info: { Title: title, Author: 'Tessera', Subject: `Report of ${m.kind} job ${m.jobId}`, CreationDate: new Date(data.generatedAt) },
  });
  doc.registerFont(FONT.regular, fonts.regular);
  doc.registerFont(FONT.bold, fonts.bold);
  doc.registerFont(FONT.oblique, fonts.oblique);
  doc.font(FONT.regular);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  header(doc, m);
  if (hasUnprintable(JSON.stringify(m), fonts.covers)) {
    note(
      doc,
      "Characters the PDF's font (DejaVu Sans) has no glyph for, such as Chinese, Japanese or Korean, are printed as their code points in brackets ([U+6771]); the HTML report shows them as they are.",
      true,
    );
  }
  overview(doc, m);

  section(doc, 'Parameters');
  if (m.params.length === 0) note(doc, 'No parameters.');
  else
    table(
      doc,
      [
        { header: 'Parameter', width: 0.3, font: FONT.bold },
        { header: 'Value', width: 0.7 },
      ],
      m.params,
    );

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
  else
    table(
      doc,
      [
        { header: 'Item', width: 0.12 },
        { header: 'Code', width: 0.2, font: FONT.bold, colour: () => COLOUR.bad },
        { header: 'Message', width: 0.68 },
      ],
      m.itemErrors.map((e) => [e.label, e.code, e.message]),
    );

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
    const columns: Column[] = [
      { header: 'Time', width: 0.22 },
      { header: 'Event', width: 0.18 },
      { header: 'Message', width: 0.6 },
    ];
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

interface TextStyle {
  font: string;
  size: number;
  colour: string;
  align?: 'left' | 'right' | 'center';
}

/**
 * `text` set in lines of at most `width` from (x, y), broken at word boundaries (wrapText), each
 * line placed by hand so that pdfkit never breaks a word itself; returns the y below the last line.
 */
function block(doc: Doc, text: string, x: number, y: number, width: number, style: TextStyle): number {
  doc.font(style.font).fontSize(style.size).fillColor(style.colour);
  const lineHeight = doc.currentLineHeight(true);
  const lines = wrapText(pdfText(text), width, (s) => doc.widthOfString(s));
  lines.forEach((line, i) => oneLine(doc, line, x, y + i * lineHeight, width, style.align));
  doc.x = MARGIN.left;
  doc.y = y + lines.length * lineHeight;
  return doc.y;
}

/**
 * One line of text at (x, y), aligned within `width` by its measured width. pdfkit is given no
 * width, so it cannot wrap the line itself (with one it cuts a word wider than the width between
 * characters even when told not to break lines).
 */
function oneLine(doc: Doc, text: string, x: number, y: number, width: number, align: 'left' | 'right' | 'center' = 'left', characterSpacing = 0): void {
  const room = width - doc.widthOfString(text, { characterSpacing });
  const dx = align === 'right' ? room : align === 'center' ? room / 2 : 0;
  doc.text(text, x + Math.max(0, dx), y, { lineBreak: false, characterSpacing });
}

/** The height `block` would take. */
function blockHeight(doc: Doc, text: string, width: number, style: Pick<TextStyle, 'font' | 'size'>): number {
  doc.font(style.font).fontSize(style.size);
  return wrapText(pdfText(text), width, (s) => doc.widthOfString(s)).length * doc.currentLineHeight(true);
}

function header(doc: Doc, m: ReportModel): void {
  const x = MARGIN.left;
  const state = m.state.toUpperCase();
  doc.font(FONT.bold).fontSize(8.5);
  const pillW = doc.widthOfString(state, { characterSpacing: 0.6 }) + 18;
  doc.font(FONT.regular).fontSize(7.5).fillColor(COLOUR.muted).text('TESSERA · JOB REPORT', x, MARGIN.top, { characterSpacing: 1, lineBreak: false });
  const titleY = MARGIN.top + 12;
  const jobLabel = `Job ${m.jobId}`;
  doc.font(FONT.bold).fontSize(16).fillColor(COLOUR.fg).text(jobLabel, x, titleY, { lineBreak: false });
  const nameX = x + doc.widthOfString(jobLabel) + 8;
  const afterTitle = block(doc, m.name, nameX, titleY, x + CONTENT_WIDTH - pillW - 16 - nameX, { font: FONT.regular, size: 16, colour: COLOUR.fg });
  doc.roundedRect(x + CONTENT_WIDTH - pillW, titleY + 1, pillW, 18, 9).fill(stateColour(m.state));
  doc.font(FONT.bold).fontSize(8.5).fillColor('#ffffff');
  oneLine(doc, state, x + CONTENT_WIDTH - pillW, titleY + 5, pillW, 'center', 0.6);
  const subY = block(doc, `${m.kind} job · report generated ${m.generatedAt} UTC · all times UTC`, x, Math.max(afterTitle, titleY + 20) + 2, CONTENT_WIDTH, {
    font: FONT.regular,
    size: 8.5,
    colour: COLOUR.muted,
  });
  const ruleY = subY + 6;
  doc
    .moveTo(x, ruleY)
    .lineTo(x + CONTENT_WIDTH, ruleY)
    .lineWidth(1.5)
    .strokeColor(COLOUR.fg)
    .stroke();
  doc.y = ruleY + 10;
  if (m.jobError) {
    // The code on a line of its own, in bold, the message under it.
    const style = { font: FONT.regular, size: 9, colour: COLOUR.fg };
    const codeStyle = { ...style, font: FONT.bold };
    const h = blockHeight(doc, m.jobError.code, CONTENT_WIDTH - 20, codeStyle) + blockHeight(doc, m.jobError.message, CONTENT_WIDTH - 20, style) + 12;
    const y = doc.y;
    doc.rect(x, y, CONTENT_WIDTH, h).fill('#fbeeed');
    doc.rect(x, y, 3, h).fill(COLOUR.bad);
    const below = block(doc, m.jobError.code, x + 12, y + 6, CONTENT_WIDTH - 20, codeStyle);
    block(doc, m.jobError.message, x + 12, below, CONTENT_WIDTH - 20, style);
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
    block(doc, label, left, y, 70, { font: FONT.regular, size: 8, colour: COLOUR.muted });
    const bottomOfValue = block(doc, value, left + 74, y, leftWidth - 74, { font: FONT.regular, size: 8.5, colour: COLOUR.fg });
    y = Math.max(bottomOfValue, y + 11) + 2.5;
  }
  const leftBottom = y;

  heading(doc, 'Extent', mapX, top, MAP.width);
  const mapY = doc.y;
  const caption = { font: FONT.regular, size: 7, colour: COLOUR.muted };
  const { bounds, note: why, footprints } = m.extent;
  if (bounds === null) {
    doc.rect(mapX, mapY, MAP.width, MAP.height).fill(COLOUR.soft);
    doc.rect(mapX, mapY, MAP.width, MAP.height).dash(3, { space: 3 }).lineWidth(0.75).strokeColor(COLOUR.line).stroke().undash();
    doc.font(FONT.bold).fontSize(10).fillColor(COLOUR.muted);
    oneLine(doc, 'Extent unknown', mapX, mapY + MAP.height / 2 - 6, MAP.width, 'center');
    block(doc, `${why}.`, mapX, mapY + MAP.height + 5, MAP.width, caption);
  } else {
    const t = thumbnail(bounds, MAP.width, MAP.height, { footprints });
    drawThumbnail(doc, t, mapX, mapY);
    let cy = block(doc, formatBounds(bounds), mapX, mapY + MAP.height + 5, MAP.width, caption);
    cy = block(doc, `${why}. Land: Natural Earth.`, mapX, cy, MAP.width, caption);
    if (footprints.length > 0) {
      const drawn = footprints.length > MAX_FOOTPRINTS ? ` (the first ${MAX_FOOTPRINTS} drawn)` : '';
      const listed = t.footprints.length <= FOOTPRINTS_LISTED;
      doc
        .save()
        .rect(mapX, cy + 2.5, 12, 6)
        .dash(2, { space: 1.5 })
        .lineWidth(0.8)
        .fillOpacity(0.08)
        .fillAndStroke(FOOTPRINT, FOOTPRINT)
        .undash()
        .restore();
      const legend = footprints.length === 1 ? 'The footprint of its item' : `Footprints of its ${footprints.length.toLocaleString('en-US')} items${drawn}`;
      cy = block(doc, `${legend}${listed ? ':' : '.'}`, mapX + 16, cy + 1, MAP.width - 16, caption);
      if (listed) for (const f of t.footprints) cy = block(doc, `${f.n}  ${f.label}`, mapX + 16, cy, MAP.width - 16, caption);
    }
  }
  doc.x = MARGIN.left;
  doc.y = Math.max(leftBottom, doc.y) + 6;
}

/** The thumbnail as vector paths: sea, land (even-odd), graticule, footprints, labels, the extent on top. */
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
  for (const f of t.footprints) {
    doc.save();
    if (f.dot) doc.circle(x + f.dot.x, y + f.dot.y, 2.2).fill(FOOTPRINT);
    else
      doc
        .rect(x + f.x, y + f.y, f.width, f.height)
        .dash(2.5, { space: 1.5 })
        .lineWidth(0.8)
        .fillOpacity(0.08)
        .fillAndStroke(FOOTPRINT, FOOTPRINT);
    doc.restore();
  }
  const r = t.extent;
  doc.save();
  doc
    .rect(x + r.x, y + r.y, r.width, r.height)
    .fillOpacity(0.18)
    .fill(COLOUR.extent);
  doc.restore();
  doc
    .rect(x + r.x, y + r.y, r.width, r.height)
    .lineWidth(1.2)
    .stroke(COLOUR.extent);
  if (t.marker)
    doc
      .circle(x + t.marker.x, y + t.marker.y, t.marker.r)
      .lineWidth(1.2)
      .stroke(COLOUR.extent);
  if (t.footprints.length <= FOOTPRINTS_LISTED) {
    doc.font(FONT.bold).fontSize(6).fillColor(FOOTPRINT);
    // Inside a rectangle's corner; beside a dot.
    for (const f of t.footprints)
      doc.text(String(f.n), f.dot ? x + f.dot.x + 3 : x + f.x + 1.5, f.dot ? y + f.dot.y - 3.5 : y + f.y + 1.5, { lineBreak: false });
  }
  doc.font(FONT.regular).fontSize(5.5);
  const label = (text: string, lx: number, ly: number) => {
    const w = doc.widthOfString(text);
    doc
      .save()
      .rect(lx - 1, ly - 1, w + 2, 7.5)
      .fillOpacity(0.7)
      .fill('#ffffff')
      .restore();
    doc.fillColor('#4d5b69').text(text, lx, ly, { lineBreak: false });
  };
  for (const g of t.meridians) label(g.label, x + g.x + 2, y + t.height - 9);
  for (const g of t.parallels) label(g.label, x + 3, y + g.y - 8);
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
  doc.font(FONT.bold).fontSize(10).fillColor(COLOUR.fg).text(title, x, y, { lineBreak: false });
  let below = y + doc.currentLineHeight(true);
  if (aside !== undefined) {
    const asideX = x + doc.widthOfString(title) + 10;
    below = Math.max(below, block(doc, aside, asideX, y + 1.5, x + width - asideX, { font: FONT.regular, size: 8.5, colour: COLOUR.muted }));
  }
  const ruleY = below + 2;
  doc
    .moveTo(x, ruleY)
    .lineTo(x + width, ruleY)
    .lineWidth(0.6)
    .strokeColor(COLOUR.line)
    .stroke();
  doc.x = MARGIN.left;
  doc.y = ruleY + 6;
}

function note(doc: Doc, text: string, italic = false): void {
  const style = { font: italic ? FONT.oblique : FONT.regular, size: 8, colour: COLOUR.muted };
  if (doc.y + 2 + blockHeight(doc, text, CONTENT_WIDTH, style) > bottom(doc)) doc.addPage();
  block(doc, text, MARGIN.left, doc.y + 2, CONTENT_WIDTH, style);
  doc.y += 4;
}

/**
 * A table that breaks across pages, repeating its header row on each. Columns take their share
 * of the width, widened to the longest word they hold (fitColumns), so words are not cut.
 */
function table(doc: Doc, columns: Column[], rows: string[][]): void {
  const cells = rows.map((raw) => raw.map(pdfText));
  const pad = 2 * CELL_PAD.x + 0.5;
  const measured = columns.map((c, i) => {
    doc.font(FONT.bold).fontSize(HEADER_MIN_SIZE);
    const header = doc.widthOfString(c.header.toUpperCase(), { characterSpacing: 0.3 });
    doc.font(c.font ?? FONT.regular).fontSize(TABLE_SIZE);
    const measure = (s: string) => doc.widthOfString(s);
    let widest = header;
    let longest = header;
    for (const row of cells) {
      widest = Math.max(widest, unbreakableWidth(row[i] ?? '', measure));
      longest = Math.max(longest, measure(row[i] ?? ''));
    }
    return { minimum: Math.min(widest, CONTENT_WIDTH * 0.6) + pad, natural: longest + pad };
  });
  const widths = fitColumns(
    columns.map((c) => c.width),
    measured.map((m) => m.minimum),
    measured.map((m) => m.natural),
    CONTENT_WIDTH,
  );
  const xs = widths.map((_, i) => MARGIN.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const headerHeight = 15;
  const drawHeader = () => {
    const y = doc.y;
    doc.rect(MARGIN.left, y, CONTENT_WIDTH, headerHeight).fill(COLOUR.soft);
    doc
      .moveTo(MARGIN.left, y + headerHeight)
      .lineTo(MARGIN.left + CONTENT_WIDTH, y + headerHeight)
      .lineWidth(0.6)
      .strokeColor('#b9c0c7')
      .stroke();
    doc.font(FONT.bold).fillColor(COLOUR.muted);
    columns.forEach((c, i) => {
      const label = c.header.toUpperCase();
      const room = widths[i]! - 2 * CELL_PAD.x;
      // Headers stay on one line: a narrow column's header is set smaller rather than wrapped.
      doc.fontSize(6.5);
      const size = Math.max(HEADER_MIN_SIZE, Math.min(6.5, (6.5 * room) / doc.widthOfString(label, { characterSpacing: 0.3 })));
      doc.fontSize(size);
      oneLine(doc, label, xs[i]! + CELL_PAD.x, y + 4.5 + (6.5 - size) / 2, room, c.align, 0.3);
    });
    doc.y = y + headerHeight;
  };

  if (doc.y + headerHeight + 16 > bottom(doc)) doc.addPage();
  drawHeader();
  rows.forEach((raw, r) => {
    const row = cells[r]!;
    const lines = row.map((text, i) => {
      doc.font(columns[i]!.font ?? FONT.regular).fontSize(TABLE_SIZE);
      return wrapText(text, widths[i]! - 2 * CELL_PAD.x, (s) => doc.widthOfString(s));
    });
    doc.fontSize(TABLE_SIZE);
    const lineHeight = doc.currentLineHeight(true);
    const height = Math.max(...lines.map((l) => l.length)) * lineHeight + 2 * CELL_PAD.y;
    if (doc.y + height > bottom(doc)) {
      doc.addPage();
      drawHeader();
    }
    const y = doc.y;
    if (r % 2 === 1) doc.rect(MARGIN.left, y, CONTENT_WIDTH, height).fill(COLOUR.zebra);
    lines.forEach((cellLines, i) => {
      const c = columns[i]!;
      doc
        .font(c.font ?? FONT.regular)
        .fontSize(TABLE_SIZE)
        .fillColor(c.colour ? c.colour(raw[i] ?? '') : COLOUR.fg);
      cellLines.forEach((line, k) => oneLine(doc, line, xs[i]! + CELL_PAD.x, y + CELL_PAD.y + k * lineHeight, widths[i]! - 2 * CELL_PAD.x, c.align));
    });
    doc
      .moveTo(MARGIN.left, y + height)
      .lineTo(MARGIN.left + CONTENT_WIDTH, y + height)
      .lineWidth(0.4)
      .strokeColor(COLOUR.rowLine)
      .stroke();
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
    doc
      .moveTo(MARGIN.left, y - 6)
      .lineTo(MARGIN.left + CONTENT_WIDTH, y - 6)
      .lineWidth(0.5)
      .strokeColor(COLOUR.line)
      .stroke();
    doc.font(FONT.regular).fontSize(7.5).fillColor(COLOUR.muted);
    const lines = wrapText(pdfText(title), CONTENT_WIDTH - 100, (s) => doc.widthOfString(s));
    oneLine(doc, lines.length > 1 ? `${lines[0]} …` : (lines[0] ?? ''), MARGIN.left, y, CONTENT_WIDTH - 90);
    oneLine(doc, `Page ${i - range.start + 1} of ${range.count}`, MARGIN.left + CONTENT_WIDTH - 90, y, 90, 'right');
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

/** `text` as the PDF's font can show it (report-pdf-text.ts): every table cell and line goes through it. */
export function pdfText(text: string): string {
  return printableText(text, reportFonts().covers);
}
