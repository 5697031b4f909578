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
import { type ReportModel, extentOf, reportModel, stateColour } from './report-parts.js';
import { hasUnprintable, reportFonts } from './report-pdf-text.js';
import { COLOUR, CONTENT_WIDTH, type Doc, FONT, MARGIN, block, blockHeight, footers, note, oneLine, rule, section } from './report-pdf-layout.js';
import { overview } from './report-pdf-overview.js';
import { type Column, table } from './report-pdf-table.js';

export { pdfText } from './report-pdf-layout.js';

/** Tile issues and events a PDF lists: enough to act on, few enough to print. */
const LIMITS = { issues: 500, eventsHead: 60, eventsTail: 40 };

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
        { header: m.unitLabel, width: 0.24, align: 'right' },
      ],
      m.items.map((i) => [i.label, i.state, i.started, i.finished, i.duration, i.attempts, i.amount]),
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
  rule(doc, x, ruleY, CONTENT_WIDTH, 1.5, COLOUR.fg);
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

function stateColourOf(state: string): string {
  return STATE_COLOURS.get(state) ?? COLOUR.fg;
}
const STATE_COLOURS = new Map((['queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled'] as const).map((s) => [s as string, stateColour(s)]));
